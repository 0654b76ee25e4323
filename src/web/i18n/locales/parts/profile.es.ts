import type profileEn from './profile.en'
import type { Shape } from './shape'

const profile: Shape<typeof profileEn> = {
  heading: 'Tu perfil',
  intro: 'Tu nombre tal como lo ven los demás, y el idioma y la zona horaria que Aidly usa contigo.',
  name: 'Nombre',
  language: 'Idioma',
  languageDefault: 'El del navegador',
  timeZone: 'Zona horaria',
  timeZoneDefault: 'La de la organización ({{zone}})',
  timeZoneInvalid: 'Elige una zona horaria de la lista.',
  save: 'Guardar perfil',
  saving: 'Guardando…',
  saved: 'Tu perfil se ha guardado.',
}

export default profile
