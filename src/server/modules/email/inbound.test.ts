import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { withTenant } from '../../platform/db/tenant.js'
import { addMember, call, createTestApp, registerOrg, uniqueEmail, type Session } from '../../../../test/helpers.js'
import { parseMail } from './parse.js'
import { drainEmail } from './worker.js'
import { PNG, addMailbox, postInbound, rawMail, rid } from './test-support.js'

let app: App
beforeAll(async () => { app = await createTestApp({ authRateLimitPerMinute: 1000 }) })
afterAll(async () => { await app.close() })

async function ticket(admin: Session, id: string) {
  const res = await call(app, 'GET', `/api/v1/tickets/${id}`, { token: admin.token })
  expect(res.statusCode, res.body).toBe(200)
  return res.json.data as any
}
async function comments(admin: Session, id: string) {
  return (await call(app, 'GET', `/api/v1/tickets/${id}/comments`, { token: admin.token })).json.data as any[]
}
async function emails(admin: Session, ticketId: string) {
  const res = await call(app, 'GET', `/api/v1/tickets/${ticketId}/emails`, { token: admin.token })
  expect(res.statusCode, res.body).toBe(200)
  return res.json.data as any[]
}
async function flush(admin: Session) {
  await app.ctx.outbox.drain({ tenantId: admin.tenantId })
  await drainEmail(app.ctx, { tenantId: admin.tenantId })
}

