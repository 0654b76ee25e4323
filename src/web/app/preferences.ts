import type { Me, Organization } from '../api/types'
import { browserLanguage, matchLanguage, setLanguage } from '../i18n'
import { setDefaultTimeZone } from '../ui/format'

const ACCENT_VARS = ['--accent', '--accent-contrast'] as const

/** Relative luminance of a #rgb / #rrggbb colour, or null for anything else. */
function luminance(color: string): number | null {
  const hex = color.trim().replace(/^#/, '')
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex
  if (!/^[0-9a-f]{6}$/i.test(full)) return null
  const channels = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16) / 255)
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [
    number,
    number,
    number,
  ]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

/** Use the organization's branding.primary_color as the accent colour, when it is a valid colour. */
export function applyBranding(organization: Pick<Organization, 'branding'> | null | undefined): void {
  const root = document.documentElement.style
  const color = organization?.branding?.primary_color?.trim()
  if (!color || typeof CSS === 'undefined' || !CSS.supports('color', color)) {
    for (const name of ACCENT_VARS) root.removeProperty(name)
    return
  }
  root.setProperty('--accent', color)
  const lum = luminance(color)
  root.setProperty('--accent-contrast', lum !== null && lum > 0.45 ? '#111827' : '#ffffff')
}

/** The user's profile locale when we have it, else the browser's. */
export function applyLanguage(me: Me | undefined): void {
  const language = matchLanguage(me?.user.locale) ?? browserLanguage()
  void setLanguage(language)
}

export function applyPreferences(me: Me | undefined): void {
  applyBranding(me?.organization)
  applyLanguage(me)
  // Dates in the user's own time zone (their profile's, else the organization's).
  setDefaultTimeZone(me?.user.time_zone ?? me?.organization.time_zone)
}

/** Back to the neutral look and the browser language (after sign-out). */
export function resetPreferences(): void {
  applyBranding(null)
  setDefaultTimeZone(null)
  void setLanguage(browserLanguage())
}
