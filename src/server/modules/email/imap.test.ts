import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { withSystem } from '../../platform/db/tenant.js'
import { addMember, call, createTestApp, registerOrg, uniqueEmail, type Session } from '../../../../test/helpers.js'
import { dovecotAvailable, startDovecot, type DovecotServer } from '../../../../test/support/dovecot.js'
import { startSmtpSink, type SmtpSink } from '../../../../test/support/smtp-sink.js'
import { MailboxWatcher } from './imap.js'
import { parseMail } from './parse.js'
import { rawMail, rid } from './test-support.js'
import { drainEmail } from './worker.js'

/**
 * The email channel against real servers on 127.0.0.1: Dovecot for IMAP (a throwaway instance,
 * test/support/dovecot.ts) and an SMTP receiver. Dovecot is installed by .ci/run; outside CI a
 * machine without it skips these tests, under CI=true its absence fails them.
 */
const available = dovecotAvailable()
if (!available && process.env.CI === 'true') throw new Error('Dovecot (dovecot-imapd) is required under CI=true')

let app: App
let imap: DovecotServer
let sink: SmtpSink

beforeAll(async () => {
  if (!available) return
  imap = await startDovecot()
  sink = await startSmtpSink()
  app = await createTestApp({ authRateLimitPerMinute: 1000, imapPollSeconds: 1 })
}, 60_000)
afterAll(async () => {
  await app?.close()
  await sink?.stop()
  await imap?.stop()
})

async function mailbox(admin: Session, address: string) {
  const res = await call(app, 'POST', '/api/v1/email/accounts', { token: admin.token, body: {
    name: 'Support', address,
    imap: { host: imap.host, port: imap.port, tls: false, username: imap.user, password: imap.password },
    smtp: { host: sink.host, port: sink.port, security: 'none' },
  } })
  expect(res.statusCode, res.body).toBe(201)
  return res.json.data as { id: string; address: string }
}

async function sync(admin: Session, id: string) {
  const res = await call(app, 'POST', `/api/v1/email/accounts/${id}/sync`, { token: admin.token })
  expect(res.statusCode, res.body).toBe(200)
  return res.json.data as { fetched: number; results: Array<{ id: string; outcome: string; ticket_id: string | null }> }
}

