import type activityEn from './activity.en'
import type { Shape } from './shape'

const activity: Shape<typeof activityEn> = {
  heading: 'Activité récente',
  empty: 'Rien ne s’est encore passé sur vos tickets.',
  someone: 'Quelqu’un',
  anotherTicket: 'un autre ticket',
  internal: 'Note interne',
  replied: '{{actor}} a répondu sur {{ticket}}',
  noted: '{{actor}} a ajouté une note interne sur {{ticket}}',
  opened: '{{actor}} a ouvert {{ticket}}',
  assigned: '{{actor}} a assigné {{ticket}} à {{to}}',
  unassigned: '{{actor}} a retiré l’assignation de {{ticket}}',
  teamSet: '{{actor}} a confié {{ticket}} à l’équipe {{to}}',
  teamCleared: '{{actor}} a retiré {{ticket}} de son équipe',
  changed: '{{actor}} a changé {{field}} en {{to}} sur {{ticket}}',
  cleared: '{{actor}} a vidé {{field}} sur {{ticket}}',
  editedDescription: '{{actor}} a modifié la description de {{ticket}}',
  merged: '{{actor}} a fusionné {{other}} dans {{ticket}}',
  mergedInto: '{{actor}} a fusionné {{ticket}} dans {{other}}',
  split: '{{actor}} a détaché une réponse de {{ticket}} dans un nouveau ticket',
  splitFrom: '{{actor}} a ouvert {{ticket}} à partir d’une réponse sur {{other}}',
  linked: '{{actor}} a lié {{ticket}} à {{other}}',
  unlinked: '{{actor}} a délié {{ticket}} de {{other}}',
  restored: '{{actor}} a restauré {{ticket}}',
  spam: '{{actor}} a marqué {{ticket}} comme spam',
  notSpam: '{{actor}} a marqué {{ticket}} comme n’étant pas du spam',
  fileRemoved: '{{actor}} a retiré un fichier de {{ticket}}',
  emailFailed: 'Un e-mail concernant {{ticket}} n’a pas pu être envoyé',
  emailBounced: 'Un e-mail concernant {{ticket}} a été renvoyé',
  updated: '{{actor}} a mis à jour {{ticket}}',
}

export default activity
