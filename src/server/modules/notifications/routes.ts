import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'kysely'
import { Type } from 'typebox'
import { requireUser } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import type { Tx } from '../../platform/db/schema.js'
import { notFound } from '../../platform/errors.js'
import { Envelope, IdParams, ListEnvelope, Obj, PageQuery, errors, ok, okList } from '../../platform/http.js'
import { formatTicketNumber } from '../tickets/present.js'
import { registerNotificationEvents } from './notify.js'

const tags = ['notifications']
const Ref = Type.Object({ id: Type.String(), name: Type.String() })

const NotificationSchema = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('mention'), Type.Literal('assignment')]),
  ticket: Type.Object({ id: Type.String(), number: Type.Integer(), ticket_number: Type.String({ description: 'As people say it, e.g. TKT-000123' }), subject: Type.String() }),
  comment_id: Type.Union([Type.String(), Type.Null()]),
  /** The start of the note or reply that mentions the reader. */
  excerpt: Type.Union([Type.String(), Type.Null()]),
  actor: Type.Union([Ref, Type.Null()]),
  created_at: Type.String(),
  read_at: Type.Union([Type.String(), Type.Null()]),
})

const ListQuery = Obj({ ...PageQuery, unread: Type.Optional(Type.Boolean({ description: 'only the unread ones' })) })

function selectNotifications(tx: Tx, tenantId: string, userId: string) {
  return tx.selectFrom('notifications as n')
    .innerJoin('tickets as t', (j) => j.onRef('t.tenant_id', '=', 'n.tenant_id').onRef('t.id', '=', 'n.ticket_id'))
    .innerJoin('organizations as o', 'o.id', 'n.tenant_id')
    .leftJoin('users as a', 'a.id', 'n.actor_id')
    .leftJoin('comments as c', (j) => j.onRef('c.tenant_id', '=', 'n.tenant_id').onRef('c.id', '=', 'n.comment_id'))
    .where('n.tenant_id', '=', tenantId).where('n.user_id', '=', userId)
    .select([
      'n.id', 'n.kind', 'n.comment_id', 'n.created_at', 'n.read_at', 'n.actor_id', 'a.name as actor_name',
      't.id as ticket_id', 't.number as ticket_number', 't.subject as ticket_subject', 'o.ticket_prefix',
      sql<string | null>`CASE WHEN c.deleted_at IS NULL THEN left(c.body_text, 160) END`.as('excerpt'),
    ])
}

type Row = Awaited<ReturnType<ReturnType<typeof selectNotifications>['executeTakeFirstOrThrow']>>

function present(row: Row) {
  return {
    id: row.id,
    kind: row.kind,
    ticket: { id: row.ticket_id, number: Number(row.ticket_number), ticket_number: formatTicketNumber(row.ticket_prefix, Number(row.ticket_number)), subject: row.ticket_subject },
    comment_id: row.comment_id,
    excerpt: row.excerpt,
    actor: row.actor_id ? { id: row.actor_id, name: row.actor_name ?? '' } : null,
    created_at: new Date(row.created_at).toISOString(),
    read_at: row.read_at ? new Date(row.read_at).toISOString() : null,
  }
}

/**
 * The signed-in person's notifications — mentions and assignments — newest first. They are
 * private to their recipient: every route reads and writes only the caller's own rows, so there
 * is no permission to check beyond being a signed-in member (API keys have no bell: 403).
 */
const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app
  registerNotificationEvents(ctx)

  app.get('/notifications', {
    config: { user: true },
    schema: { tags, summary: 'My notifications (mentions, assignments), newest first', querystring: ListQuery, response: { 200: ListEnvelope(NotificationSchema), ...errors(400, 401, 403) } },
  }, async (req) => {
    const actor = requireUser(req)
    const { page = 1, limit = 25, unread } = req.query
    const { rows, total } = await tenantTx(ctx, actor, async (tx) => {
      let q = selectNotifications(tx, actor.tenantId, actor.userId)
      let count = tx.selectFrom('notifications').select(sql<number>`count(*)::int`.as('n')).where('tenant_id', '=', actor.tenantId).where('user_id', '=', actor.userId)
      if (unread) {
        q = q.where('n.read_at', 'is', null)
        count = count.where('read_at', 'is', null)
      }
      const rows = await q.orderBy('n.created_at', 'desc').orderBy('n.id', 'desc').limit(limit).offset((page - 1) * limit).execute()
      return { rows, total: (await count.executeTakeFirstOrThrow()).n }
    })
    return okList(rows.map(present), { page, limit, total })
  })

  app.get('/notifications/unread-count', {
    config: { user: true },
    schema: { tags, summary: 'How many of my notifications are unread (the badge)', response: { 200: Envelope(Type.Object({ count: Type.Integer() })), ...errors(401, 403) } },
  }, async (req) => {
    const actor = requireUser(req)
    const count = await tenantTx(ctx, actor, async (tx) => (await tx.selectFrom('notifications').select(sql<number>`count(*)::int`.as('n'))
      .where('tenant_id', '=', actor.tenantId).where('user_id', '=', actor.userId).where('read_at', 'is', null).executeTakeFirstOrThrow()).n)
    return ok({ count })
  })

  app.post('/notifications/:id/read', {
    config: { user: true },
    schema: { tags, summary: 'Mark one of my notifications read', params: IdParams, response: { 200: Envelope(NotificationSchema), ...errors(401, 403, 404) } },
  }, async (req) => {
    const actor = requireUser(req)
    const row = await tenantTx(ctx, actor, async (tx) => {
      const updated = await tx.updateTable('notifications').set({ read_at: sql`COALESCE(read_at, now())` })
        .where('tenant_id', '=', actor.tenantId).where('user_id', '=', actor.userId).where('id', '=', req.params.id)
        .returning('id').executeTakeFirst()
      if (!updated) throw notFound('Notification')
      return selectNotifications(tx, actor.tenantId, actor.userId).where('n.id', '=', req.params.id).executeTakeFirstOrThrow()
    })
    return ok(present(row))
  })

  app.post('/notifications/read-all', {
    config: { user: true },
    schema: { tags, summary: 'Mark all my notifications read', response: { 200: Envelope(Type.Object({ updated: Type.Integer() })), ...errors(401, 403) } },
  }, async (req) => {
    const actor = requireUser(req)
    const updated = await tenantTx(ctx, actor, async (tx) => {
      const result = await tx.updateTable('notifications').set({ read_at: sql`now()` })
        .where('tenant_id', '=', actor.tenantId).where('user_id', '=', actor.userId).where('read_at', 'is', null).executeTakeFirst()
      return Number(result.numUpdatedRows)
    })
    return ok({ updated })
  })
}

export default notificationRoutes
