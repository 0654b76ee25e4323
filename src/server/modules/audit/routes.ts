import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { authorize } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import { ListEnvelope, errors, okList } from '../../platform/http.js'
import { listAuditEvents } from './list-audit-events.js'
import { AuditEventSchema, ListAuditQuery } from './schemas.js'

const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.get('/audit-events', {
    config: { permission: ['audit:read'] },
    schema: {
      tags: ['audit'],
      summary: 'The audit log, newest first; filter by action, actor_id, subject_type or subject_id',
      querystring: ListAuditQuery, response: { 200: ListEnvelope(AuditEventSchema), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const actor = authorize(req, 'audit:read')
    const page = req.query.page ?? 1
    const limit = req.query.limit ?? 25
    const { events, total } = await tenantTx(ctx, actor, (tx) => listAuditEvents(tx, { ...req.query, page, limit }))
    return okList(events, { page, limit, total })
  })
}

export default auditRoutes
