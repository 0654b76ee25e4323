/**
 * English for the staff home page's recent activity; the source of es/fr/de (same keys, checked
 * by typecheck). `{{ticket}}` is where the ticket's link goes.
 */
const activity = {
  heading: 'Recent activity',
  empty: 'Nothing has happened on your tickets yet.',
  someone: 'Someone',
  anotherTicket: 'another ticket',
  internal: 'Internal note',
  replied: '{{actor}} replied on {{ticket}}',
  noted: '{{actor}} added an internal note on {{ticket}}',
  opened: '{{actor}} opened {{ticket}}',
  assigned: '{{actor}} assigned {{ticket}} to {{to}}',
  unassigned: '{{actor}} unassigned {{ticket}}',
  teamSet: '{{actor}} moved {{ticket}} to the team {{to}}',
  teamCleared: '{{actor}} took {{ticket}} off its team',
  changed: '{{actor}} changed {{field}} to {{to}} on {{ticket}}',
  cleared: '{{actor}} cleared {{field}} on {{ticket}}',
  editedDescription: '{{actor}} edited the description of {{ticket}}',
  merged: '{{actor}} merged {{other}} into {{ticket}}',
  mergedInto: '{{actor}} merged {{ticket}} into {{other}}',
  split: '{{actor}} split a reply off {{ticket}} into a new ticket',
  splitFrom: '{{actor}} opened {{ticket}} from a reply on {{other}}',
  linked: '{{actor}} linked {{ticket}} to {{other}}',
  unlinked: '{{actor}} unlinked {{ticket}} from {{other}}',
  restored: '{{actor}} restored {{ticket}}',
  spam: '{{actor}} marked {{ticket}} as spam',
  notSpam: '{{actor}} marked {{ticket}} as not spam',
  fileRemoved: '{{actor}} removed a file from {{ticket}}',
  emailFailed: 'An email about {{ticket}} could not be sent',
  emailBounced: 'An email about {{ticket}} bounced',
  updated: '{{actor}} updated {{ticket}}',
}

export default activity
