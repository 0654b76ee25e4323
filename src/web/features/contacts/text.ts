import type { TFunction } from 'i18next'
import { isApiError } from '../../api/client'

/**
 * Field errors from a 400/409/422, keyed by the server's dotted path (`email`, `phones.0.number`,
 * `address.city`; list items like `tags.2` or `domains.0` fall to the list's own field), in the
 * UI language where the rule is known, else in the server's words.
 */
export function serverFieldErrors(error: unknown, t: TFunction): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isApiError(error)) return out
  for (const detail of error.details) {
    let field = detail.field?.replace(/^\/?(body[./])?/, '')
    if (!field) continue
    if (/^(tags|domains)\.\d+$/.test(field)) field = field.split('.')[0]!
    if (out[field]) continue
    const leaf = field.split('.').pop() ?? field
    let message: string
    if (error.code === 'conflict' && field === 'email') message = t('crm.form.emailTaken')
    else if (error.code === 'conflict' && field === 'domains') message = t('crm.form.domainTaken')
    else if (detail.code === 'required' || (detail.code === 'minLength' && leaf !== 'number')) message = t('validation.required')
    else if (leaf === 'email') message = t('validation.email')
    else if (leaf === 'number' || leaf === 'phones' || leaf === 'phone') message = t('crm.form.invalidPhone')
    else if (leaf === 'time_zone') message = t('crm.form.invalidTimeZone')
    else message = detail.message
    out[field] = message
  }
  return out
}

/** "a, b c;d" → ['a', 'b', 'c', 'd'] for tags and domains typed in one field. */
export const splitList = (text: string): string[] =>
  text
    .split(/[\s,;]+/)
    .map((item) => item.trim())
    .filter(Boolean)

/** Moves focus to the first field named in `errors` (inputs carry the server's field names). */
export function focusFirstError(form: HTMLFormElement | null, errors: Record<string, string>): void {
  if (!form) return
  for (const element of Array.from(form.elements)) {
    const name = (element as HTMLInputElement).name
    if (name && errors[name]) {
      ;(element as HTMLInputElement).focus()
      return
    }
  }
}
