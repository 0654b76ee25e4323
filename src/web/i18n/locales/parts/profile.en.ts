/** English for the home page's "Your profile" form; the source of es/fr/de (same keys, checked by typecheck). */
const profile = {
  heading: 'Your profile',
  intro: 'Your name as others see it, and the language and time zone Aidly uses for you.',
  name: 'Name',
  language: 'Language',
  languageDefault: 'Browser default',
  timeZone: 'Time zone',
  timeZoneDefault: 'Organization default ({{zone}})',
  timeZoneInvalid: 'Choose a time zone from the list.',
  save: 'Save profile',
  saving: 'Saving…',
  saved: 'Your profile is saved.',
}

export default profile
