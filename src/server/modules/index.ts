import type { FastifyPluginAsync } from 'fastify'
import authRoutes from './auth/routes.js'
import organizationRoutes from './organizations/routes.js'
import teamRoutes from './teams/routes.js'
import roleRoutes from './roles/routes.js'
import apiKeyRoutes from './api-keys/routes.js'
import auditRoutes from './audit/routes.js'
import userRoutes from './users/routes.js'
import invitationRoutes from './invitations/routes.js'
import customFieldRoutes from './custom-fields/routes.js'
import statusRoutes from './statuses/routes.js'
import categoryRoutes from './categories/routes.js'
import ticketRoutes from './tickets/routes.js'
import ticketListRoutes from './ticket-lists/routes.js'
import conversationRoutes from './conversation/routes.js'
import contactRoutes from './contacts/routes.js'
import companyRoutes from './companies/routes.js'
import emailRoutes from './email/routes.js'
import realtimeRoutes from './realtime/routes.js'
import jobRoutes from './jobs/routes.js'
import notificationRoutes from './notifications/routes.js'
import activityRoutes from './activity/routes.js'
import portalRoutes from './portal/routes.js'

/** Every domain module, each a Fastify plugin mounted under /api/v1. */
export const MODULES: FastifyPluginAsync[] = [
  authRoutes,
  organizationRoutes,
  teamRoutes,
  roleRoutes,
  apiKeyRoutes,
  auditRoutes,
  userRoutes,
  invitationRoutes,
  customFieldRoutes,
  statusRoutes,
  categoryRoutes,
  ticketRoutes,
  ticketListRoutes,
  conversationRoutes,
  contactRoutes,
  companyRoutes,
  emailRoutes,
  notificationRoutes,
  activityRoutes,
  portalRoutes,
  realtimeRoutes,
  jobRoutes,
]
