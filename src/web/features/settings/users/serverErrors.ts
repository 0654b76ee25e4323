import type { TFunction } from 'i18next'
import { isApiError } from '../../../api/client'

/**
 * Field errors from a 400/409 keyed by the server's dotted field path (`branding.primary_color`):
 * a missing or empty value and a malformed email in the user's language, a field-specific
 * wording from `formats` for any other rule it broke, a wording from `codes` for a refusal the
 * server names in `details[].code` (`already_member`), otherwise the server's own words.
 */
export function serverFieldErrors(
  error: unknown,
  t: TFunction,
  formats: Record<string, string> = {},
  codes: Record<string, string> = {},
): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isApiError(error)) return out
  for (const detail of error.details) {
    const field = detail.field?.replace(/^\/?(body[./])?/, '')
    if (!field || out[field]) continue
    if (detail.code && codes[detail.code]) out[field] = codes[detail.code]!
    else if (detail.code === 'required' || detail.code === 'minLength') out[field] = t('validation.required')
    else if (detail.code === 'format' && field.endsWith('email')) out[field] = t('validation.email')
    else if (detail.code && formats[field]) out[field] = formats[field]
    else out[field] = detail.message
  }
  return out
}

/** The errors that did not land on a field the form shows, as one line for the form's alert. */
export function otherErrors(errors: Partial<Record<string, string>>, shown: readonly string[]): string | null {
  const rest = Object.entries(errors).filter(([field, message]) => message && !shown.includes(field))
  return rest.length ? rest.map(([field, message]) => `${field}: ${message}`).join(' ') : null
}