describe('a new message', () => {
  it('opens a ticket from its sender, keeps CCs and files, rewrites inline images, and acknowledges it in the same thread', async () => {
    const admin = await registerOrg(app)
    const box = await addMailbox(app, admin, { default_priority: 'high' })
    const customer = uniqueEmail('cust')
    const messageId = `${rid()}@mail.example.test`
    const res = await postInbound(app, admin.token, rawMail({
      from: `"Dana Customer" <${customer}>`, to: box.address, cc: `boss@client.example.test, ${box.address}`, subject: 'Printer on fire',
      messageId, html: '<p>It burns.</p><img src="cid:pic1@x"><script>alert(1)</script>', attachPng: true, inlineCid: 'pic1@x',
    }))
    expect(res.statusCode, res.body).toBe(200)
    expect(res.data).toMatchObject({ status: 'processed', outcome: 'ticket_created', reason: null })
    const t = await ticket(admin, res.data.ticket_id!)
    expect(t).toMatchObject({ subject: 'Printer on fire', source: 'email', priority: 'high', requester: { name: 'Dana Customer', email: customer }, cc: ['boss@client.example.test'] })
    expect(t.description).toContain('It burns.')
    expect(t.description).not.toContain('<script')
    const img = /src="\/api\/v1\/attachments\/([0-9a-f-]+)"/.exec(t.description)
    expect(img, t.description).not.toBeNull()
    const file = await app.inject({ method: 'GET', url: `/api/v1/attachments/${img![1]}`, headers: { authorization: `Bearer ${admin.token}` } })
    expect(file.statusCode).toBe(200)
    expect(file.rawPayload.equals(PNG)).toBe(true)

    await flush(admin)
    const mails = await emails(admin, t.id)
    expect(mails.map((m) => [m.direction, m.channel, m.status])).toEqual([['inbound', 'api', 'processed'], ['outbound', 'acknowledgement', 'sent']])
    expect(mails[1].in_reply_to).toBe(messageId)
    expect(mails[1].to).toEqual([customer])
    expect(mails[1].subject).toContain(t.ticket_number)
    expect(mails[1].reason).toMatch(/no SMTP/)
    const raw = await app.inject({ method: 'GET', url: `/api/v1/email/messages/${mails[1].id}/raw`, headers: { authorization: `Bearer ${admin.token}` } })
    expect(raw.statusCode).toBe(200)
    expect(raw.body).toMatch(/^Auto-Submitted: auto-replied/m)
    expect(raw.body).toContain(`In-Reply-To: <${messageId}>`)
  })

  it('is kept raw first: the stored original is byte-identical, and the same Message-ID twice makes one ticket', async () => {
    const admin = await registerOrg(app)
    const box = await addMailbox(app, admin)
    const raw = rawMail({ from: uniqueEmail('c'), to: box.address, subject: 'Twice' })
    const first = await postInbound(app, admin.token, raw)
    const second = await postInbound(app, admin.token, raw)
    expect(first.data.outcome).toBe('ticket_created')
    expect(second.data).toMatchObject({ outcome: 'duplicate', ticket_id: first.data.ticket_id })
    const stored = await app.inject({ method: 'GET', url: `/api/v1/email/messages/${second.data.id}/raw`, headers: { authorization: `Bearer ${admin.token}` } })
    expect(stored.rawPayload.equals(raw)).toBe(true)
  })

  it('is stored and answered 202 when processing fails, then processed once by the worker', async () => {
    const admin = await registerOrg(app)
    const category = await call(app, 'POST', '/api/v1/ticket-categories', { token: admin.token, body: { name: `Orders ${rid()}` } })
    expect(category.statusCode, category.body).toBe(201)
    const categoryId = (category.json.data as any).id as string
    const box = await addMailbox(app, admin, { default_category_id: categoryId })
    const setActive = (active: boolean) => withTenant(app.ctx.db, { tenantId: admin.tenantId }, (tx) => tx.updateTable('ticket_categories')
      .set({ is_active: active }).where('tenant_id', '=', admin.tenantId).where('id', '=', categoryId).execute())
    // The mailbox's default category is no longer in use: opening the ticket fails.
    await setActive(false)
    const raw = rawMail({ from: uniqueEmail('c'), to: box.address, subject: 'Kept despite a failure' })
    const res = await postInbound(app, admin.token, raw)
    expect(res.statusCode, res.body).toBe(202)
    expect(res.data).toMatchObject({ status: 'received', outcome: 'queued', ticket_id: null })
    const waiting = (await call(app, 'GET', '/api/v1/email/messages?direction=inbound', { token: admin.token })).json.data as any[]
    expect(waiting).toEqual([expect.objectContaining({ id: res.data.id, status: 'received', account_id: box.id })])
    const stored = await app.inject({ method: 'GET', url: `/api/v1/email/messages/${res.data.id}/raw`, headers: { authorization: `Bearer ${admin.token}` } })
    expect(stored.rawPayload.equals(raw)).toBe(true)

    await setActive(true)
    await drainEmail(app.ctx, { tenantId: admin.tenantId })
    const done = (await call(app, 'GET', '/api/v1/email/messages?direction=inbound', { token: admin.token })).json.data as any[]
    expect(done).toEqual([expect.objectContaining({ id: res.data.id, status: 'processed', outcome: 'ticket_created' })])
    const opened = await ticket(admin, done[0].ticket_id)
    expect(opened).toMatchObject({ subject: 'Kept despite a failure', category: { id: categoryId } })
    const tickets = await withTenant(app.ctx.db, { tenantId: admin.tenantId }, (tx) => tx.selectFrom('tickets').select('id').execute())
    expect(tickets).toHaveLength(1)
  })

  it('routes by Delivered-To and plus-addresses, and waits in the unrouted queue when no mailbox matches', async () => {
    const admin = await registerOrg(app)
    const box = await addMailbox(app, admin)
    const [local, domain] = box.address.split('@')
    const plus = await postInbound(app, admin.token, rawMail({ from: uniqueEmail('c'), to: 'list@elsewhere.test', headers: { 'Delivered-To': `${local}+billing@${domain}` } }))
    expect(plus.data.outcome).toBe('ticket_created')
    const lost = await postInbound(app, admin.token, rawMail({ from: uniqueEmail('c'), to: 'nobody@elsewhere.test', subject: 'Lost' }))
    expect(lost.data).toMatchObject({ status: 'unrouted', outcome: 'unrouted', reason: 'no_matching_mailbox', ticket_id: null })
    const queue = await call(app, 'GET', '/api/v1/email/unrouted', { token: admin.token })
    expect((queue.json.data as any[]).map((m) => m.id)).toEqual([lost.data.id])
    const explicit = await postInbound(app, admin.token, rawMail({ from: uniqueEmail('c'), to: 'nobody@elsewhere.test' }), `?account_id=${box.id}`)
    expect(explicit.data.outcome).toBe('ticket_created')
    // An auto-reply for no mailbox is still an auto-reply: dropped as such, not left for an admin.
    const ooo = await postInbound(app, admin.token, rawMail({ from: uniqueEmail('c'), to: 'nobody@elsewhere.test', headers: { 'Auto-Submitted': 'auto-replied' } }))
    expect(ooo.data).toMatchObject({ outcome: 'dropped', reason: expect.stringMatching(/^auto_reply/) })

    // Once a mailbox for that address exists, the waiting message is routed again on request.
    const later = await addMailbox(app, admin, { address: `late-${rid()}@help.example.test` } as Record<string, unknown>)
    const waiting = await postInbound(app, admin.token, rawMail({ from: uniqueEmail('c'), to: `x-${later.address}` }))
    expect(waiting.data.outcome).toBe('unrouted')
    const retried = await call(app, 'POST', `/api/v1/email/unrouted/${waiting.data.id}/retry?account_id=${later.id}`, { token: admin.token })
    expect(retried.statusCode, retried.body).toBe(200)
    expect(retried.json.data).toMatchObject({ outcome: 'ticket_created' })
  })

  it('goes to the unrouted queue when the mailbox does not auto-create, from where an admin assigns it to a ticket', async () => {
    const admin = await registerOrg(app)
    const box = await addMailbox(app, admin, { auto_create: false })
    const sender = uniqueEmail('late')
    const held = await postInbound(app, admin.token, rawMail({ from: sender, to: box.address, subject: 'About my order', body: 'Order 77 is late.' }))
    expect(held.data).toMatchObject({ outcome: 'unrouted', reason: 'auto_create_off' })
    const target = await call(app, 'POST', '/api/v1/tickets', { token: admin.token, body: { subject: 'Order 77', requester: { email: sender } } })
    const assigned = await call(app, 'POST', `/api/v1/email/unrouted/${held.data.id}/assign`, { token: admin.token, body: { ticket_id: (target.json.data as any).id } })
    expect(assigned.statusCode, assigned.body).toBe(200)
    expect(assigned.json.data).toMatchObject({ outcome: 'comment_added', ticket_id: (target.json.data as any).id })
    const list = await comments(admin, (target.json.data as any).id)
    expect(list.at(-1)).toMatchObject({ source: 'email', is_internal: false })
    expect(list.at(-1).body).toContain('Order 77 is late.')
    const again = await call(app, 'POST', `/api/v1/email/unrouted/${held.data.id}/assign`, { token: admin.token, body: { ticket_id: (target.json.data as any).id } })
    expect(again.statusCode).toBe(409)

    const junk = await postInbound(app, admin.token, rawMail({ from: uniqueEmail('x'), to: box.address }))
    const discarded = await call(app, 'POST', `/api/v1/email/unrouted/${junk.data.id}/discard`, { token: admin.token })
    expect(discarded.json.data).toMatchObject({ status: 'discarded' })
    expect((await call(app, 'GET', '/api/v1/email/unrouted', { token: admin.token })).json.data).toEqual([])
  })

  it('answers 413 for a message over AIDLY_MAIL_MAX_BYTES, and stores nothing', async () => {
    const small = await createTestApp({ authRateLimitPerMinute: 1000, mailMaxBytes: 2048 })
    try {
      const admin = await registerOrg(small)
      const box = await addMailbox(small, admin)
      const big = await postInbound(small, admin.token, rawMail({ from: uniqueEmail('big'), to: box.address, body: 'x'.repeat(4096) }))
      expect(big.statusCode).toBe(413)
      expect((await call(small, 'GET', '/api/v1/email/messages', { token: admin.token })).json.data).toEqual([])
      expect((await postInbound(small, admin.token, rawMail({ from: uniqueEmail('ok'), to: box.address }))).statusCode).toBe(200)
    } finally {
      await small.close()
    }
  })

  it('answers 400 for an empty body and 415 for a JSON one', async () => {
    const admin = await registerOrg(app)
    const empty = await postInbound(app, admin.token, '')
    expect(empty.statusCode).toBe(400)
    const json = await call(app, 'POST', '/api/v1/email/inbound', { token: admin.token, body: { raw: 'x' } })
    expect(json.statusCode).toBe(415)
  })
})

