import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'kysely'
import { Type } from 'typebox'
import { authorize } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import { AppError, invalid } from '../../platform/errors.js'
import { Envelope, IdParams, ListEnvelope, OkEnvelope, errors, ok, okList } from '../../platform/http.js'
import { createAccount, deleteAccount, getAccount, listAccounts, loadAccount, updateAccount } from './accounts.js'
import { testConnections } from './connections.js'
import { registerEmailEvents } from './events.js'
import { MailboxWatcher, syncAccount } from './imap.js'
import { assignUnrouted, discardUnrouted, listMessages, loadMessage, presentMessage, retryUnrouted, ticketMessages } from './messages.js'
import { processInbound, receiveInbound } from './process-inbound.js'
import {
  AccountSchema, AssignUnroutedBody, ConnectionTestSchema, CreateAccountBody, InboundQuery, InboundResultSchema, MessageSchema, MessagesQuery,
  SyncResultSchema, TemplateKeyParams, TemplateSchema, UnroutedQuery, UpdateAccountBody, UpdateTemplateBody,
} from './schemas.js'
import { SmtpListener } from './smtp-listener.js'
import { checkTemplate, loadTemplate, TEMPLATE_KEYS, TEMPLATE_VARIABLES, DEFAULT_TEMPLATES } from './templates.js'
import { EmailWorker } from './worker.js'

const tags = ['email']
const MANAGE = ['channels:manage'] as const

/**
 * The email channel: mailboxes, raw inbound mail, the message log and unrouted queue, templates,
 * and a ticket's mail. Registers its background services: the queue worker (role worker), the
 * mailbox watcher and the SMTP listener (role mail).
 */
const emailRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app
  const worker = new EmailWorker(ctx)
  const nudge = () => worker.nudge()
  const watcher = new MailboxWatcher(ctx, nudge)
  const listener = new SmtpListener(ctx, nudge)
  ctx.services.push(
    { name: 'email-worker', role: 'worker', start: () => worker.start(), stop: () => worker.stop() },
    { name: 'mailbox-watcher', role: 'mail', start: () => watcher.start(), stop: () => watcher.stop() },
    { name: 'smtp-listener', role: 'mail', start: () => listener.start(), stop: () => listener.stop() },
  )
  registerEmailEvents(ctx, nudge)

  app.addContentTypeParser(['message/rfc822', 'text/plain'], { parseAs: 'buffer', bodyLimit: ctx.config.mailMaxBytes }, (_req, body, done) => done(null, body))

  app.get('/email/accounts', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'The organization\'s mailboxes with their status, last sync, backlog and last error (never their secrets)', response: { 200: Envelope(Type.Array(AccountSchema)), ...errors(401, 403) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE)
    return ok(await tenantTx(ctx, actor, (tx) => listAccounts(tx, actor)))
  })

  app.post('/email/accounts', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'Add a mailbox: address, IMAP and SMTP settings (passwords and tokens are stored encrypted), defaults for its tickets', body: CreateAccountBody, response: { 201: Envelope(AccountSchema), ...errors(400, 401, 403, 409) } },
  }, async (req, reply) => {
    const actor = authorize(req, ...MANAGE)
    const created = await tenantTx(ctx, actor, (tx) => createAccount(tx, actor, ctx.secretsKey, req.body, req.ip))
    reply.status(201)
    return ok(created)
  })

  app.get('/email/accounts/:id', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'One mailbox', params: IdParams, response: { 200: Envelope(AccountSchema), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE)
    return ok(await tenantTx(ctx, actor, (tx) => getAccount(tx, actor, req.params.id)))
  })

  app.patch('/email/accounts/:id', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'Change a mailbox; a password sent as null is removed, one left out is kept', params: IdParams, body: UpdateAccountBody, response: { 200: Envelope(AccountSchema), ...errors(400, 401, 403, 404, 409) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE)
    return ok(await tenantTx(ctx, actor, (tx) => updateAccount(tx, actor, ctx.secretsKey, req.params.id, req.body, req.ip)))
  })

  app.delete('/email/accounts/:id', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'Remove a mailbox; the mail it received stays on its tickets', params: IdParams, response: { 200: OkEnvelope, ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE)
    await tenantTx(ctx, actor, (tx) => deleteAccount(tx, actor, req.params.id, req.ip))
    return ok({ ok: true })
  })

  app.post('/email/accounts/:id/test', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'Sign in to the mailbox\'s IMAP server and check its SMTP server; answers each one\'s result (null where not configured)', params: IdParams, response: { 200: Envelope(ConnectionTestSchema), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE)
    const row = await tenantTx(ctx, actor, (tx) => loadAccount(tx, actor.tenantId, req.params.id))
    return ok(await testConnections(ctx, row))
  })

  app.post('/email/accounts/:id/sync', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'Fetch new mail from the mailbox now and process it; answers what was fetched and what became of each message', params: IdParams, response: { 200: Envelope(SyncResultSchema), ...errors(400, 401, 403, 404, 409, 502) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE)
    const row = await tenantTx(ctx, actor, (tx) => loadAccount(tx, actor.tenantId, req.params.id))
    if (!row.imap_host) throw invalid('id', 'this mailbox has no IMAP settings to fetch from')
    let stored: string[]
    try {
      stored = (await syncAccount(ctx, actor.tenantId, row.id)).stored
    } catch (error) {
      throw new AppError('bad_gateway', `The mail server answered: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500))
    }
    const results = []
    for (const id of stored) {
      const r = await processInbound(ctx, actor.tenantId, id).catch(() => null)
      results.push(r ? { id, outcome: r.outcome, reason: r.reason, ticket_id: r.ticket_id } : { id, outcome: 'queued', reason: null, ticket_id: null })
    }
    nudge()
    return ok({ fetched: stored.length, results })
  })

  app.post('/email/inbound', {
    config: { permission: [...MANAGE] },
    schema: {
      tags,
      summary: 'Deliver one raw RFC 822 message (Content-Type: message/rfc822). It is routed to the mailbox whose address is in To, Cc or Delivered-To (or ?account_id=), stored, and processed; answers what became of it',
      consumes: ['message/rfc822'], querystring: InboundQuery,
      response: { 200: Envelope(InboundResultSchema), 202: Envelope(InboundResultSchema), ...errors(400, 401, 403, 404, 413, 415) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, ...MANAGE)
    const raw = req.body
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    if (type !== 'message/rfc822' && type !== 'text/plain') throw new AppError('unsupported_media_type', 'Send the raw message with Content-Type: message/rfc822.')
    if (!Buffer.isBuffer(raw) || raw.length === 0) throw invalid('body', 'send the raw message as the request body with Content-Type: message/rfc822')
    if (req.query.account_id) await tenantTx(ctx, actor, (tx) => loadAccount(tx, actor.tenantId, req.query.account_id!))
    const { result, failure } = await receiveInbound(ctx, { tenantId: actor.tenantId, accountId: req.query.account_id ?? null, channel: 'api', raw })
    if (failure) {
      req.log.warn({ err: failure, email: result.id }, 'inbound message stored; processing will be retried')
      nudge()
      reply.status(202)
    }
    return ok(result)
  })

  app.get('/email/messages', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'Every message in and out, newest first: filter by status (dropped ones carry the reason), direction, mailbox or ticket', querystring: MessagesQuery, response: { 200: ListEnvelope(MessageSchema), ...errors(400, 401, 403) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE)
    const { rows, total, page, limit } = await tenantTx(ctx, actor, (tx) => listMessages(tx, actor, req.query))
    return okList(rows, { page, limit, total })
  })

  app.get('/email/messages/:id', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'One stored message', params: IdParams, response: { 200: Envelope(MessageSchema), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE)
    return ok(presentMessage(await tenantTx(ctx, actor, (tx) => loadMessage(tx, actor.tenantId, req.params.id))))
  })

  app.get('/email/messages/:id/raw', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'The message exactly as received or sent (message/rfc822, as a download)', params: IdParams, response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...errors(400, 401, 403, 404) } },
  }, async (req, reply) => {
    const actor = authorize(req, ...MANAGE)
    const row = await tenantTx(ctx, actor, (tx) => loadMessage(tx, actor.tenantId, req.params.id))
    const raw = row.raw_key ? await ctx.files.get(row.raw_key) : null
    if (!raw) throw new AppError('not_found', 'The raw message is not stored.')
    reply.header('content-disposition', `attachment; filename="message-${row.id}.eml"`)
    reply.header('content-security-policy', "default-src 'none'")
    return reply.type('message/rfc822').send(raw)
  })

  app.get('/email/unrouted', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'Mail waiting for an admin: no matching mailbox, unparseable, too large, auto-create off, or failed processing — with the reason', querystring: UnroutedQuery, response: { 200: ListEnvelope(MessageSchema), ...errors(400, 401, 403) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE)
    const { rows, total, page, limit } = await tenantTx(ctx, actor, (tx) => listMessages(tx, actor, { ...req.query, status: 'unrouted' as const, direction: 'inbound' as const }))
    return okList(rows, { page, limit, total })
  })

  app.post('/email/unrouted/:id/assign', {
    config: { permission: [...MANAGE, 'comments:create'] },
    schema: { tags, summary: 'Make an unrouted message a reply from its sender on a ticket', params: IdParams, body: AssignUnroutedBody, response: { 200: Envelope(InboundResultSchema), ...errors(400, 401, 403, 404, 409) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE, 'comments:create')
    const result = await assignUnrouted(ctx, actor, req.params.id, req.body.ticket_id, req.ip)
    ctx.outbox.nudge()
    return ok(result)
  })

  app.post('/email/unrouted/:id/retry', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'Route and process an unrouted message again (after adding its mailbox, say; ?account_id= names the mailbox); answers what became of it', params: IdParams, querystring: InboundQuery, response: { 200: Envelope(InboundResultSchema), ...errors(400, 401, 403, 404, 409) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE)
    const accountId = req.query.account_id ?? null
    await tenantTx(ctx, actor, async (tx) => {
      const row = await loadMessage(tx, actor.tenantId, req.params.id)
      const account = accountId ?? row.account_id ?? (await tx.selectFrom('email_accounts').select('id')
        .where('tenant_id', '=', actor.tenantId).where('address', '=', sql<string>`ANY(${sql.val([...row.to_addresses, ...row.cc_addresses])}::text[])`)
        .executeTakeFirst())?.id ?? null
      if (accountId) await loadAccount(tx, actor.tenantId, accountId)
      await retryUnrouted(tx, actor, req.params.id, account)
    })
    return ok(await processInbound(ctx, actor.tenantId, req.params.id))
  })

  app.post('/email/unrouted/:id/discard', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'Take a message out of the unrouted queue without a ticket (its raw copy is kept)', params: IdParams, response: { 200: Envelope(MessageSchema), ...errors(400, 401, 403, 404, 409) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE)
    return ok(await tenantTx(ctx, actor, (tx) => discardUnrouted(tx, actor, req.params.id, req.ip)))
  })

  app.get('/email/templates', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'The mail templates (ticket created acknowledgement, agent reply, resolved) with their placeholders', response: { 200: Envelope(Type.Array(TemplateSchema)), ...errors(401, 403) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE)
    const list = await tenantTx(ctx, actor, (tx) => Promise.all(TEMPLATE_KEYS.map(async (key) => ({ key, ...(await loadTemplate(tx, actor.tenantId, key)), variables: [...TEMPLATE_VARIABLES] }))))
    return ok(list)
  })

  app.put('/email/templates/:key', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'Reword a template or turn it off; placeholders like {{ticket.number}} are checked', params: TemplateKeyParams, body: UpdateTemplateBody, response: { 200: Envelope(TemplateSchema), ...errors(400, 401, 403) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE)
    const { key } = req.params
    if (req.body.subject !== undefined) checkTemplate('subject', req.body.subject)
    if (req.body.body !== undefined) checkTemplate('body', req.body.body)
    const saved = await tenantTx(ctx, actor, async (tx) => {
      const current = await loadTemplate(tx, actor.tenantId, key)
      const next = { subject: req.body.subject ?? current.subject, body: req.body.body ?? current.body, enabled: req.body.enabled ?? current.enabled }
      await tx.insertInto('email_templates').values({ tenant_id: actor.tenantId, key, ...next, updated_by: actor.userId })
        .onConflict((oc) => oc.columns(['tenant_id', 'key']).doUpdateSet({ ...next, updated_by: actor.userId, updated_at: sql`now()` }))
        .execute()
      return next
    })
    return ok({ key, ...saved, customized: true, variables: [...TEMPLATE_VARIABLES] })
  })

  app.delete('/email/templates/:key', {
    config: { permission: [...MANAGE] },
    schema: { tags, summary: 'Go back to the built-in wording of a template', params: TemplateKeyParams, response: { 200: Envelope(TemplateSchema), ...errors(400, 401, 403) } },
  }, async (req) => {
    const actor = authorize(req, ...MANAGE)
    await tenantTx(ctx, actor, (tx) => tx.deleteFrom('email_templates').where('tenant_id', '=', actor.tenantId).where('key', '=', req.params.key).execute())
    return ok({ key: req.params.key, ...DEFAULT_TEMPLATES[req.params.key], customized: false, variables: [...TEMPLATE_VARIABLES] })
  })

  app.get('/tickets/:id/emails', {
    config: { permission: ['tickets:read', 'comments:internal'] },
    schema: { tags, summary: 'A ticket\'s mail for staff: what came in, what went out, and any send that failed (with the error)', params: IdParams, response: { 200: Envelope(Type.Array(MessageSchema)), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read', 'comments:internal')
    return ok(await tenantTx(ctx, actor, (tx) => ticketMessages(tx, actor, req.params.id)))
  })
}

export default emailRoutes
