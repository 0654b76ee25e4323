/**
 * Helpers for the email tests (not used by the app): a mailbox, raw messages written the way
 * mail clients write them, and the inbound endpoint.
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import type { App } from '../../app.js'
import { call, type Session } from '../../../../test/helpers.js'

export const rid = () => randomBytes(5).toString('hex')

export async function addMailbox(app: App, admin: Session, body: Record<string, unknown> = {}): Promise<{ id: string; address: string }> {
  const address = `support-${rid()}@help.example.test`
  const res = await call(app, 'POST', '/api/v1/email/accounts', { token: admin.token, body: { name: 'Support', address, ...body } })
  expect(res.statusCode, res.body).toBe(201)
  return res.json.data as { id: string; address: string }
}

export interface RawOptions {
  from: string
  to: string
  subject?: string
  body?: string
  html?: string
  messageId?: string
  inReplyTo?: string
  references?: string[]
  cc?: string
  headers?: Record<string, string>
  /** A PNG attached (and referenced inline from the HTML when `inlineCid` is set). */
  attachPng?: boolean
  inlineCid?: string
}

/** A tiny valid PNG (1×1). */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64')

/** A raw RFC 822 message, CRLF line endings, multipart when it has HTML or an attachment. */
export function rawMail(o: RawOptions): Buffer {
  const id = o.messageId ?? `${rid()}@client.example.test`
  const head = [
    `From: ${o.from}`, `To: ${o.to}`, ...(o.cc ? [`Cc: ${o.cc}`] : []), `Subject: ${o.subject ?? 'Hello'}`,
    `Date: ${new Date().toUTCString()}`, `Message-ID: <${id}>`, 'MIME-Version: 1.0',
    ...(o.inReplyTo ? [`In-Reply-To: <${o.inReplyTo}>`] : []),
    ...(o.references?.length ? [`References: ${o.references.map((r) => `<${r}>`).join(' ')}`] : []),
    ...Object.entries(o.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ]
  const text = o.body ?? 'Hello, I need help.'
  if (!o.html && !o.attachPng) return Buffer.from([...head, 'Content-Type: text/plain; charset=utf-8', '', text, ''].join('\r\n'))
  const b = `b-${rid()}`
  const parts = [
    `--${b}`, 'Content-Type: text/plain; charset=utf-8', '', text,
    ...(o.html ? [`--${b}`, 'Content-Type: text/html; charset=utf-8', '', o.html] : []),
    ...(o.attachPng ? [
      `--${b}`, 'Content-Type: image/png; name="pixel.png"', 'Content-Transfer-Encoding: base64',
      o.inlineCid ? `Content-Disposition: inline; filename="pixel.png"` : 'Content-Disposition: attachment; filename="pixel.png"',
      ...(o.inlineCid ? [`Content-ID: <${o.inlineCid}>`] : []), '', PNG.toString('base64'),
    ] : []),
    `--${b}--`, '',
  ]
  return Buffer.from([...head, `Content-Type: multipart/${o.inlineCid ? 'related' : 'mixed'}; boundary="${b}"`, '', ...parts].join('\r\n'))
}

export interface InboundData {
  id: string
  status: string
  outcome: string
  reason: string | null
  ticket_id: string | null
  comment_id: string | null
}

export async function postInbound(app: App, token: string, raw: Buffer | string, query = '') {
  const res = await app.inject({
    method: 'POST', url: `/api/v1/email/inbound${query}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'message/rfc822' }, payload: raw,
  })
  return Object.assign(res, { data: (res.json() as { data: InboundData }).data })
}
