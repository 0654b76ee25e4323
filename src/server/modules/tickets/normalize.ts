import type { StatusCategory } from '../../platform/db/schema.js'
import { invalid } from '../../platform/errors.js'
import { htmlToText, sanitizeRichText, textToHtml } from '../../platform/html.js'

export const MAX_TAGS = 30
export const MAX_TAG_LENGTH = 50

/** Tags as stored: trimmed, lowercased, without repeats, in the order first given. */
export function normalizeTags(tags: readonly string[]): string[] {
  const out: string[] = []
  for (const raw of tags) {
    const tag = raw.trim().toLowerCase()
    if (!tag) throw invalid('tags', 'a tag must not be blank')
    if (tag.length > MAX_TAG_LENGTH) throw invalid('tags', `a tag has at most ${MAX_TAG_LENGTH} characters`)
    if (!out.includes(tag)) out.push(tag)
  }
  if (out.length > MAX_TAGS) throw invalid('tags', `a ticket has at most ${MAX_TAGS} tags`)
  return out
}

/** A subject as stored: trimmed, and not blank. */
export function normalizeSubject(subject: string): string {
  const s = subject.trim()
  if (!s) throw invalid('subject', 'must not be blank')
  return s
}

/**
 * The description from either rich text (`description`, sanitized) or plain text
 * (`description_text`, turned into paragraphs); undefined when neither is given.
 */
export function normalizeDescription(input: { description?: string | undefined; description_text?: string | undefined }): { html: string; text: string } | undefined {
  if (input.description !== undefined && input.description_text !== undefined) {
    throw invalid('description_text', 'send either description (HTML) or description_text, not both')
  }
  if (input.description !== undefined) {
    const html = sanitizeRichText(input.description)
    return { html, text: htmlToText(html) }
  }
  if (input.description_text !== undefined) {
    const text = input.description_text.trim()
    return { html: text ? textToHtml(text) : '', text }
  }
  return undefined
}

/** What entering a status category does to one of the resolved/closed timestamps. */
export type StampRule = 'keep' | 'now_if_null' | 'clear'

/**
 * The resolved/closed timestamps follow the status category moved into: entering `resolved` sets
 * resolved_at (kept if already set) and clears closed_at; entering `closed` sets closed_at, and
 * resolved_at when missing; `cancelled` sets closed_at only (nothing was resolved); reopening
 * (new, open, pending, on hold) clears both.
 */
export function timestampRules(to: StatusCategory): { resolved_at: StampRule; closed_at: StampRule } {
  switch (to) {
    case 'resolved':
      return { resolved_at: 'now_if_null', closed_at: 'clear' }
    case 'closed':
      return { resolved_at: 'now_if_null', closed_at: 'now_if_null' }
    case 'cancelled':
      return { resolved_at: 'keep', closed_at: 'now_if_null' }
    default:
      return { resolved_at: 'clear', closed_at: 'clear' }
  }
}