describe('a reply', () => {
  async function opened() {
    const admin = await registerOrg(app)
    const box = await addMailbox(app, admin)
    const customer = uniqueEmail('cust')
    const first = await postInbound(app, admin.token, rawMail({ from: customer, to: box.address, subject: 'Cannot log in' }))
    await flush(admin)
    const ack = (await emails(admin, first.data.ticket_id!)).find((m) => m.channel === 'acknowledgement')
    return { admin, box, customer, ticketId: first.data.ticket_id!, firstId: first.data.id, ack }
  }

  it('lands on its ticket by our reply token even with a new subject, and reopens a ticket waiting on the customer', async () => {
    const { admin, box, customer, ticketId, ack } = await opened()
    const pending = (await call(app, 'GET', '/api/v1/ticket-statuses', { token: admin.token })).json.data as any[]
    await call(app, 'PATCH', `/api/v1/tickets/${ticketId}`, { token: admin.token, body: { status_id: pending.find((s) => s.category === 'pending').id } })
    const reply = await postInbound(app, admin.token, rawMail({
      from: customer, to: box.address, subject: 'totally different', inReplyTo: ack.message_id,
      body: 'Still broken.\n\nOn Mon, 1 Jan 2026 at 10:00, Support <x@y> wrote:\n> Thank you for contacting us',
    }))
    expect(reply.data).toMatchObject({ outcome: 'comment_added', ticket_id: ticketId })
    const last = (await comments(admin, ticketId)).at(-1)
    expect(last.body).toContain('Still broken.')
    expect(last.body).not.toContain('Thank you for contacting us')
    expect((await ticket(admin, ticketId)).status.category).toBe('open')
  })

  it('lands by References to a message we received, by the ticket number in the subject from the requester, and not from a stranger', async () => {
    const { admin, box, customer, ticketId, firstId } = await opened()
    const first = (await call(app, 'GET', `/api/v1/email/messages/${firstId}`, { token: admin.token })).json.data as any
    const byRef = await postInbound(app, admin.token, rawMail({ from: `other-${customer}`, to: box.address, subject: 'Re: Cannot log in', references: ['unknown@x', first.message_id] }))
    expect(byRef.data).toMatchObject({ outcome: 'comment_added', ticket_id: ticketId })
    const number = (await ticket(admin, ticketId)).ticket_number as string
    const bySubject = await postInbound(app, admin.token, rawMail({ from: customer, to: box.address, subject: `Re: [${number}] any news?` }))
    expect(bySubject.data).toMatchObject({ outcome: 'comment_added', ticket_id: ticketId })
    const stranger = await postInbound(app, admin.token, rawMail({ from: uniqueEmail('stranger'), to: box.address, subject: `Re: [${number}] let me in` }))
    expect(stranger.data.outcome).toBe('ticket_created')
    expect(stranger.data.ticket_id).not.toBe(ticketId)
  })

  it('to a closed ticket opens a new one', async () => {
    const { admin, box, customer, ticketId, ack } = await opened()
    const statuses = (await call(app, 'GET', '/api/v1/ticket-statuses', { token: admin.token })).json.data as any[]
    await call(app, 'PATCH', `/api/v1/tickets/${ticketId}`, { token: admin.token, body: { status_id: statuses.find((s) => s.category === 'closed').id } })
    const late = await postInbound(app, admin.token, rawMail({ from: customer, to: box.address, inReplyTo: ack.message_id }))
    expect(late.data.outcome).toBe('ticket_created')
    expect(late.data.ticket_id).not.toBe(ticketId)
  })
})

