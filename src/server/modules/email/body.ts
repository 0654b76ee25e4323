import type { Attachment } from 'mailparser'
import type { FileStore } from '../../platform/files.js'
import { htmlToText, sanitizeRichText, textToHtml } from '../../platform/html.js'
import { uuidv7 } from '../../platform/ids.js'
import type { InboundMail } from './parse.js'
import { trimHtmlReply, trimTextReply } from './trim.js'

/** A file of an inbound message, already in the file store, with the attachment id it will get. */
export interface SavedPart {
  id: string
  key: string
  filename: string
  contentType: string
  size: number
  inline: boolean
  contentId: string | null
}

/** Parts that describe the message rather than accompany it (DSN reports, signatures). */
const SKIPPED_TYPES = new Set(['message/delivery-status', 'message/disposition-notification', 'application/pgp-signature', 'application/pkcs7-signature', 'application/x-pkcs7-signature'])

/** mailparser gives what the message says, and broken messages say odd things: strings only from here on. */
function contentTypeOf(a: Attachment): string {
  const value: unknown = a.contentType
  const text = typeof value === 'string' ? value : (value as { value?: unknown } | null)?.value
  return typeof text === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(text.trim()) ? text.trim().toLowerCase() : 'application/octet-stream'
}

function safeFilename(a: Attachment, index: number): string {
  const given = [...(typeof a.filename === 'string' ? a.filename : '')].map((c) => (c < ' ' || c === '/' || c === '\\' ? '_' : c)).join('').trim()
  if (given) return given.slice(-200)
  const ext = contentTypeOf(a).split('/')[1]?.replace(/[^a-z0-9]/gi, '').slice(0, 10) || 'bin'
  return `attachment-${index + 1}.${ext}`
}

/**
 * Stores a message's attachments and inline images (content-addressed, outside any
 * transaction: an unreferenced file costs space, never correctness). Files over `maxBytes` are
 * left out and named in `skipped`; the raw message still holds them.
 */
export async function saveParts(files: FileStore, mail: InboundMail, maxBytes: number): Promise<{ parts: SavedPart[]; skipped: string[] }> {
  const parts: SavedPart[] = []
  const skipped: string[] = []
  for (const [index, a] of mail.parsed.attachments.entries()) {
    const contentType = contentTypeOf(a)
    if (SKIPPED_TYPES.has(contentType)) continue
    const filename = safeFilename(a, index)
    if (a.size > maxBytes || a.content.length > maxBytes) {
      skipped.push(filename)
      continue
    }
    const key = await files.put(a.content)
    const contentId = typeof a.contentId === 'string' ? a.contentId.replace(/^<|>$/g, '').trim().slice(0, 500) || null : null
    parts.push({
      id: uuidv7(), key, filename, contentType: contentType.slice(0, 200), size: a.content.length,
      inline: a.contentDisposition === 'inline' && contentId !== null, contentId,
    })
  }
  return { parts, skipped }
}

/** `cid:` image sources pointed at the stored attachment; unknown ones are left (the sanitizer keeps only https and cid). */
function rewriteCids(html: string, parts: SavedPart[]): string {
  if (!parts.some((p) => p.contentId)) return html
  return html.replace(/(src=["'])cid:([^"']+)(["'])/gi, (whole, open: string, cid: string, close: string) => {
    const part = parts.find((p) => p.contentId && p.contentId.toLowerCase() === cid.trim().toLowerCase())
    return part ? `${open}/api/v1/attachments/${part.id}${close}` : whole
  })
}

/**
 * What a message's conversation entry shows: its HTML (sanitized) or text, with quoted history
 * and signature trimmed (the full original stays in the raw message), inline images pointed at
 * their attachments, and a note naming files left out for size.
 */
export function visibleBody(mail: InboundMail, parts: SavedPart[], skipped: string[]): { html: string; text: string; trimmed: boolean } {
  let html: string
  let trimmed: boolean
  if (typeof mail.parsed.html === 'string' && mail.parsed.html.trim()) {
    const result = trimHtmlReply(sanitizeRichText(mail.parsed.html))
    html = result.html
    trimmed = result.trimmed
  } else {
    const result = trimTextReply(mail.parsed.text ?? '')
    html = textToHtml(result.text.trim())
    trimmed = result.trimmed
  }
  html = rewriteCids(html, parts)
  if (skipped.length) html += textToHtml(`[Attachments too large to keep here: ${skipped.join(', ')} — they are in the original message.]`)
  let text = htmlToText(html)
  if (!text && !parts.length && !html.includes('<img')) {
    html = textToHtml('(This message has no text.)')
    text = '(This message has no text.)'
  }
  return { html: html || '<p></p>', text, trimmed }
}
