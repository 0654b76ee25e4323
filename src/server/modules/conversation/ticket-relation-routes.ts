import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { authorize } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import { Envelope, IdParams, OkEnvelope, errors, ok } from '../../platform/http.js'
import { presentTicket, TicketSchema } from '../tickets/present.js'
import { linkTickets, listLinks, unlinkTickets } from './links.js'
import { mergeTickets } from './merge-tickets.js'
import { CommentParams, CreateLinkBody, LinkParams, LinkSchema, MergeBody, SplitBody } from './schemas.js'
import { splitComment } from './split-comment.js'

const tags = ['conversation']

/** How tickets relate: merge several into one, link related or duplicate ones, split a comment off. */
const ticketRelationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.post('/tickets/:id/merge', {
    config: { permission: ['tickets:update'] },
    schema: {
      tags,
      summary: 'Merge tickets into this one: their comments, files and time move here, they are closed and point here (409 for itself, merged or deleted tickets)',
      params: IdParams, body: MergeBody, response: { 200: Envelope(TicketSchema), ...errors(400, 401, 403, 404, 409, 422) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:update')
    const row = await tenantTx(ctx, actor, (tx) => mergeTickets(tx, actor, req.params.id, req.body.source_ids))
    ctx.outbox.nudge()
    return ok(presentTicket(row, actor))
  })

  app.get('/tickets/:id/links', {
    config: { permission: ['tickets:read'] },
    schema: { tags, summary: 'Tickets linked to this one (related or duplicate), either way round', params: IdParams, response: { 200: Envelope(Type.Array(LinkSchema)), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    return ok(await tenantTx(ctx, actor, (tx) => listLinks(tx, actor, req.params.id)))
  })

  app.post('/tickets/:id/links', {
    config: { permission: ['tickets:update'] },
    schema: {
      tags, summary: 'Link another ticket to this one (409 when they are linked already)',
      params: IdParams, body: CreateLinkBody, response: { 201: Envelope(LinkSchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'tickets:update')
    const link = await tenantTx(ctx, actor, (tx) => linkTickets(tx, actor, req.params.id, req.body.ticket_id, req.body.kind))
    ctx.outbox.nudge()
    reply.status(201)
    return ok(link)
  })

  app.delete('/tickets/:id/links/:linked_id', {
    config: { permission: ['tickets:update'] },
    schema: { tags, summary: 'Remove the link between two tickets', params: LinkParams, response: { 200: OkEnvelope, ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'tickets:update')
    await tenantTx(ctx, actor, (tx) => unlinkTickets(tx, actor, req.params.id, req.params.linked_id))
    ctx.outbox.nudge()
    return ok({ ok: true })
  })

  app.post('/tickets/:id/comments/:comment_id/split', {
    config: { permission: ['tickets:create', 'tickets:update'] },
    schema: {
      tags,
      summary: 'Split a comment off into a new ticket (same requester and company, the comment as its description; the comment moves there; the tickets are linked)',
      params: CommentParams, body: SplitBody, response: { 201: Envelope(TicketSchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'tickets:create', 'tickets:update')
    const row = await tenantTx(ctx, actor, (tx) => splitComment(tx, actor, req.params.id, req.params.comment_id, req.body ?? {}))
    ctx.outbox.nudge()
    reply.status(201)
    return ok(presentTicket(row, actor))
  })
}

export default ticketRelationRoutes