async function until<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const start = Date.now()
  for (;;) {
    const value = await fn()
    if (value) return value
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe.skipIf(!available)('IMAP and SMTP end to end', () => {
  it('a mail in the IMAP mailbox becomes a ticket, the agent\'s reply reaches the customer threaded, and the customer\'s reply lands on the same ticket', async () => {
    const admin = await registerOrg(app)
    const agent = await addMember(app, admin, 'agent')
    const box = await mailbox(admin, `imap-${rid()}@help.example.test`)
    const test = await call(app, 'POST', `/api/v1/email/accounts/${box.id}/test`, { token: admin.token })
    expect(test.json.data).toEqual({ imap: { ok: true, error: null }, smtp: { ok: true, error: null } })

    const customer = uniqueEmail('imapcust')
    const firstId = `${rid()}@customer.example.test`
    await imap.deliver(rawMail({ from: `"Iris" <${customer}>`, to: box.address, subject: 'VPN drops every hour', messageId: firstId }))
    const fetched = await sync(admin, box.id)
    expect(fetched.fetched).toBe(1)
    expect(fetched.results[0]).toMatchObject({ outcome: 'ticket_created' })
    const ticketId = fetched.results[0]!.ticket_id!
    const account = (await call(app, 'GET', `/api/v1/email/accounts/${box.id}`, { token: admin.token })).json.data as any
    expect(account).toMatchObject({ status: 'ok', last_error: null, backlog: 0, last_sync_at: expect.any(String) })

    // Fetching again finds nothing new: UIDs are tracked.
    expect((await sync(admin, box.id)).fetched).toBe(0)

    await call(app, 'POST', `/api/v1/tickets/${ticketId}/assign`, { token: admin.token, body: { assignee_id: agent.userId } })
    const reply = await call(app, 'POST', `/api/v1/tickets/${ticketId}/comments`, { token: agent.token, body: { body: 'Please update the client to 5.2.' } })
    expect(reply.statusCode).toBe(201)
    await app.ctx.outbox.drain({ tenantId: admin.tenantId })
    await drainEmail(app.ctx, { tenantId: admin.tenantId })
    const sent = await sink.waitFor((m) => m.to.includes(customer) && m.raw.toString().includes('update the client'))
    const out = await parseMail(sent.raw)
    expect(out.from?.address).toBe(box.address)
    expect(out.references).toContain(firstId)
    expect(out.subject).toMatch(/TKT-\d{6}/)

    // The customer answers from a client that keeps only In-Reply-To.
    await imap.deliver(rawMail({ from: customer, to: box.address, subject: `Re: ${out.subject}`, inReplyTo: out.messageId, body: 'Updated, all good now.\n\n> Please update the client to 5.2.' }))
    const second = await sync(admin, box.id)
    expect(second.results).toEqual([expect.objectContaining({ outcome: 'comment_added', ticket_id: ticketId })])
    const comments = (await call(app, 'GET', `/api/v1/tickets/${ticketId}/comments`, { token: admin.token })).json.data as any[]
    expect(comments.at(-1).body).toContain('Updated, all good now.')
    expect(comments.at(-1).body).not.toContain('Please update the client')
  })

  it('starts over when UIDVALIDITY changes, without duplicating what it already has', async () => {
    const admin = await registerOrg(app)
    const box = await mailbox(admin, `uidv-${rid()}@help.example.test`)
    const folder = `Folder${rid()}`
    await call(app, 'PATCH', `/api/v1/email/accounts/${box.id}`, { token: admin.token, body: { imap: { host: imap.host, port: imap.port, tls: false, username: imap.user, mailbox: folder } } })
    await imap.deliver(rawMail({ from: uniqueEmail('u'), to: box.address, subject: 'one', messageId: `${rid()}@one.test` }), folder)
    expect((await sync(admin, box.id)).fetched).toBe(1)
    // The server forgot our place (as after the folder was recreated): everything is fetched again.
    await withSystem(app.ctx.db, (tx) => tx.updateTable('email_accounts').set({ imap_uidvalidity: '1' }).where('id', '=', box.id).execute())
    await imap.deliver(rawMail({ from: uniqueEmail('u'), to: box.address, subject: 'two' }), folder)
    const again = await sync(admin, box.id)
    expect(again.fetched).toBe(2)
    expect(again.results.map((r) => r.outcome).sort()).toEqual(['duplicate', 'ticket_created'])
  })

  it('the mailbox watcher fetches new mail as IDLE announces it, and processing follows at once', async () => {
    const admin = await registerOrg(app)
    const box = await mailbox(admin, `idle-${rid()}@help.example.test`)
    const folder = `Idle${rid()}`
    await call(app, 'PATCH', `/api/v1/email/accounts/${box.id}`, { token: admin.token, body: { imap: { host: imap.host, port: imap.port, tls: false, username: imap.user, mailbox: folder } } })
    await imap.deliver(rawMail({ from: uniqueEmail('w'), to: box.address, subject: 'before' }), folder)
    let stored = 0
    const watcher = new MailboxWatcher(app.ctx, () => { stored++ })
    watcher.start()
    try {
      await until(async () => stored >= 1)
      await imap.deliver(rawMail({ from: uniqueEmail('w'), to: box.address, subject: 'while watching' }), folder)
      await until(async () => stored >= 2)
      await drainEmail(app.ctx, { tenantId: admin.tenantId })
      const inbound = (await call(app, 'GET', `/api/v1/email/messages?direction=inbound&account_id=${box.id}`, { token: admin.token })).json.data as any[]
      expect(inbound.map((m) => [m.subject, m.outcome]).sort()).toEqual([['before', 'ticket_created'], ['while watching', 'ticket_created']])
      const uids = await withSystem(app.ctx.db, (tx) => tx.selectFrom('email_messages').select(sql<string>`imap_uid::text`.as('uid')).where('account_id', '=', box.id).where('direction', '=', 'inbound').orderBy('imap_uid').execute())
      expect(uids.map((u) => u.uid)).toEqual(['1', '2'])
    } finally {
      await watcher.stop()
    }
  }, 30_000)

  it('shows a wrong password as a failed test and an account in error after a sync', async () => {
    const admin = await registerOrg(app)
    const res = await call(app, 'POST', '/api/v1/email/accounts', { token: admin.token, body: {
      name: 'Wrong', address: `wrong-${rid()}@help.example.test`, imap: { host: imap.host, port: imap.port, tls: false, username: imap.user, password: 'not-the-password' },
    } })
    const id = (res.json.data as any).id
    const test = await call(app, 'POST', `/api/v1/email/accounts/${id}/test`, { token: admin.token })
    expect(test.json.data).toMatchObject({ imap: { ok: false, error: expect.any(String) }, smtp: null })
    expect((await call(app, 'POST', `/api/v1/email/accounts/${id}/sync`, { token: admin.token })).statusCode).toBe(502)
    expect((await call(app, 'GET', `/api/v1/email/accounts/${id}`, { token: admin.token })).json.data).toMatchObject({ status: 'error' })
  })
})
