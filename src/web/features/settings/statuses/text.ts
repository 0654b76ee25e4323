import type { TFunction } from 'i18next'
import { isApiError } from '../../../api/client'
import { errorMessage } from '../../../ui/errorMessage'

/**
 * Why the server refused a status change or delete, in the UI language where its details say
 * which rule it was (field and code); otherwise its own words.
 */
export function statusRefusal(error: unknown, t: TFunction): { field: string | null; message: string } {
  if (!isApiError(error)) return { field: null, message: errorMessage(error, t) }
  const detail = error.details[0]
  const field = detail?.field?.replace(/^\/?(body[./])?/, '') ?? null
  if (!detail) return { field: null, message: errorMessage(error, t) }
  if (error.code === 'conflict' && field === 'name') return { field, message: t('adminConfig.statuses.nameTaken') }
  if (detail.code === 'in_use') {
    const count = Number(/(\d+)/.exec(detail.message)?.[1] ?? NaN)
    return { field, message: Number.isFinite(count) ? t('adminConfig.statuses.inUse', { count }) : error.message }
  }
  if (/last "new" status/.test(detail.message)) return { field, message: t('adminConfig.statuses.lastNew') }
  if (field === 'id' && /default/.test(detail.message)) return { field, message: t('adminConfig.statuses.defaultCannotGo') }
  if (field === 'is_active' && error.code === 'conflict') return { field, message: t('adminConfig.statuses.defaultStaysActive') }
  if ((field === 'is_default' || field === 'category') && error.code === 'validation_error' && /default/.test(detail.message)) {
    return { field, message: t('adminConfig.statuses.defaultNeedsOpen') }
  }
  if (field === 'name' && error.code === 'validation_error') return { field, message: t('validation.required') }
  if (field === 'color') return { field, message: t('adminConfig.statuses.colorInvalid') }
  return { field, message: detail.message ? error.message : errorMessage(error, t) }
}
