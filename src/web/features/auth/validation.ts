import type { TFunction } from 'i18next'

export const MIN_PASSWORD_LENGTH = 10

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export type Errors<K extends string> = Partial<Record<K, string>>

export const required = (value: string, t: TFunction): string | undefined =>
  value.trim() ? undefined : t('validation.required')

export const validEmail = (value: string, t: TFunction): string | undefined =>
  required(value, t) ?? (EMAIL.test(value.trim()) ? undefined : t('validation.email'))

export const newPassword = (value: string, t: TFunction): string | undefined =>
  value.length >= MIN_PASSWORD_LENGTH ? undefined : t('validation.passwordTooShort', { min: MIN_PASSWORD_LENGTH })

export const totpCode = (value: string, t: TFunction): string | undefined =>
  /^\d{6}$/.test(value.replace(/\s/g, '')) ? undefined : t('validation.totp')

export const backupCode = (value: string, t: TFunction): string | undefined =>
  /^[0-9a-z]{8,20}$/i.test(value.replace(/[\s-]/g, '')) ? undefined : t('validation.backupCode')

/** A 6-digit authenticator code or a backup code, in one field. */
export const secondFactor = (value: string, t: TFunction): string | undefined =>
  /^(\d{6}|[0-9a-z]{8,20})$/i.test(value.replace(/[\s-]/g, '')) ? undefined : t('validation.secondFactor')

/** Drop undefined entries, so `Object.keys(errors).length` says whether the form is valid. */
export function compact<K extends string>(errors: Record<K, string | undefined>): Errors<K> {
  return Object.fromEntries(Object.entries(errors).filter(([, v]) => v !== undefined)) as Errors<K>
}

/** Move focus to the first field with an error, so keyboard and screen-reader users land on it. */
export function focusFirstInvalid(form: HTMLFormElement | null, errors: Record<string, string | undefined>): void {
  if (!form) return
  for (const element of Array.from(form.elements)) {
    const name = (element as HTMLInputElement).name
    if (name && errors[name]) {
      ;(element as HTMLInputElement).focus()
      return
    }
  }
}
