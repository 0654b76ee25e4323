import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { authorize } from '../../platform/auth/actor.js'
import { tenantRead, tenantTx } from '../../platform/context.js'
import { Envelope, IdParams, ListEnvelope, OkEnvelope, errors, ok, okList } from '../../platform/http.js'
import { presentTicketDetail } from './abilities.js'
import { assignTicket, takeTicket } from './assign-ticket.js'
import { closeTicket } from './close-ticket.js'
import { createTicket } from './create-ticket.js'
import { deleteTicket, markSpam, restoreTicket } from './delete-ticket.js'
import { listTicketHistory } from './list-history.js'
import { loadVisibleTicket } from './present.js'
import { AssignTicketBody, CreateTicketBody, HistoryEntrySchema, HistoryQuery, SpamBody, TakeTicketQuery, TicketDetailSchema, UpdateTicketBody } from './schemas.js'
import { updateTicket } from './update-ticket.js'

const tags = ['tickets']
const Detail = Envelope(TicketDetailSchema)

const ticketRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.post('/tickets', {
    config: { permission: ['tickets:create'] },
    schema: {
      tags,
      summary: 'Open a ticket. Staff and API keys open it for a requester (`requester: { email, name }` finds or creates the contact; '
        + 'the company follows the contact or its email domain) and may set status, source, assignment, tags and due date. '
        + 'Customers open tickets for themselves only: staff-only fields are refused with 400. The number is the organization’s next one.',
      body: CreateTicketBody, response: { 201: Detail, ...errors(400, 401, 403, 409, 422) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'tickets:create')
    const out = await tenantTx(ctx, actor, async (tx) => presentTicketDetail(tx, actor, await createTicket(tx, actor, req.body)))
    ctx.outbox.nudge()
    reply.status(201)
    return ok(out)
  })

  app.get('/tickets/:id', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags, summary: 'A ticket with what the caller may do with it (`abilities`); 404 when outside the caller’s visibility. Customers get the portal projection.',
      params: IdParams, response: { 200: Detail, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    return ok(await tenantRead(ctx, actor, async (tx) => presentTicketDetail(tx, actor, await loadVisibleTicket(tx, actor, req.params.id))))
  })

  app.patch('/tickets/:id', {
    config: { permission: ['tickets:update'] },
    schema: {
      tags,
      summary: 'Edit a ticket (partial). Each changed field is recorded in the history; a status change follows the transition rules '
        + 'and sets or clears resolved_at/closed_at. Changing nothing records nothing.',
      params: IdParams, body: UpdateTicketBody, response: { 200: Detail, ...errors(400, 401, 403, 404, 409, 422) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:update')
    const out = await tenantTx(ctx, actor, async (tx) => presentTicketDetail(tx, actor, await updateTicket(tx, actor, req.params.id, req.body)))
    ctx.outbox.nudge()
    return ok(out)
  })

  app.delete('/tickets/:id', {
    config: { permission: ['tickets:delete'] },
    schema: { tags, summary: 'Move a ticket to the trash (soft delete; restore undoes it)', params: IdParams, response: { 200: OkEnvelope, ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'tickets:delete')
    await tenantTx(ctx, actor, (tx) => deleteTicket(tx, actor, req.params.id, req.ip))
    ctx.outbox.nudge()
    return ok({ ok: true })
  })

  app.post('/tickets/:id/restore', {
    config: { permission: ['tickets:delete'] },
    schema: { tags, summary: 'Take a ticket out of the trash', params: IdParams, response: { 200: Detail, ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'tickets:delete')
    const out = await tenantTx(ctx, actor, async (tx) => presentTicketDetail(tx, actor, await restoreTicket(tx, actor, req.params.id, req.ip)))
    ctx.outbox.nudge()
    return ok(out)
  })

  app.post('/tickets/:id/assign', {
    config: { permission: ['tickets:assign'] },
    schema: {
      tags, summary: 'Assign, reassign or unassign (null) a ticket to an agent and/or a team',
      params: IdParams, body: AssignTicketBody, response: { 200: Detail, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:assign')
    const out = await tenantTx(ctx, actor, async (tx) => presentTicketDetail(tx, actor, await assignTicket(tx, actor, req.params.id, req.body)))
    ctx.outbox.nudge()
    return ok(out)
  })

  app.post('/tickets/:id/take', {
    config: { permission: ['tickets:assign'], user: true },
    schema: {
      tags, summary: 'Take a ticket (assign it to yourself): from the unassigned queue, or from someone else with ?force=1 (409 without)',
      params: IdParams, querystring: TakeTicketQuery, response: { 200: Detail, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:assign')
    const force = req.query.force === '1' || req.query.force === 'true'
    const out = await tenantTx(ctx, actor, async (tx) => presentTicketDetail(tx, actor, await takeTicket(tx, actor, req.params.id, { force })))
    ctx.outbox.nudge()
    return ok(out)
  })

  app.post('/tickets/:id/close', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags,
      summary: 'Close a ticket: moves it to the organization’s first closed status (422 if it has none). Customers close the tickets they '
        + 'requested; staff need tickets:update. Closing a closed ticket changes nothing.',
      params: IdParams, response: { 200: Detail, ...errors(400, 401, 403, 404, 409, 422) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    const out = await tenantTx(ctx, actor, async (tx) => presentTicketDetail(tx, actor, await closeTicket(tx, actor, req.params.id)))
    ctx.outbox.nudge()
    return ok(out)
  })

  app.post('/tickets/:id/spam', {
    config: { permission: ['tickets:update'] },
    schema: { tags, summary: 'Flag a ticket as spam, or clear the flag', params: IdParams, body: SpamBody, response: { 200: Detail, ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'tickets:update')
    const out = await tenantTx(ctx, actor, async (tx) => presentTicketDetail(tx, actor, await markSpam(tx, actor, req.params.id, req.body.is_spam)))
    ctx.outbox.nudge()
    return ok(out)
  })

  app.get('/tickets/:id/history', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags,
      summary: 'The ticket’s timeline, oldest first: field, old and new value, who and when. Customers see only when the ticket was '
        + 'opened and its status changes (with who changed it).',
      params: IdParams, querystring: HistoryQuery, response: { 200: ListEnvelope(HistoryEntrySchema), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    const page = req.query.page ?? 1
    const limit = req.query.limit ?? 100
    const { entries, total } = await tenantTx(ctx, actor, (tx) => listTicketHistory(tx, actor, req.params.id, { page, limit }))
    return okList(entries, { page, limit, total })
  })
}

export default ticketRoutes
