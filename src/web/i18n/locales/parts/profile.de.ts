import type profileEn from './profile.en'
import type { Shape } from './shape'

const profile: Shape<typeof profileEn> = {
  heading: 'Ihr Profil',
  intro: 'Ihr Name, wie andere ihn sehen, sowie die Sprache und Zeitzone, die Aidly für Sie verwendet.',
  name: 'Name',
  language: 'Sprache',
  languageDefault: 'Wie im Browser',
  timeZone: 'Zeitzone',
  timeZoneDefault: 'Wie in der Organisation ({{zone}})',
  timeZoneInvalid: 'Wählen Sie eine Zeitzone aus der Liste.',
  save: 'Profil speichern',
  saving: 'Wird gespeichert…',
  saved: 'Ihr Profil ist gespeichert.',
}

export default profile
