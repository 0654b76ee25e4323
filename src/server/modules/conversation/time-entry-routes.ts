import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { authorize, requireUser } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import { Envelope, IdParams, ListMetaSchema, OkEnvelope, errors, ok } from '../../platform/http.js'
import { CreateTimeEntryBody, ListTimeQuery, TimeEntryParams, TimeEntrySchema, TimeSummarySchema } from './schemas.js'
import { addTimeEntry, deleteTimeEntry, listTimeEntries } from './time-entries.js'

const tags = ['conversation']

/** Time spent on tickets: staff only (customers get 403), logged by people (API keys get 403). */
const timeEntryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.get('/tickets/:id/time-entries', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags, summary: 'Time logged on a ticket (latest first, paged) with the total and the total per person (staff only)',
      params: IdParams, querystring: ListTimeQuery,
      response: { 200: Type.Object({ success: Type.Literal(true), data: TimeSummarySchema, meta: ListMetaSchema }), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    const page = req.query.page ?? 1
    const limit = req.query.limit ?? 25
    const { count, ...data } = await tenantTx(ctx, actor, (tx) => listTimeEntries(tx, actor, req.params.id, page, limit))
    return { success: true as const, data, meta: { page, limit, total: count } }
  })

  app.post('/tickets/:id/time-entries', {
    config: { permission: ['tickets:update'], user: true },
    schema: {
      tags, summary: 'Log time on a ticket as yourself (1–14400 minutes)',
      params: IdParams, body: CreateTimeEntryBody, response: { 201: Envelope(TimeEntrySchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req, reply) => {
    requireUser(req)
    const actor = authorize(req, 'tickets:update')
    const entry = await tenantTx(ctx, actor, (tx) => addTimeEntry(tx, actor, req.params.id, req.body))
    ctx.outbox.nudge()
    reply.status(201)
    return ok(entry)
  })

  app.delete('/tickets/:id/time-entries/:entry_id', {
    config: { permission: ['tickets:update'] },
    schema: { tags, summary: 'Delete a time entry (your own; a manager or admin: anyone’s)', params: TimeEntryParams, response: { 200: OkEnvelope, ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'tickets:update')
    await tenantTx(ctx, actor, (tx) => deleteTimeEntry(tx, actor, req.params.id, req.params.entry_id))
    ctx.outbox.nudge()
    return ok({ ok: true })
  })
}

export default timeEntryRoutes
