import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { authorize } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import { Envelope, IdParams, errors, ok } from '../../platform/http.js'
import { isCustomer } from '../tickets/visibility.js'
import { deleteStatus } from './delete-status.js'
import { createStatus, reorderStatuses, setTransitions, updateStatus } from './manage-statuses.js'
import { listStatuses } from './present.js'
import { CreateStatusBody, DeleteStatusQuery, DeleteStatusResult, ReorderBody, StatusSchema, TransitionsBody, UpdateStatusBody } from './schemas.js'

const tags = ['ticket statuses']

const statusRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.get('/ticket-statuses', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags,
      summary: 'The organization\'s ticket statuses by position, with the statuses each may move to (empty: any). Customers get id, name, category, color and position.',
      response: { 200: Envelope(Type.Array(StatusSchema)), ...errors(401, 403) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    return ok(await tenantTx(ctx, actor, (tx) => listStatuses(tx, { customer: isCustomer(actor) })))
  })

  app.post('/ticket-statuses', {
    config: { permission: ['settings:manage'] },
    schema: {
      tags,
      summary: 'Add a status in one of the fixed categories (names unique in any letter case: 409); is_default makes it the status new tickets get',
      body: CreateStatusBody,
      response: { 201: Envelope(StatusSchema), ...errors(400, 401, 403, 409) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'settings:manage')
    const status = await tenantTx(ctx, actor, (tx) => createStatus(tx, actor, req.body, req.ip))
    reply.status(201)
    return ok(status)
  })

  app.post('/ticket-statuses/reorder', {
    config: { permission: ['settings:manage'] },
    schema: {
      tags,
      summary: 'Put the listed statuses first, in that order; the others follow in their current order. Answers the whole list.',
      body: ReorderBody,
      response: { 200: Envelope(Type.Array(StatusSchema)), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const actor = authorize(req, 'settings:manage')
    return ok(await tenantTx(ctx, actor, (tx) => reorderStatuses(tx, actor, req.body.ids, req.ip)))
  })

  app.patch('/ticket-statuses/:id', {
    config: { permission: ['settings:manage'] },
    schema: {
      tags,
      summary: 'Rename, recolor, reorder, (de)activate a status, make it the default or change its category — allowed while tickets use it: '
        + 'they count under the new category from then on, their timestamps are not rewritten. The default stays active and open (409/400); '
        + 'the last "new" status keeps its category (409).',
      params: IdParams, body: UpdateStatusBody,
      response: { 200: Envelope(StatusSchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'settings:manage')
    return ok(await tenantTx(ctx, actor, (tx) => updateStatus(tx, actor, req.params.id, req.body, req.ip)))
  })

  app.delete('/ticket-statuses/:id', {
    config: { permission: ['settings:manage'] },
    schema: {
      tags,
      summary: 'Delete a status; tickets using it move to ?replace_with (recorded in their history), else 409 with the count. '
        + 'The default status and the last "new" status cannot be deleted (409).',
      params: IdParams, querystring: DeleteStatusQuery,
      response: { 200: Envelope(DeleteStatusResult), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'settings:manage')
    return ok(await tenantTx(ctx, actor, (tx) => deleteStatus(tx, actor, req.params.id, req.query.replace_with, req.ip)))
  })

  app.put('/ticket-statuses/:id/transitions', {
    config: { permission: ['settings:manage'] },
    schema: {
      tags,
      summary: 'Set the statuses a ticket may move to from this one (all of this organization: 400 otherwise); [] allows any',
      params: IdParams, body: TransitionsBody,
      response: { 200: Envelope(StatusSchema), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const actor = authorize(req, 'settings:manage')
    return ok(await tenantTx(ctx, actor, (tx) => setTransitions(tx, actor, req.params.id, req.body.to, req.ip)))
  })
}

export default statusRoutes
