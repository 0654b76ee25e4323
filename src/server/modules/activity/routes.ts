import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { authorize } from '../../platform/auth/actor.js'
import { tenantRead } from '../../platform/context.js'
import { ListEnvelope, errors, okList } from '../../platform/http.js'
import { assertReadsActivity, recentActivity } from './recent-activity.js'
import { ActivityItemSchema, ActivityQuery } from './schemas.js'

const tags = ['activity']

/**
 * The staff dashboard's feed: what happened lately on the tickets the caller may see. Staff only
 * (customers get 403 — they have the portal); API keys of staff roles may read it.
 */
const activityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.get('/activity', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags,
      summary: 'Recent history entries and comments on the tickets I may see, newest first (staff only)',
      description: 'Internal notes only for those with comments:internal; deleted and spam tickets are left out. Reads the organization’s newest 2,000 history entries and comments, so a narrow view of a busy organization may get fewer than `limit` items.',
      querystring: ActivityQuery,
      response: { 200: ListEnvelope(ActivityItemSchema), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    assertReadsActivity(actor)
    const limit = req.query.limit ?? 20
    const items = await tenantRead(ctx, actor, (tx) => recentActivity(tx, actor, limit))
    return okList(items, { limit })
  })
}

export default activityRoutes