describe('the agent\'s side', () => {
  it('a public reply goes out to the requester and CCs with threading headers; an internal note does not', async () => {
    const admin = await registerOrg(app)
    const agent = await addMember(app, admin, 'agent')
    const box = await addMailbox(app, admin)
    const customer = uniqueEmail('cust')
    const inbound = await postInbound(app, admin.token, rawMail({ from: customer, to: box.address, cc: 'colleague@client.example.test', subject: 'Help' }))
    const ticketId = inbound.data.ticket_id!
    await call(app, 'POST', `/api/v1/tickets/${ticketId}/assign`, { token: admin.token, body: { assignee_id: agent.userId } })
    const reply = await call(app, 'POST', `/api/v1/tickets/${ticketId}/comments`, { token: agent.token, body: { body: '<p>Try <b>turning it off</b>.</p>' } })
    expect(reply.statusCode, reply.body).toBe(201)
    await call(app, 'POST', `/api/v1/tickets/${ticketId}/comments`, { token: agent.token, body: { body: 'internal only', is_internal: true } })
    await flush(admin)
    const out = (await emails(admin, ticketId)).filter((m) => m.channel === 'reply')
    expect(out).toHaveLength(1)
    expect(out[0], JSON.stringify(out[0])).toMatchObject({ to: [customer], cc: ['colleague@client.example.test'], status: 'sent', comment_id: (reply.json.data as any).id })
    const raw = (await app.inject({ method: 'GET', url: `/api/v1/email/messages/${out[0].id}/raw`, headers: { authorization: `Bearer ${admin.token}` } })).rawPayload
    const sent = await parseMail(raw)
    const inboundId = ((await call(app, 'GET', `/api/v1/email/messages/${inbound.data.id}`, { token: admin.token })).json.data as any).message_id
    const ack = (await emails(admin, ticketId)).find((m) => m.channel === 'acknowledgement')
    expect(sent.messageId).toBe(out[0].message_id)
    expect(sent.inReplyTo).toBe(ack.message_id)
    expect(sent.references).toEqual([inboundId, ack.message_id])
    expect(sent.subject).toMatch(/^Re: \[TKT-\d{6}\] Help$/)
    expect(sent.parsed.html).toContain('<b>turning it off</b>')
    expect(sent.parsed.headers.has('auto-submitted')).toBe(false)
  })

  it('templates are editable per organization, checked for unknown placeholders, and can be turned off', async () => {
    const admin = await registerOrg(app)
    const bad = await call(app, 'PUT', '/api/v1/email/templates/ticket_created', { token: admin.token, body: { body: 'Hi {{customer.name}}' } })
    expect(bad.statusCode).toBe(400)
    for (const misspelt of ['{{Requester.Name}}', '{{ticket-number}}', '{{ }}']) {
      expect((await call(app, 'PUT', '/api/v1/email/templates/ticket_created', { token: admin.token, body: { subject: `x ${misspelt}` } })).statusCode, misspelt).toBe(400)
    }
    expect(bad.json.error).toMatchObject({ code: 'validation_error' })
    const put = await call(app, 'PUT', '/api/v1/email/templates/ticket_created', { token: admin.token, body: { subject: 'Got it: {{ticket.subject}}', body: 'Dear {{requester.name}}, ticket {{ticket.number}} ({{ticket.subject}}) is open.' } })
    expect(put.statusCode, put.body).toBe(200)
    const box = await addMailbox(app, admin)
    const inbound = await postInbound(app, admin.token, rawMail({ from: `"Ann" <${uniqueEmail('ann')}>`, to: box.address, subject: 'Hi <there>' }))
    await flush(admin)
    const ack = (await emails(admin, inbound.data.ticket_id!)).find((m) => m.channel === 'acknowledgement')
    expect(ack.subject).toMatch(/^Got it: Hi <there> \[/)
    const raw = (await app.inject({ method: 'GET', url: `/api/v1/email/messages/${ack.id}/raw`, headers: { authorization: `Bearer ${admin.token}` } })).body
    expect(raw).toContain('Dear Ann, ticket')
    expect(raw).toContain('Hi &lt;there&gt;')

    await call(app, 'PUT', '/api/v1/email/templates/ticket_created', { token: admin.token, body: { enabled: false } })
    const second = await postInbound(app, admin.token, rawMail({ from: uniqueEmail('b'), to: box.address }))
    await flush(admin)
    expect((await emails(admin, second.data.ticket_id!)).map((m) => m.channel)).toEqual(['api'])
    const reset = await call(app, 'DELETE', '/api/v1/email/templates/ticket_created', { token: admin.token })
    expect(reset.json.data).toMatchObject({ customized: false, enabled: true })
  })
})

describe('what never opens a ticket', () => {
  it('drops auto-replies and bulk mail with the reason, without acknowledging them', async () => {
    const admin = await registerOrg(app)
    const box = await addMailbox(app, admin)
    const cases: Array<Record<string, string>> = [{ 'Auto-Submitted': 'auto-replied' }, { 'X-Autoreply': 'yes' }, { Precedence: 'bulk' }]
    for (const headers of cases) {
      const res = await postInbound(app, admin.token, rawMail({ from: uniqueEmail('ooo'), to: box.address, headers }))
      expect(res.data, JSON.stringify(headers)).toMatchObject({ status: 'dropped', outcome: 'dropped', ticket_id: null })
      expect(res.data.reason).toMatch(/^auto_reply/)
    }
    const ooo = await postInbound(app, admin.token, rawMail({ from: uniqueEmail('ooo'), to: box.address, subject: 'Out of Office: back Monday' }))
    expect(ooo.data.outcome).toBe('dropped')
    await flush(admin)
    const out = await call(app, 'GET', '/api/v1/email/messages?direction=outbound', { token: admin.token })
    expect(out.json.data).toEqual([])
    const dropped = await call(app, 'GET', '/api/v1/email/messages?status=dropped', { token: admin.token })
    expect((dropped.json.data as any[]).length).toBe(4)
  })

  it('a bounce is noted on the ticket whose mail bounced, marks that mail failed and the address bouncing', async () => {
    const admin = await registerOrg(app)
    const box = await addMailbox(app, admin)
    const customer = uniqueEmail('gone')
    const first = await postInbound(app, admin.token, rawMail({ from: customer, to: box.address }))
    await flush(admin)
    const ack = (await emails(admin, first.data.ticket_id!)).find((m) => m.channel === 'acknowledgement')
    const b = `dsn-${rid()}`
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.test>', `To: ${box.address}`, 'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <${rid()}@mx.example.test>`, 'MIME-Version: 1.0', `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`, '',
      `--${b}`, 'Content-Type: text/plain', '', 'I could not deliver your message.', '',
      `--${b}`, 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.example.test', '', `Final-Recipient: rfc822; ${customer}`, 'Action: failed', 'Status: 5.1.1', '',
      `--${b}`, 'Content-Type: text/rfc822-headers', '', `From: Support <${box.address}>`, `To: ${customer}`, `Message-ID: <${ack.message_id}>`, 'Subject: whatever', '',
      `--${b}--`, '',
    ].join('\r\n')
    const res = await postInbound(app, admin.token, dsn)
    expect(res.data).toMatchObject({ outcome: 'dropped', ticket_id: first.data.ticket_id })
    expect(res.data.reason).toMatch(/^bounce/)
    const mails = await emails(admin, first.data.ticket_id!)
    expect(mails.find((m) => m.id === ack.id)).toMatchObject({ status: 'failed', last_error: expect.stringMatching(/^bounced/) })
    const history = (await call(app, 'GET', `/api/v1/tickets/${first.data.ticket_id}/history`, { token: admin.token })).json.data as any[]
    expect(history.some((h) => h.field === 'email_bounced')).toBe(true)
    const contact = await withTenant(app.ctx.db, { tenantId: admin.tenantId }, (tx) => tx.selectFrom('contacts').select('email_status').where('email', '=', customer).executeTakeFirstOrThrow())
    expect(contact.email_status).toBe('bouncing')
  })

  it('drops mail from blocked contacts, from our own mailboxes, and a sender over the rate limit', async () => {
    const limited = await createTestApp({ authRateLimitPerMinute: 1000, mailSenderLimit: 3 })
    try {
      const admin = await registerOrg(limited)
      const box = await addMailbox(limited, admin)
      const blocked = uniqueEmail('blocked')
      const contact = await call(limited, 'POST', '/api/v1/contacts', { token: admin.token, body: { name: 'Spammer', email: blocked } })
      await call(limited, 'PATCH', `/api/v1/contacts/${(contact.json.data as any).id}`, { token: admin.token, body: { is_blocked: true } })
      expect((await postInbound(limited, admin.token, rawMail({ from: blocked, to: box.address }))).data.reason).toBe('blocked_sender')
      expect((await postInbound(limited, admin.token, rawMail({ from: box.address, to: box.address }))).data.reason).toMatch(/^loop/)
      const chatty = uniqueEmail('loop')
      const outcomes = []
      for (let i = 0; i < 5; i++) outcomes.push((await postInbound(limited, admin.token, rawMail({ from: chatty, to: box.address, subject: `n${i}` }))).data.outcome)
      expect(outcomes).toEqual(['ticket_created', 'ticket_created', 'ticket_created', 'dropped', 'dropped'])
    } finally {
      await limited.close()
    }
  })
})

describe('mailboxes', () => {
  it('never return their secrets, store them encrypted, and an address belongs to one mailbox across organizations', async () => {
    const admin = await registerOrg(app)
    const created = await call(app, 'POST', '/api/v1/email/accounts', { token: admin.token, body: {
      name: 'Sales', address: `Sales-${rid()}@Example.test`,
      imap: { host: 'imap.example.test', username: 'sales', password: 'imap-secret-123' }, smtp: { host: 'smtp.example.test', username: 'sales', password: 'smtp-secret-456' },
    } })
    expect(created.statusCode, created.body).toBe(201)
    const data = created.json.data as any
    expect(data.address).toBe(data.address.toLowerCase())
    expect(data.imap).toMatchObject({ host: 'imap.example.test', port: 993, tls: true, has_password: true, mailbox: 'INBOX' })
    expect(data.smtp).toMatchObject({ port: 587, security: 'starttls', has_password: true })
    expect(created.body).not.toContain('secret')
    const row = await withTenant(app.ctx.db, { tenantId: admin.tenantId }, (tx) => tx.selectFrom('email_accounts').select(['imap_password', 'smtp_password']).where('id', '=', data.id).executeTakeFirstOrThrow())
    expect(row.imap_password).toMatch(/^v1\./)
    expect(row.imap_password).not.toContain('imap-secret')

    const other = await registerOrg(app)
    const taken = await call(app, 'POST', '/api/v1/email/accounts', { token: other.token, body: { name: 'Mine', address: data.address } })
    expect(taken.statusCode).toBe(409)
    const missingPassword = await call(app, 'POST', '/api/v1/email/accounts', { token: admin.token, body: { name: 'x', address: `x-${rid()}@e.test`, imap: { host: 'h', username: 'u' } } })
    expect(missingPassword.statusCode).toBe(400)
    const patched = await call(app, 'PATCH', `/api/v1/email/accounts/${data.id}`, { token: admin.token, body: { smtp: { host: 'smtp2.example.test', security: 'tls' } } })
    expect(patched.json.data).toMatchObject({ smtp: { host: 'smtp2.example.test', port: 465, username: 'sales', has_password: true } })
    await call(app, 'PATCH', `/api/v1/email/accounts/${data.id}`, { token: admin.token, body: { imap: { host: 'imap.example.test', username: 'sales', port: 1993 } } })
    const kept = await call(app, 'PATCH', `/api/v1/email/accounts/${data.id}`, { token: admin.token, body: { imap: { host: 'imap2.example.test', username: 'sales' } } })
    expect(kept.json.data).toMatchObject({ imap: { host: 'imap2.example.test', port: 1993, has_password: true } })
    const cleared = await call(app, 'PATCH', `/api/v1/email/accounts/${data.id}`, { token: admin.token, body: { imap: null } })
    expect(cleared.json.data).toMatchObject({ imap: null })
  })

  it('report a failed connection test with the server\'s error, and a failed sync as 502 with the account in error', async () => {
    const admin = await registerOrg(app)
    const created = await call(app, 'POST', '/api/v1/email/accounts', { token: admin.token, body: {
      name: 'Down', address: `down-${rid()}@e.test`, imap: { host: '127.0.0.1', port: 9, tls: false, username: 'u', password: 'p' }, smtp: { host: '127.0.0.1', port: 9, security: 'none' },
    } })
    const id = (created.json.data as any).id
    const test = await call(app, 'POST', `/api/v1/email/accounts/${id}/test`, { token: admin.token })
    expect(test.statusCode).toBe(200)
    expect(test.json.data).toMatchObject({ imap: { ok: false, error: expect.any(String) }, smtp: { ok: false, error: expect.any(String) } })
    const sync = await call(app, 'POST', `/api/v1/email/accounts/${id}/sync`, { token: admin.token })
    expect(sync.statusCode).toBe(502)
    expect(sync.json.error).toMatchObject({ code: 'bad_gateway' })
    const account = (await call(app, 'GET', `/api/v1/email/accounts/${id}`, { token: admin.token })).json.data as any
    expect(account).toMatchObject({ status: 'error', last_error: expect.any(String) })
  })
})
