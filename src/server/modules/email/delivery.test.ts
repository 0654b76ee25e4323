import { sql } from 'kysely'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { withSystem, withTenant } from '../../platform/db/tenant.js'
import { call, createTestApp, registerOrg, uniqueEmail, type Session } from '../../../../test/helpers.js'
import { freePort } from '../../../../test/support/dovecot.js'
import { startSmtpSink, type SmtpSink } from '../../../../test/support/smtp-sink.js'
import { storeInbound } from './intake.js'
import { parseMail } from './parse.js'
import { processInbound } from './process-inbound.js'
import { addMailbox, postInbound, rawMail, rid } from './test-support.js'
import { MAX_SEND_ATTEMPTS, drainEmail, processDueInbound } from './worker.js'

let app: App
let sink: SmtpSink
beforeAll(async () => {
  sink = await startSmtpSink()
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
})
afterAll(async () => {
  await app.close()
  await sink.stop()
})

async function flush(admin: Session) {
  await app.ctx.outbox.drain({ tenantId: admin.tenantId })
  await drainEmail(app.ctx, { tenantId: admin.tenantId })
}

/** Makes every waiting message due now (skips the retry backoff). */
async function makeDue(tenantId: string) {
  await withSystem(app.ctx.db, (tx) => tx.updateTable('email_messages').set({ available_at: sql`now()`, locked_until: null }).where('tenant_id', '=', tenantId).execute())
}

async function mailboxWithSmtp(admin: Session) {
  return addMailbox(app, admin, { smtp: { host: sink.host, port: sink.port, security: 'none' } })
}

describe('sending', () => {
  it('goes out through the mailbox\'s own SMTP server with the ticket\'s threading headers', async () => {
    const admin = await registerOrg(app)
    const box = await mailboxWithSmtp(admin)
    const customer = uniqueEmail('cust')
    const inbound = await postInbound(app, admin.token, rawMail({ from: customer, to: box.address, subject: 'Broken' }))
    await flush(admin)
    const got = await sink.waitFor((m) => m.to.includes(customer))
    expect(got.from).toBe(box.address)
    const parsed = await parseMail(got.raw)
    const original = ((await call(app, 'GET', `/api/v1/email/messages/${inbound.data.id}`, { token: admin.token })).json.data as any).message_id
    expect(parsed.inReplyTo).toBe(original)
    expect(parsed.subject).toMatch(/TKT-\d{6}/)
    const emails = (await call(app, 'GET', `/api/v1/tickets/${inbound.data.ticket_id}/emails`, { token: admin.token })).json.data as any[]
    expect(emails.find((m) => m.direction === 'outbound')).toMatchObject({ status: 'sent', reason: null, message_id: parsed.messageId })
  })

  it('retries a temporary failure with backoff, and after the last attempt marks it failed on the ticket', async () => {
    const admin = await registerOrg(app)
    const box = await mailboxWithSmtp(admin)
    const customer = uniqueEmail('retry')
    sink.failNext(1)
    const first = await postInbound(app, admin.token, rawMail({ from: customer, to: box.address }))
    await flush(admin)
    const pending = (await call(app, 'GET', `/api/v1/tickets/${first.data.ticket_id}/emails`, { token: admin.token })).json.data as any[]
    expect(pending.find((m) => m.direction === 'outbound')).toMatchObject({ status: 'queued', attempts: 1, last_error: expect.stringMatching(/451/) })
    await makeDue(admin.tenantId)
    await flush(admin)
    await sink.waitFor((m) => m.to.includes(customer))

    const doomed = uniqueEmail('doomed')
    sink.failNext(MAX_SEND_ATTEMPTS, 554)
    const second = await postInbound(app, admin.token, rawMail({ from: doomed, to: box.address }))
    for (let i = 0; i < MAX_SEND_ATTEMPTS; i++) {
      await flush(admin)
      await makeDue(admin.tenantId)
    }
    const mails = (await call(app, 'GET', `/api/v1/tickets/${second.data.ticket_id}/emails`, { token: admin.token })).json.data as any[]
    expect(mails.find((m) => m.direction === 'outbound')).toMatchObject({ status: 'failed', attempts: MAX_SEND_ATTEMPTS })
    const history = (await call(app, 'GET', `/api/v1/tickets/${second.data.ticket_id}/history`, { token: admin.token })).json.data as any[]
    expect(history.find((h) => h.field === 'email_failed')).toMatchObject({ actor_kind: 'system', new_value: { to: [doomed] } })
    expect(sink.messages.some((m) => m.to.includes(doomed))).toBe(false)
  })
})

