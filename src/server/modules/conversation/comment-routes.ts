import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { authorize } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import { Envelope, IdParams, ListEnvelope, errors, ok, okList } from '../../platform/http.js'
import { loadVisibleTicket } from '../tickets/present.js'
import { addComment } from './add-comment.js'
import { listComments } from './comment-queries.js'
import { editComment, listRevisions } from './edit-comment.js'
import { CommentParams, CommentSchema, CreateCommentBody, ListCommentsQuery, RevisionSchema, UpdateCommentBody } from './schemas.js'

const tags = ['conversation']

/** A ticket's conversation: replies and internal notes, edits and their history. */
const commentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.get('/tickets/:id/comments', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags, summary: 'The conversation of a ticket, oldest first (customers and viewers get no internal notes)',
      params: IdParams, querystring: ListCommentsQuery, response: { 200: ListEnvelope(CommentSchema), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    const page = req.query.page ?? 1
    const limit = req.query.limit ?? 25
    const { comments, total } = await tenantTx(ctx, actor, async (tx) => {
      await loadVisibleTicket(tx, actor, req.params.id)
      return listComments(tx, actor, req.params.id, page, limit)
    })
    return okList(comments, { page, limit, total })
  })

  app.post('/tickets/:id/comments', {
    config: { permission: ['comments:create'] },
    schema: {
      tags,
      summary: 'Reply, or add an internal note (is_internal, needs comments:internal). Send body (HTML), body_text or content; attach earlier uploads with attachment_ids',
      params: IdParams, body: CreateCommentBody, response: { 201: Envelope(CommentSchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'comments:create')
    const comment = await tenantTx(ctx, actor, (tx) => addComment(tx, actor, req.params.id, req.body))
    ctx.outbox.nudge()
    reply.status(201)
    return ok(comment)
  })

  app.patch('/tickets/:id/comments/:comment_id', {
    config: { permission: ['comments:create'] },
    schema: {
      tags,
      summary: 'Edit a comment’s body (its author; a manager or admin for staff comments; a customer within 15 minutes). The previous body is kept as a revision',
      params: CommentParams, body: UpdateCommentBody, response: { 200: Envelope(CommentSchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'comments:create')
    const comment = await tenantTx(ctx, actor, (tx) => editComment(tx, actor, req.params.id, req.params.comment_id, req.body))
    ctx.outbox.nudge()
    return ok(comment)
  })

  app.get('/tickets/:id/comments/:comment_id/revisions', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags, summary: 'Earlier bodies of a comment, oldest first (staff only)',
      params: CommentParams, response: { 200: Envelope(Type.Array(RevisionSchema)), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    return ok(await tenantTx(ctx, actor, (tx) => listRevisions(tx, actor, req.params.id, req.params.comment_id)))
  })
}

export default commentRoutes
