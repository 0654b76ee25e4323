let defaultTimeZone: string | undefined

/** The zone dates are shown in when a caller names none: the user's profile zone, else the organization's (set on sign-in). */
export function setDefaultTimeZone(timeZone: string | null | undefined): void {
  defaultTimeZone = timeZone || undefined
}

/** Formats an ISO timestamp for the UI language, in the given IANA time zone (else the user's) when it is valid. */
export function formatDateTime(iso: string | null | undefined, language: string, timeZone: string | null | undefined = defaultTimeZone): string {
  if (!iso) return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' }
  try {
    return new Intl.DateTimeFormat(language, { ...options, timeZone: timeZone ?? undefined }).format(date)
  } catch {
    return new Intl.DateTimeFormat(language, options).format(date)
  }
}

/** A short "Browser on OS" label from a User-Agent string, or null when nothing is recognised. */
export function describeUserAgent(userAgent: string | null | undefined): string | null {
  if (!userAgent) return null
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /OPR\//.test(userAgent)
      ? 'Opera'
      : /Firefox\//.test(userAgent)
        ? 'Firefox'
        : /Chrom(e|ium)\//.test(userAgent)
          ? 'Chrome'
          : /Safari\//.test(userAgent)
            ? 'Safari'
            : null
  const os = /iPhone|iPad|iPod/.test(userAgent)
    ? 'iOS'
    : /Android/.test(userAgent)
      ? 'Android'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(userAgent)
          ? 'macOS'
          : /CrOS/.test(userAgent)
            ? 'ChromeOS'
            : /Linux/.test(userAgent)
              ? 'Linux'
              : null
  if (browser && os) return `${browser} · ${os}`
  return browser ?? os
}

const RELATIVE_UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
]

/** "5 minutes ago", "yesterday", "in 2 hours" for the UI language; '' for a missing or bad timestamp. */
export function formatRelativeTime(iso: string | null | undefined, language: string, now: number = Date.now()): string {
  if (!iso) return ''
  const time = new Date(iso).getTime()
  if (Number.isNaN(time)) return iso
  const seconds = Math.round((time - now) / 1000)
  const format = new Intl.RelativeTimeFormat(language, { numeric: 'auto' })
  if (Math.abs(seconds) < 45) return format.format(0, 'second')
  for (const [unit, size] of RELATIVE_UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit)
  }
  return format.format(seconds, 'second')
}
