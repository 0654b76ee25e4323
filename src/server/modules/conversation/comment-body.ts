import { AppError, invalid } from '../../platform/errors.js'
import { htmlToText, sanitizeRichText, textToHtml } from '../../platform/html.js'
import type { CommentBodyInput } from './schemas.js'

/**
 * The body of a comment from exactly one of `body` (HTML, sanitized), `content` (the same, under
 * the name docs/API.md uses) or `body_text` (plain text, turned into paragraphs). A body that is
 * empty once sanitized — only a script, only whitespace — is a 400 naming the field sent.
 */
export function normalizeCommentBody(input: CommentBodyInput): { html: string; text: string } {
  const given = (['body', 'content', 'body_text'] as const).filter((k) => input[k] !== undefined)
  if (given.length === 0) throw new AppError('validation_error', 'body: is required', [{ field: 'body', message: 'is required (or body_text)' }])
  if (given.length > 1) throw invalid(given[1]!, `send only one of ${given.join(', ')}`)
  const field = given[0]!
  if (field === 'body_text') {
    const text = input.body_text!.trim()
    if (!text) throw invalid(field, 'is empty')
    return { html: textToHtml(text), text }
  }
  const html = sanitizeRichText(input[field]!).trim()
  const text = htmlToText(html)
  if (!text && !/<img\s/i.test(html)) throw invalid(field, 'is empty')
  return { html, text }
}
