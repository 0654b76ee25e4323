import type profileEn from './profile.en'
import type { Shape } from './shape'

const profile: Shape<typeof profileEn> = {
  heading: 'Votre profil',
  intro: 'Votre nom tel que les autres le voient, et la langue et le fuseau horaire qu’Aidly utilise pour vous.',
  name: 'Nom',
  language: 'Langue',
  languageDefault: 'Celle du navigateur',
  timeZone: 'Fuseau horaire',
  timeZoneDefault: 'Celui de l’organisation ({{zone}})',
  timeZoneInvalid: 'Choisissez un fuseau horaire dans la liste.',
  save: 'Enregistrer le profil',
  saving: 'Enregistrement…',
  saved: 'Votre profil est enregistré.',
}

export default profile
