import type { TFunction } from 'i18next'
import { isApiError } from '../api/client'
import en from '../i18n/locales/en'

type KnownCode = keyof typeof en.errors

const isKnown = (code: string): code is KnownCode => Object.hasOwn(en.errors, code)

/** A translated, human message for any error thrown by the API client (or anything else). */
export function errorMessage(error: unknown, t: TFunction): string {
  if (isApiError(error)) {
    if (error.code === 'rate_limited' && error.retryAfter) {
      return t('common.rateLimitedRetry', { seconds: error.retryAfter })
    }
    if (error.code === 'account_locked' && error.retryAfter) {
      return t('common.lockedRetry', { minutes: Math.max(1, Math.ceil(error.retryAfter / 60)) })
    }
    if (isKnown(error.code)) return t(`errors.${error.code}`)
    if (error.message) return error.message
  }
  return t('common.genericError')
}

/** Server-side field errors (`details[].field`) keyed by field name. */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isApiError(error)) return out
  for (const detail of error.details) {
    const field = detail.field?.replace(/^\/?(body[./])?/, '')
    if (field && !out[field]) out[field] = detail.message
  }
  return out
}
