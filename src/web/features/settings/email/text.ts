import type { TFunction } from 'i18next'
import { isApiError } from '../../../api/client'

/** Human wording for the codes the email API answers with. */

const REASON_CODES = [
  'no_matching_mailbox',
  'no_sender',
  'auto_create_off',
  'parse_failed',
  'too_large',
  'processing_failed',
  'auto_reply',
  'bounce',
  'loop',
  'blocked_sender',
  'rate_limited',
] as const
type ReasonCode = (typeof REASON_CODES)[number]

const OUTCOMES = ['ticket_created', 'comment_added', 'duplicate', 'dropped', 'unrouted', 'queued'] as const
type Outcome = (typeof OUTCOMES)[number]

/**
 * A stored reason is a code, optionally followed by the server's detail: `no_matching_mailbox`,
 * `auto_reply: auto-submitted: auto-replied`, `too_large: 31457280 bytes (limit …)`.
 */
export function describeReason(reason: string | null | undefined, t: TFunction): { label: string; detail: string | null } {
  if (!reason) return { label: t('email.reasons.other'), detail: null }
  if (reason === 'assigned by hand') return { label: t('email.reasons.assigned'), detail: null }
  const match = /^([a-z_]+)(?::\s*([\s\S]*))?$/.exec(reason.trim())
  const code = match?.[1]
  if (code && (REASON_CODES as readonly string[]).includes(code)) {
    return { label: t(`email.reasons.${code as ReasonCode}`), detail: match?.[2]?.trim() || null }
  }
  return { label: t('email.reasons.other'), detail: reason }
}

export function describeOutcome(outcome: string | null | undefined, t: TFunction): string {
  return outcome && (OUTCOMES as readonly string[]).includes(outcome)
    ? t(`email.outcomes.${outcome as Outcome}`)
    : t('email.outcomes.other')
}

/**
 * Field errors from a 400/409, translated where the server says which rule failed (details[].code);
 * otherwise the server's own words. Keys are the server's dotted paths (`imap.password`).
 */
export function serverFieldErrors(error: unknown, t: TFunction): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isApiError(error)) return out
  for (const detail of error.details) {
    const field = detail.field?.replace(/^\/?(body[./])?/, '')
    if (!field || out[field]) continue
    const leaf = field.split('.').pop() ?? field
    let message: string
    if (error.code === 'conflict' && field === 'address') message = t('email.form.addressTaken')
    else if (detail.code === 'required' || (detail.code === 'minLength' && leaf !== 'port')) message = t('validation.required')
    else if (leaf === 'port') message = t('email.form.portRange')
    else if (leaf === 'host' && detail.code === 'pattern') message = t('email.form.invalidHost')
    else if (leaf === 'address' && detail.code === 'format') message = t('validation.email')
    else if (detail.code) message = t('email.form.invalid')
    else message = detail.message
    out[field] = message
  }
  return out
}