describe('processing', () => {
  it('a message taken by a worker that died is processed once its lease runs out, exactly once', async () => {
    const admin = await registerOrg(app)
    const box = await addMailbox(app, admin)
    const stored = await storeInbound(app.ctx, { tenantId: admin.tenantId, accountId: box.id, channel: 'imap', raw: rawMail({ from: uniqueEmail('c'), to: box.address }) })
    // A worker takes it (lease written) and dies before processing.
    await withSystem(app.ctx.db, (tx) => tx.updateTable('email_messages').set({ locked_until: sql`now() + interval '5 minutes'`, attempts: 1 })
      .where('tenant_id', '=', admin.tenantId).where('id', '=', stored.id).execute())
    expect(await processDueInbound(app.ctx, { tenantId: admin.tenantId })).toBe(0)
    await withSystem(app.ctx.db, (tx) => tx.updateTable('email_messages').set({ locked_until: sql`now() - interval '1 second'` })
      .where('tenant_id', '=', admin.tenantId).where('id', '=', stored.id).execute())
    expect(await processDueInbound(app.ctx, { tenantId: admin.tenantId })).toBe(1)
    const [again, twice] = await Promise.all([processInbound(app.ctx, admin.tenantId, stored.id), processInbound(app.ctx, admin.tenantId, stored.id)])
    expect(again.outcome).toBe('ticket_created')
    expect(twice.ticket_id).toBe(again.ticket_id)
    const tickets = await withTenant(app.ctx.db, { tenantId: admin.tenantId }, (tx) => tx.selectFrom('tickets').select('id').execute())
    expect(tickets).toHaveLength(1)
  })

  it('the same message arriving twice at once (IMAP and SMTP) makes one ticket and one duplicate', async () => {
    const admin = await registerOrg(app)
    const box = await addMailbox(app, admin)
    const raw = rawMail({ from: uniqueEmail('c'), to: box.address, messageId: `${rid()}@twice.test` })
    const a = await storeInbound(app.ctx, { tenantId: admin.tenantId, accountId: box.id, channel: 'imap', raw })
    const b = await storeInbound(app.ctx, { tenantId: admin.tenantId, accountId: box.id, channel: 'smtp', raw })
    const results = await Promise.all([processInbound(app.ctx, admin.tenantId, a.id), processInbound(app.ctx, admin.tenantId, b.id)])
    expect(results.map((r) => r.outcome).sort()).toEqual(['duplicate', 'ticket_created'])
    expect(results[0]!.ticket_id).toBe(results[1]!.ticket_id)
  })

  it('a message that keeps failing ends in the unrouted queue with the error, not lost', async () => {
    const admin = await registerOrg(app)
    const box = await addMailbox(app, admin)
    const stored = await storeInbound(app.ctx, { tenantId: admin.tenantId, accountId: box.id, channel: 'imap', raw: rawMail({ from: uniqueEmail('c'), to: box.address }) })
    // Its raw file vanished (a broken disk): every attempt fails.
    await withSystem(app.ctx.db, (tx) => tx.updateTable('email_messages').set({ raw_key: 'f'.repeat(64) }).where('tenant_id', '=', admin.tenantId).where('id', '=', stored.id).execute())
    for (let i = 0; i < 6; i++) {
      await processDueInbound(app.ctx, { tenantId: admin.tenantId })
      await makeDue(admin.tenantId)
    }
    const unrouted = (await call(app, 'GET', '/api/v1/email/unrouted', { token: admin.token })).json.data as any[]
    expect(unrouted).toHaveLength(1)
    expect(unrouted[0]).toMatchObject({ id: stored.id, attempts: 5, reason: expect.stringMatching(/^processing_failed: raw message/) })
  })
})

describe('the inbound SMTP listener', () => {
  it('accepts mail for our mailboxes, refuses other recipients at RCPT, and stores before answering', async () => {
    const port = await freePort()
    const listening = await createTestApp({ authRateLimitPerMinute: 1000, smtpListenPort: port, smtpListenHost: '127.0.0.1' })
    const listener = listening.ctx.services.find((s) => s.name === 'smtp-listener')!
    await listener.start()
    try {
      const admin = await registerOrg(listening)
      const box = await addMailbox(listening, admin)
      const mta = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
      const customer = uniqueEmail('mta')
      await mta.sendMail({ from: customer, to: box.address, subject: 'Via the MTA', text: 'Forwarded by Postfix' })
      await expect(mta.sendMail({ from: customer, to: 'nobody@nowhere.test', subject: 'x', text: 'x' })).rejects.toThrow(/550/)
      mta.close()
      await drainEmail(listening.ctx, { tenantId: admin.tenantId })
      const messages = (await call(listening, 'GET', '/api/v1/email/messages?direction=inbound', { token: admin.token })).json.data as any[]
      expect(messages).toHaveLength(1)
      expect(messages[0]).toMatchObject({ channel: 'smtp', outcome: 'ticket_created', from: customer, subject: 'Via the MTA' })
    } finally {
      await listener.stop()
      await listening.close()
    }
  })
})
