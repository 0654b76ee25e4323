import type activityEn from './activity.en'
import type { Shape } from './shape'

const activity: Shape<typeof activityEn> = {
  heading: 'Letzte Aktivitäten',
  empty: 'Bei Ihren Tickets ist noch nichts passiert.',
  someone: 'Jemand',
  anotherTicket: 'ein anderes Ticket',
  internal: 'Interne Notiz',
  replied: '{{actor}} hat auf {{ticket}} geantwortet',
  noted: '{{actor}} hat eine interne Notiz zu {{ticket}} hinzugefügt',
  opened: '{{actor}} hat {{ticket}} eröffnet',
  assigned: '{{actor}} hat {{ticket}} {{to}} zugewiesen',
  unassigned: '{{actor}} hat die Zuweisung von {{ticket}} aufgehoben',
  teamSet: '{{actor}} hat {{ticket}} dem Team {{to}} übergeben',
  teamCleared: '{{actor}} hat {{ticket}} aus seinem Team genommen',
  changed: '{{actor}} hat {{field}} von {{ticket}} auf {{to}} geändert',
  cleared: '{{actor}} hat {{field}} von {{ticket}} geleert',
  editedDescription: '{{actor}} hat die Beschreibung von {{ticket}} bearbeitet',
  merged: '{{actor}} hat {{other}} mit {{ticket}} zusammengeführt',
  mergedInto: '{{actor}} hat {{ticket}} in {{other}} zusammengeführt',
  split: '{{actor}} hat eine Antwort aus {{ticket}} in ein neues Ticket ausgelagert',
  splitFrom: '{{actor}} hat {{ticket}} aus einer Antwort auf {{other}} eröffnet',
  linked: '{{actor}} hat {{ticket}} mit {{other}} verknüpft',
  unlinked: '{{actor}} hat die Verknüpfung von {{ticket}} mit {{other}} gelöst',
  restored: '{{actor}} hat {{ticket}} wiederhergestellt',
  spam: '{{actor}} hat {{ticket}} als Spam markiert',
  notSpam: '{{actor}} hat {{ticket}} als kein Spam markiert',
  fileRemoved: '{{actor}} hat eine Datei aus {{ticket}} entfernt',
  emailFailed: 'Eine E-Mail zu {{ticket}} konnte nicht gesendet werden',
  emailBounced: 'Eine E-Mail zu {{ticket}} kam unzustellbar zurück',
  updated: '{{actor}} hat {{ticket}} aktualisiert',
}

export default activity
