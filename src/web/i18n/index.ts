import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import en from './locales/en'

export const LANGUAGES = ['en', 'es', 'fr', 'de'] as const
export type Language = (typeof LANGUAGES)[number]
/** Each language in its own name, as people look for it in a list. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Español', fr: 'Français', de: 'Deutsch' }

/** English ships in the main bundle; the others are loaded when first needed. */
const loaders: Record<Exclude<Language, 'en'>, () => Promise<{ default: typeof en }>> = {
  es: () => import('./locales/es'),
  fr: () => import('./locales/fr'),
  de: () => import('./locales/de'),
}

/** "fr-CA" → "fr"; null when the language is not one we translate. */
export function matchLanguage(tag: string | null | undefined): Language | null {
  if (!tag) return null
  const primary = tag.toLowerCase().split(/[-_]/)[0]
  return (LANGUAGES as readonly string[]).includes(primary ?? '') ? (primary as Language) : null
}

export function browserLanguage(): Language {
  const tags = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language])
  for (const tag of tags) {
    const match = matchLanguage(tag)
    if (match) return match
  }
  return 'en'
}

export async function setLanguage(language: Language): Promise<void> {
  if (language !== 'en' && !i18n.hasResourceBundle(language, 'translation')) {
    try {
      const bundle = await loaders[language]()
      i18n.addResourceBundle(language, 'translation', bundle.default, true, true)
    } catch {
      return // Keep the current language if the bundle could not be loaded.
    }
  }
  if (i18n.language !== language) await i18n.changeLanguage(language)
}

export async function initI18n(): Promise<void> {
  i18n.on('languageChanged', (language) => {
    document.documentElement.lang = language
  })
  await i18n.use(initReactI18next).init({
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: [...LANGUAGES],
    resources: { en: { translation: en } },
    interpolation: { escapeValue: false },
    returnNull: false,
  })
  await setLanguage(browserLanguage())
}

export default i18n
