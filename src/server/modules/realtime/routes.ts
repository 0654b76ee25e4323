import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { WebSocket } from 'ws'
import { requireActor } from '../../platform/auth/actor.js'
import { tenantTx, type AppContext } from '../../platform/context.js'
import type { Tx } from '../../platform/db/schema.js'
import { errors } from '../../platform/http.js'
import type { RealtimeEvent } from '../../platform/realtime.js'
import { loadVisibleTicket } from '../tickets/present.js'
import { loadAudience, receives, type Audience } from './audience.js'

/** Ticket events clients are told about (after their transaction committed, through the outbox). */
const TICKET_EVENTS = ['ticket.created', 'ticket.updated', 'ticket.assigned', 'ticket.merged', 'ticket.split', 'comment.added', 'comment.edited'] as const
const HEARTBEAT_MS = 30_000
const PRESENCE_STATES = new Set(['viewing', 'typing', 'left'])
/** Presence messages one socket may have waiting to be checked; past this they are refused. */
const MAX_PRESENCE_BACKLOG = 20

async function ticketFacts(tx: Tx, tenantId: string, ticketId: string) {
  return tx.selectFrom('tickets').select(['requester_id', 'company_id', 'assignee_id', 'team_id'])
    .where('tenant_id', '=', tenantId).where('id', '=', ticketId).executeTakeFirst()
}

/** Publishes the outbox's ticket events to the realtime hub, with the facts the audience rule needs. */
function publishTicketEvents(ctx: AppContext): void {
  for (const type of TICKET_EVENTS) {
    ctx.outbox.on(type, async (event, tx) => {
      const ticketId = typeof event.payload.ticket_id === 'string' ? event.payload.ticket_id : null
      if (!ticketId) return
      const ticket = await ticketFacts(tx, event.tenant_id, ticketId)
      if (!ticket) return
      const data: Record<string, unknown> = {}
      for (const key of ['comment_id', 'fields', 'number', 'source']) if (event.payload[key] !== undefined) data[key] = event.payload[key]
      await ctx.realtime.publish({
        tenant_id: event.tenant_id, type, ticket_id: ticketId, ticket,
        internal: event.payload.is_internal === true,
        actor_id: typeof event.payload.actor_id === 'string' ? event.payload.actor_id : null,
        data, at: new Date().toISOString(),
      })
    })
  }
}

/** A new notification goes to its recipient alone (`{ type: 'notification', ticket_id, data: { id, kind } }`), once it is committed. */
function publishNotifications(ctx: AppContext): void {
  ctx.outbox.on('notification.created', async (event, tx) => {
    const p = event.payload
    if (typeof p.user_id !== 'string' || typeof p.ticket_id !== 'string') return
    const ticket = await ticketFacts(tx, event.tenant_id, p.ticket_id)
    if (!ticket) return
    await ctx.realtime.publish({
      tenant_id: event.tenant_id, type: 'notification', ticket_id: p.ticket_id, ticket, user_id: p.user_id,
      actor_id: null, data: { id: p.notification_id, kind: p.kind }, at: new Date().toISOString(),
    })
  })
}

/** The session is live and its membership active (checked when connecting and every AIDLY_REALTIME_RECHECK_SECONDS after; owner privileges, as sessions are not readable by the app role). */
async function sessionAlive(tx: Tx, sessionId: string): Promise<boolean> {
  const row = await tx.selectFrom('sessions as s')
    .innerJoin('memberships as m', (j) => j.onRef('m.user_id', '=', 's.user_id').onRef('m.tenant_id', '=', 's.tenant_id'))
    .select(['s.revoked_at', 's.expires_at', 'm.is_active'])
    .where('s.id', '=', sessionId).executeTakeFirst()
  return !!row && !row.revoked_at && Date.parse(row.expires_at) > Date.now() && row.is_active
}

interface ClientMessage { type?: unknown; ticket_id?: unknown; state?: unknown }

/**
 * Live updates over WebSocket at /api/v1/realtime (token in the Authorization header, or
 * `?access_token=` from a browser). The server sends `{ type, ticket_id, data, actor_id, at }` for
 * every change to a ticket the client may see — by the same rule as the API — and presence
 * (`{ type: 'presence', ticket_id, data: { user_id, name, state } }`) of other staff viewing or
 * typing on a ticket, which is how agents see a collision coming. The client sends
 * `{ "type": "presence", "ticket_id": "…", "state": "viewing" | "typing" | "left" }`.
 * Clients refetch what changed through the API; the socket carries ids, not data.
 */
const realtimeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app
  publishTicketEvents(ctx)
  publishNotifications(ctx)

  app.get('/realtime', {
    websocket: true,
    config: { user: true },
    schema: { tags: ['realtime'], summary: 'Live ticket updates and presence (WebSocket upgrade; see the description of this module)', response: errors(401, 403) },
  }, (socket: WebSocket, req) => {
    const actor = requireActor(req)
    let audience: Audience | null = null
    const pending: RealtimeEvent[] = []
    let name = ''
    let presenceChain: Promise<unknown> = Promise.resolve()
    let presenceBacklog = 0
    const send = (e: RealtimeEvent) => {
      if (socket.readyState !== socket.OPEN) return
      socket.send(JSON.stringify({ type: e.type, ticket_id: e.ticket_id, data: e.data ?? {}, actor_id: e.actor_id, at: e.at }))
    }
    const unsubscribe = ctx.realtime.subscribe((e) => {
      if (e.tenant_id !== actor.tenantId) return
      if (e.type === 'presence' && e.actor_id === actor.userId) return
      if (e.user_id !== undefined) {
        if (e.user_id === actor.userId) send(e)
        return
      }
      if (!audience) pending.push(e)
      else if (receives(audience, e)) send(e)
    })
    const load = async () => {
      // Signed out, revoked or deactivated since connecting: the socket ends with the session.
      if (actor.sessionId && !(await sessionAlive(ctx.db, actor.sessionId))) {
        socket.close(4401, 'session ended')
        return
      }
      await tenantTx(ctx, actor, (tx) => loadProfile(tx))
    }
    const loadProfile = async (tx: Tx) => {
      audience = await loadAudience(tx, actor)
      if (actor.userId) name = (await tx.selectFrom('users').select('name').where('id', '=', actor.userId).executeTakeFirst())?.name ?? ''
    }
    load().then(() => {
      const ready = audience as Audience | null
      if (!ready) return
      for (const e of pending.splice(0)) if (receives(ready, e)) send(e)
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'ready' }))
    }, (err: unknown) => {
      req.log.warn({ err }, 'realtime: could not load the audience')
      socket.close(1011, 'internal error')
    })
    const refresh = setInterval(() => { load().catch(() => {}) }, ctx.config.realtimeRecheckSeconds * 1000)
    const heartbeat = setInterval(() => { if (socket.readyState === socket.OPEN) socket.ping() }, HEARTBEAT_MS)
    refresh.unref()
    heartbeat.unref()

    socket.on('message', (raw) => {
      let msg: ClientMessage
      try {
        msg = JSON.parse(raw.toString()) as ClientMessage
      } catch {
        socket.send(JSON.stringify({ type: 'error', error: { code: 'invalid_json', message: 'Send JSON messages.' } }))
        return
      }
      if (msg.type !== 'presence' || typeof msg.ticket_id !== 'string' || typeof msg.state !== 'string' || !PRESENCE_STATES.has(msg.state) || !audience || audience.kind !== 'staff') {
        socket.send(JSON.stringify({ type: 'error', error: { code: 'validation_error', message: 'Send { "type": "presence", "ticket_id", "state": "viewing" | "typing" | "left" } (staff only).' } }))
        return
      }
      if (presenceBacklog >= MAX_PRESENCE_BACKLOG) {
        socket.send(JSON.stringify({ type: 'error', error: { code: 'rate_limited', message: 'Too many presence messages at once; slow down.' } }))
        return
      }
      const ticketId = msg.ticket_id
      const state = msg.state
      // Presence is announced only on tickets this person may see, to those who may see them.
      // Messages are published in the order they arrived: a "viewing" checked after a later
      // "typing" would otherwise hide that this person is writing.
      presenceBacklog++
      presenceChain = presenceChain.then(() => tenantTx(ctx, actor, async (tx) => {
        await loadVisibleTicket(tx, actor, ticketId)
        return ticketFacts(tx, actor.tenantId, ticketId)
      })).then((ticket) => {
        if (!ticket) return
        return ctx.realtime.publish({
          tenant_id: actor.tenantId, type: 'presence', ticket_id: ticketId, ticket, internal: true, actor_id: actor.userId,
          data: { user_id: actor.userId, name, state }, at: new Date().toISOString(),
        })
      }).catch(() => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'error', error: { code: 'not_found', message: 'Ticket not found.' } }))
      }).finally(() => { presenceBacklog-- })
    })
    socket.on('close', () => {
      unsubscribe()
      clearInterval(refresh)
      clearInterval(heartbeat)
    })
  })
}

export default realtimeRoutes
