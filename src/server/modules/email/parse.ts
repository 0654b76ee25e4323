import { createHash } from 'node:crypto'
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser'

/** One address of a message header, lower-cased. */
export interface MailAddress {
  address: string
  name: string
}

/** What the email pipeline reads from a raw message. */
export interface InboundMail {
  parsed: ParsedMail
  /** Without angle brackets; synthesized from the bytes when the message has none. */
  messageId: string
  inReplyTo: string | null
  references: string[]
  from: MailAddress | null
  /** Return-Path as given: '' for the null sender `<>`, null when absent. */
  returnPath: string | null
  to: MailAddress[]
  cc: MailAddress[]
  /** Delivered-To, X-Original-To and Envelope-To: where an MTA says it delivered the message. */
  deliveredTo: string[]
  replyTo: MailAddress[]
  subject: string
  date: Date | null
}

const ID = /<([^<>\s]+)>/g

/** Message ids in a header value (`<a@b> <c@d>`), without brackets; a bare id without brackets too. */
export function messageIds(value: string | string[] | undefined | null): string[] {
  if (!value) return []
  const text = Array.isArray(value) ? value.join(' ') : value
  const found = [...text.matchAll(ID)].map((m) => m[1]!.trim()).filter(Boolean)
  if (found.length) return found
  const bare = text.trim()
  return bare && !/\s/.test(bare) && bare.includes('@') ? [bare] : []
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const out: MailAddress[] = []
  const visit = (entries: AddressObject['value']) => {
    for (const e of entries) {
      if (e.group) visit(e.group)
      else if (e.address && e.address.includes('@')) out.push({ address: e.address.trim().toLowerCase(), name: (e.name ?? '').trim() })
    }
  }
  for (const obj of [value ?? []].flat()) visit(obj.value)
  return out
}

function headerText(parsed: ParsedMail, name: string): string[] {
  const values: string[] = []
  for (const line of parsed.headerLines) {
    if (line.key !== name) continue
    const colon = line.line.indexOf(':')
    values.push(line.line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim())
  }
  return values
}

function bareAddress(value: string): string | null {
  const inBrackets = /<([^<>]*)>/.exec(value)
  const candidate = (inBrackets ? inBrackets[1]! : value).trim().toLowerCase()
  return candidate.includes('@') ? candidate : null
}

/**
 * Parses a raw RFC 822 message leniently (mailparser decodes charsets, encoded words and
 * transfer encodings; broken headers are read as far as they go). A message with no Message-ID
 * gets one derived from its bytes, so the same message fetched twice is still recognised.
 */
export async function parseMail(raw: Buffer): Promise<InboundMail> {
  const parsed = await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true, maxHtmlLengthToParse: 5 * 1024 * 1024 })
  const given = messageIds(parsed.messageId)[0]
  const messageId = (given ?? `sha256.${createHash('sha256').update(raw).digest('hex').slice(0, 40)}@aidly.invalid`).slice(0, 500)
  const returnPaths = headerText(parsed, 'return-path')
  const returnPath = returnPaths.length ? (bareAddress(returnPaths[0]!) ?? '') : null
  const delivered = ['delivered-to', 'x-original-to', 'envelope-to']
    .flatMap((h) => headerText(parsed, h))
    .map(bareAddress)
    .filter((a): a is string => a !== null)
  return {
    parsed,
    messageId,
    inReplyTo: messageIds(parsed.inReplyTo)[0] ?? null,
    references: messageIds(parsed.references).slice(-50),
    from: addresses(parsed.from)[0] ?? null,
    returnPath,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    deliveredTo: [...new Set(delivered)],
    replyTo: addresses(parsed.replyTo),
    subject: (parsed.subject ?? '').replace(/\s+/g, ' ').trim().slice(0, 500),
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null,
  }
}

/** Every address a message was sent to: To, Cc and the MTA's delivery headers. */
export function recipientsOf(mail: InboundMail): string[] {
  return [...new Set([...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address), ...mail.deliveredTo])]
}
