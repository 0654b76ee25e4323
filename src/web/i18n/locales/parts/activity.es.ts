import type activityEn from './activity.en'
import type { Shape } from './shape'

const activity: Shape<typeof activityEn> = {
  heading: 'Actividad reciente',
  empty: 'Todavía no ha pasado nada en tus tickets.',
  someone: 'Alguien',
  anotherTicket: 'otro ticket',
  internal: 'Nota interna',
  replied: '{{actor}} respondió en {{ticket}}',
  noted: '{{actor}} añadió una nota interna en {{ticket}}',
  opened: '{{actor}} abrió {{ticket}}',
  assigned: '{{actor}} asignó {{ticket}} a {{to}}',
  unassigned: '{{actor}} quitó la asignación de {{ticket}}',
  teamSet: '{{actor}} pasó {{ticket}} al equipo {{to}}',
  teamCleared: '{{actor}} quitó {{ticket}} de su equipo',
  changed: '{{actor}} cambió {{field}} a {{to}} en {{ticket}}',
  cleared: '{{actor}} vació {{field}} en {{ticket}}',
  editedDescription: '{{actor}} editó la descripción de {{ticket}}',
  merged: '{{actor}} fusionó {{other}} en {{ticket}}',
  mergedInto: '{{actor}} fusionó {{ticket}} en {{other}}',
  split: '{{actor}} separó una respuesta de {{ticket}} en un ticket nuevo',
  splitFrom: '{{actor}} abrió {{ticket}} a partir de una respuesta en {{other}}',
  linked: '{{actor}} vinculó {{ticket}} con {{other}}',
  unlinked: '{{actor}} desvinculó {{ticket}} de {{other}}',
  restored: '{{actor}} restauró {{ticket}}',
  spam: '{{actor}} marcó {{ticket}} como spam',
  notSpam: '{{actor}} marcó {{ticket}} como no spam',
  fileRemoved: '{{actor}} quitó un archivo de {{ticket}}',
  emailFailed: 'No se pudo enviar un correo sobre {{ticket}}',
  emailBounced: 'Un correo sobre {{ticket}} fue devuelto',
  updated: '{{actor}} actualizó {{ticket}}',
}

export default activity
