import type { ContactPhone } from '../../platform/db/schema.js'
import { invalid } from '../../platform/errors.js'
import { isValidTimeZone } from '../organizations/create-organization.js'
import { ADDRESS_KEYS } from './schemas.js'

/** An IANA time zone (`Europe/Berlin`), or 400 naming `field`. */
export function checkTimeZone(zone: string | null | undefined, field = 'time_zone'): string | null {
  if (zone === null || zone === undefined) return null
  const z = zone.trim()
  if (!z) return null
  // Intl also takes offsets like "+01:00"; a contact's zone is a named one, which follows DST.
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(z) || !isValidTimeZone(z)) throw invalid(field, 'must be an IANA time zone such as Europe/Berlin')
  return z
}

/**
 * A language tag (`en`, `es`, `pt-BR`, `zh-Hant`) in its canonical spelling, or 400 naming
 * `field`. BCP 47 in the shape people use: a 2–3 letter language and optional subtags.
 */
export function checkLanguage(tag: string | null | undefined, field = 'language'): string | null {
  if (tag === null || tag === undefined) return null
  const t = tag.trim().replace(/_/g, '-')
  if (!t) return null
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(t)) throw invalid(field, 'must be a language tag such as en, es, fr or pt-BR')
  try {
    return Intl.getCanonicalLocales(t)[0] ?? t
  } catch {
    throw invalid(field, 'must be a language tag such as en, es, fr or pt-BR')
  }
}

/** Tags trimmed, lowercased and without repeats, in the order given. */
export function normalizeTags(tags: readonly string[] | undefined, field = 'tags'): string[] {
  const out: string[] = []
  for (const raw of tags ?? []) {
    const tag = raw.trim().toLowerCase()
    if (!tag) continue
    if (tag.length > 50) throw invalid(field, 'each tag must be at most 50 characters')
    if (!out.includes(tag)) out.push(tag)
  }
  if (out.length > 50) throw invalid(field, 'at most 50 tags')
  return out
}

/** The digits that identify a phone number for duplicate checks: the last ten. */
export function phoneKey(number: string): string {
  return number.replace(/\D/g, '').slice(-10)
}

const PHONE = /^\+?[0-9][0-9 ()./#*x-]*$/

/** Phones with trimmed numbers, without repeats of the same digits. */
export function normalizePhones(phones: readonly ContactPhone[] | undefined, field = 'phones'): ContactPhone[] {
  const out: ContactPhone[] = []
  const seen = new Set<string>()
  for (const p of phones ?? []) {
    const number = p.number.trim().replace(/\s+/g, ' ')
    if (!number) continue
    if (number.length < 3 || number.length > 40 || !PHONE.test(number)) throw invalid(field, `"${p.number}" is not a phone number`)
    const key = phoneKey(number)
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ type: p.type, number })
  }
  if (out.length > 20) throw invalid(field, 'at most 20 phone numbers')
  return out
}

/** The address parts that have a value, trimmed. */
export function normalizeAddress(address: Partial<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of ADDRESS_KEYS) {
    const value = address?.[key]?.trim()
    if (value) out[key] = value
  }
  return out
}

const EMAIL = /^[^\s@"<>,;]+@[^\s@"<>,;]+\.[^\s@"<>,;]+$/

/** An email address trimmed (letter case kept; uniqueness ignores it), or 400 naming `field`. */
export function checkEmail(email: string | null | undefined, field = 'email'): string | null {
  if (email === null || email === undefined) return null
  const e = email.trim()
  if (!e) return null
  if (e.length > 320 || !EMAIL.test(e)) throw invalid(field, 'must be an email address')
  return e
}

/** `%`, `_` and `\` match themselves in a LIKE pattern. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}
