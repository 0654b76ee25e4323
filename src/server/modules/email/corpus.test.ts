import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { parseMail } from './parse.js'
import { addMailbox, postInbound, type InboundData } from './test-support.js'

/**
 * Every real-world message of the shared corpus (../shared/testdata/mail: encodings, malformed
 * headers, bounces, auto-replies, list threads, ~1 MB messages) goes through the inbound
 * endpoint: none may crash it, each ends as a ticket, a comment, a duplicate or a classified
 * drop, its raw bytes are kept exactly, and replies land on their parent's ticket.
 */
const CORPUS = path.resolve(process.cwd(), '../shared/testdata/mail')
const present = existsSync(path.join(CORPUS, 'MANIFEST.tsv'))
if (!present && process.env.CI === 'true') throw new Error(`The mail corpus is missing at ${CORPUS}; CI needs it`)

interface Entry { file: string; raw: Buffer; messageId: string; inReplyTo: string | null; references: string[]; date: number }

let app: App
let admin: Session
const results = new Map<string, InboundData>()
const entries: Entry[] = []

beforeAll(async () => {
  if (!present) return
  app = await createTestApp({ authRateLimitPerMinute: 100_000, mailSenderLimit: 100_000 })
  admin = await registerOrg(app)
  const box = await addMailbox(app, admin)
  const files = readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t')[0]!)
  for (const file of files) {
    const raw = readFileSync(path.join(CORPUS, file))
    const mail = await parseMail(raw)
    entries.push({ file, raw, messageId: mail.messageId, inReplyTo: mail.inReplyTo, references: mail.references, date: mail.date?.getTime() ?? 0 })
  }
  // In the order they were written, as a mailbox would receive them.
  entries.sort((a, b) => a.date - b.date)
  for (const e of entries) {
    const res = await postInbound(app, admin.token, e.raw, `?account_id=${box.id}`)
    if (res.statusCode !== 200) throw new Error(`${e.file}: ${res.statusCode} ${res.body}`)
    results.set(e.file, res.data)
  }
}, 600_000)
afterAll(async () => { await app?.close() })

describe.skipIf(!present)('the real-world mail corpus', () => {
  it('ingests every message into a ticket, a comment, a duplicate or a classified drop', () => {
    expect(results.size).toBe(entries.length)
    expect(entries.length).toBeGreaterThan(100)
    const counts: Record<string, number> = {}
    for (const [file, r] of results) {
      const key = r.outcome === 'dropped' ? `dropped:${r.reason!.split(':')[0]}` : r.outcome
      counts[key] = (counts[key] ?? 0) + 1
      // A message without any sender (no From at all) cannot have a requester: it waits for an admin.
      if (r.outcome === 'unrouted' && r.reason === 'no_sender') continue
      expect(['ticket_created', 'comment_added', 'duplicate', 'dropped'], `${file}: ${r.outcome} ${r.reason}`).toContain(r.outcome)
      if (r.outcome === 'dropped') expect(r.reason, file).toMatch(/^(bounce|auto_reply|loop|blocked_sender)/)
      if (r.outcome === 'ticket_created' || r.outcome === 'comment_added') expect(r.ticket_id, file).toBeTruthy()
    }
    expect(counts.ticket_created).toBeGreaterThan(40)
    expect(counts['dropped:bounce']).toBeGreaterThan(20)
    expect(counts['dropped:auto_reply']).toBeGreaterThan(10)
    expect(counts.comment_added).toBeGreaterThan(5)
  })

  it('keeps every raw message byte for byte', async () => {
    for (const e of entries) {
      const id = results.get(e.file)!.id
      const res = await app.inject({ method: 'GET', url: `/api/v1/email/messages/${id}/raw`, headers: { authorization: `Bearer ${admin.token}` } })
      expect(res.statusCode, e.file).toBe(200)
      expect(res.rawPayload.equals(e.raw), e.file).toBe(true)
    }
  })

  it('threads replies onto their parent\'s ticket', () => {
    const byMessageId = new Map(entries.map((e) => [e.messageId, e]))
    const order = new Map(entries.map((e, i) => [e.file, i]))
    let checked = 0
    for (const e of entries) {
      const child = results.get(e.file)!
      if (child.outcome !== 'comment_added' && child.outcome !== 'ticket_created') continue
      const parent = [e.inReplyTo, ...[...e.references].reverse()].map((id) => (id ? byMessageId.get(id) : undefined)).find(Boolean)
      if (!parent || parent.file === e.file) continue
      const p = results.get(parent.file)!
      if (!p.ticket_id || p.outcome === 'dropped') continue
      expect(child.ticket_id, `${e.file} replies to ${parent.file}`).toBe(p.ticket_id)
      // A reply that arrived before its parent (a reference loop) opened the ticket the parent then joined.
      if (order.get(parent.file)! < order.get(e.file)!) expect(child.outcome, e.file).toBe('comment_added')
      checked++
    }
    expect(checked).toBeGreaterThan(5)
  })

  it('shows every ticket it opened with a readable subject and body', async () => {
    const ticketIds = [...new Set([...results.values()].filter((r) => r.outcome === 'ticket_created').map((r) => r.ticket_id!))]
    for (const id of ticketIds.slice(0, 30)) {
      const t = await call(app, 'GET', `/api/v1/tickets/${id}`, { token: admin.token })
      expect(t.statusCode).toBe(200)
      expect((t.json.data as { subject: string }).subject.length).toBeGreaterThan(0)
    }
  })
})
