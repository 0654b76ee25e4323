import type { CustomFieldOption, CustomFieldType } from '../../platform/db/schema.js'

/** What the value checks need to know about a field definition. */
export interface FieldDefinition {
  key: string
  type: CustomFieldType
  options: CustomFieldOption[]
}

export const MAX_TEXT_LENGTH = 10_000
const MAX_EMAIL_LENGTH = 320
const MAX_URL_LENGTH = 2_048

/** The outcome of checking one value: the normalized value to store (null = nothing stored) or why not. */
export type ValueCheck = { ok: true; value: unknown } | { ok: false; message: string; code: string }

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/

const bad = (message: string, code = 'invalid_value'): ValueCheck => ({ ok: false, message, code })
const good = (value: unknown): ValueCheck => ({ ok: true, value })

/** A calendar date `YYYY-MM-DD` that exists (no 2023-02-29). */
export function isRealDate(text: string): boolean {
  const m = DATE_RE.exec(text)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  // Year, month and day set together: Date.UTC maps years 0–99 to 1900–1999, and moving the year
  // afterwards turned 0000-02-29 (a leap day) into 1900-03-01 (1900 is no leap year).
  const date = new Date(0)
  date.setUTCFullYear(y, mo - 1, d)
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0
  } catch {
    return false
  }
}

/**
 * Checks one value against its field's type and returns what to store. Strings are trimmed, and
 * an empty string or empty multiselect means "no value" (null), so a required field cannot be
 * satisfied by whitespace. Pure: no database, so it is property-tested on its own.
 */
export function checkCustomFieldValue(def: FieldDefinition, value: unknown): ValueCheck {
  if (value === null) return good(null)
  switch (def.type) {
    case 'text': {
      if (typeof value !== 'string') return bad('must be a string', 'invalid_type')
      const text = value.trim()
      if (text.length > MAX_TEXT_LENGTH) return bad(`must be at most ${MAX_TEXT_LENGTH} characters`, 'too_long')
      return good(text || null)
    }
    case 'number':
      if (typeof value !== 'number') return bad('must be a number', 'invalid_type')
      if (!Number.isFinite(value)) return bad('must be a finite number')
      return good(value)
    case 'email': {
      if (typeof value !== 'string') return bad('must be an email address as a string', 'invalid_type')
      const text = value.trim()
      if (!text) return good(null)
      if (text.length > MAX_EMAIL_LENGTH || !EMAIL_RE.test(text)) return bad('must be an email address')
      return good(text)
    }
    case 'url': {
      if (typeof value !== 'string') return bad('must be a URL as a string', 'invalid_type')
      const text = value.trim()
      if (!text) return good(null)
      if (text.length > MAX_URL_LENGTH || !isHttpUrl(text)) return bad('must be an http or https URL')
      return good(text)
    }
    case 'date': {
      if (typeof value !== 'string') return bad('must be a date as a string (YYYY-MM-DD)', 'invalid_type')
      const text = value.trim()
      if (!text) return good(null)
      if (!isRealDate(text)) return bad('must be a real date written YYYY-MM-DD')
      return good(text)
    }
    case 'select': {
      if (typeof value !== 'string') return bad('must be one of the options, as a string', 'invalid_type')
      if (value === '') return good(null)
      if (!def.options.some((o) => o.value === value)) return bad(`must be one of: ${optionList(def)}`, 'invalid_option')
      return good(value)
    }
    case 'multiselect': {
      if (!Array.isArray(value)) return bad('must be an array of options', 'invalid_type')
      const seen = new Set<string>()
      for (const item of value) {
        if (typeof item !== 'string' || !def.options.some((o) => o.value === item)) {
          return bad(`every item must be one of: ${optionList(def)}`, 'invalid_option')
        }
        if (seen.has(item)) return bad(`"${item}" is given twice`, 'duplicate_option')
        seen.add(item)
      }
      return good(value.length ? [...value] : null)
    }
    case 'boolean':
      if (typeof value !== 'boolean') return bad('must be true or false', 'invalid_type')
      return good(value)
  }
}

function optionList(def: FieldDefinition): string {
  return def.options.map((o) => JSON.stringify(o.value)).join(', ')
}

/** Structural equality for JSON values (stored custom field values). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]))
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  const ob = b as Record<string, unknown>
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(ob, k) && sameJson((a as Record<string, unknown>)[k], ob[k]))
}
