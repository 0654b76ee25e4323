import type { FastifyPluginAsync } from 'fastify'
import attachmentRoutes from './attachment-routes.js'
import commentRoutes from './comment-routes.js'
import ticketRelationRoutes from './ticket-relation-routes.js'
import timeEntryRoutes from './time-entry-routes.js'

/**
 * The conversation module: comments and notes, attachments, merge, links, split and time
 * entries. Each part is its own plugin; the multipart parser is registered inside the attachment
 * plugin only, so no other route accepts multipart bodies.
 */
const conversationRoutes: FastifyPluginAsync = async (app) => {
  await app.register(commentRoutes)
  await app.register(attachmentRoutes)
  await app.register(ticketRelationRoutes)
  await app.register(timeEntryRoutes)
}

export default conversationRoutes
