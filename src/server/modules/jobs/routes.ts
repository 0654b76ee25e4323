import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'kysely'
import { Type } from 'typebox'
import { authorize } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import { tenantTx } from '../../platform/context.js'
import { conflict, notFound } from '../../platform/errors.js'
import { Envelope, IdParams, ListEnvelope, Obj, PageQuery, errors, ok, okList } from '../../platform/http.js'

const tags = ['jobs']
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

const QueueSummary = Type.Object({
  events: Type.Object({ pending: Type.Integer(), retrying: Type.Integer(), dead: Type.Integer() }),
  inbound_email: Type.Object({ pending: Type.Integer(), retrying: Type.Integer(), unrouted: Type.Integer() }),
  outbound_email: Type.Object({ pending: Type.Integer(), retrying: Type.Integer(), failed: Type.Integer() }),
})
const DeadEvent = Type.Object({
  id: Type.String(), type: Type.String(), attempts: Type.Integer(), last_error: Nullable(Type.String()),
  created_at: Type.String(), failed_at: Type.String(), payload: Type.Record(Type.String(), Type.Unknown()),
})

/**
 * The organization's background work, for admins: what is waiting, what is being retried, and
 * the dead letters — events whose handlers failed every attempt (kept with their last error, never
 * dropped), which can be sent round again. Inbound mail that failed waits in the email unrouted
 * queue, outbound mail that failed is `failed` on its ticket; both are counted here.
 */
const jobRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.get('/jobs', {
    config: { permission: ['settings:manage'] },
    schema: { tags, summary: 'Queue depths: events (outbox), inbound and outbound email — pending, retrying, dead', response: { 200: Envelope(QueueSummary), ...errors(401, 403) } },
  }, async (req) => {
    const actor = authorize(req, 'settings:manage')
    return ok(await tenantTx(ctx, actor, async (tx) => {
      const events = await tx.selectFrom('outbox').select([
        sql<number>`count(*) FILTER (WHERE dispatched_at IS NULL AND failed_at IS NULL AND attempts = 0)::int`.as('pending'),
        sql<number>`count(*) FILTER (WHERE dispatched_at IS NULL AND failed_at IS NULL AND attempts > 0)::int`.as('retrying'),
        sql<number>`count(*) FILTER (WHERE failed_at IS NOT NULL)::int`.as('dead'),
      ]).where('tenant_id', '=', actor.tenantId).where('dispatched_at', 'is', null).executeTakeFirstOrThrow()
      const mail = await tx.selectFrom('email_messages').select([
        sql<number>`count(*) FILTER (WHERE status = 'received' AND attempts = 0)::int`.as('in_pending'),
        sql<number>`count(*) FILTER (WHERE status = 'received' AND attempts > 0)::int`.as('in_retrying'),
        sql<number>`count(*) FILTER (WHERE status = 'unrouted')::int`.as('in_unrouted'),
        sql<number>`count(*) FILTER (WHERE status = 'queued' AND attempts = 0)::int`.as('out_pending'),
        sql<number>`count(*) FILTER (WHERE status = 'queued' AND attempts > 0)::int`.as('out_retrying'),
        sql<number>`count(*) FILTER (WHERE status = 'failed')::int`.as('out_failed'),
      ]).where('tenant_id', '=', actor.tenantId).where('status', 'in', ['received', 'unrouted', 'queued', 'failed']).executeTakeFirstOrThrow()
      return {
        events,
        inbound_email: { pending: mail.in_pending, retrying: mail.in_retrying, unrouted: mail.in_unrouted },
        outbound_email: { pending: mail.out_pending, retrying: mail.out_retrying, failed: mail.out_failed },
      }
    }))
  })

  app.get('/jobs/dead', {
    config: { permission: ['settings:manage'] },
    schema: { tags, summary: 'Dead letters: events whose handlers failed every attempt, newest first, with the last error', querystring: Obj({ ...PageQuery }), response: { 200: ListEnvelope(DeadEvent), ...errors(400, 401, 403) } },
  }, async (req) => {
    const actor = authorize(req, 'settings:manage')
    const page = req.query.page ?? 1
    const limit = req.query.limit ?? 25
    const { rows, total } = await tenantTx(ctx, actor, async (tx) => {
      const base = tx.selectFrom('outbox').where('tenant_id', '=', actor.tenantId).where('failed_at', 'is not', null).where('dispatched_at', 'is', null)
      const [rows, count] = await Promise.all([
        base.select(['id', 'type', 'attempts', 'last_error', 'created_at', 'failed_at', 'payload']).orderBy('failed_at', 'desc').limit(limit).offset((page - 1) * limit).execute(),
        base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
      ])
      return { rows, total: count.n }
    })
    return okList(rows.map((r) => ({ ...r, failed_at: r.failed_at!, payload: r.payload as Record<string, unknown> })), { page, limit, total })
  })

  app.post('/jobs/dead/:id/retry', {
    config: { permission: ['settings:manage'] },
    schema: { tags, summary: 'Send a dead letter round again (its attempts start over)', params: IdParams, response: { 200: Envelope(Type.Object({ id: Type.String() })), ...errors(400, 401, 403, 404, 409) } },
  }, async (req) => {
    const actor = authorize(req, 'settings:manage')
    await tenantTx(ctx, actor, async (tx) => {
      const row = await tx.selectFrom('outbox').select(['id', 'failed_at', 'type']).where('tenant_id', '=', actor.tenantId).where('id', '=', req.params.id).forUpdate().executeTakeFirst()
      if (!row) throw notFound('Dead letter')
      if (!row.failed_at) throw conflict('This event is not dead: it was dispatched or is still being tried.')
      await tx.updateTable('outbox').set({ failed_at: null, attempts: 0, available_at: sql`now()`, last_error: null })
        .where('tenant_id', '=', actor.tenantId).where('id', '=', row.id).execute()
      await recordAudit(tx, actor, 'job.retried', 'event', row.id, { type: row.type }, req.ip)
    })
    ctx.outbox.nudge()
    return ok({ id: req.params.id })
  })
}

export default jobRoutes
