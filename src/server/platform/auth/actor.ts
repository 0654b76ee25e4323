import type { FastifyRequest } from 'fastify'
import { ALL_PERMISSIONS, type Permission } from '../../../shared/permissions.js'
import type { RoleKind, TicketScope } from '../db/schema.js'
import { AppError } from '../errors.js'

export interface ActorRole {
  id: string
  key: string
  name: string
  kind: RoleKind
  ticketScope: TicketScope
  permissions: ReadonlySet<string>
}

/**
 * Who is calling: a signed-in user in one organization, or an organization's API key — or
 * Aidly itself (`system`), acting for an organization in background work such as turning an
 * email into a ticket. A system actor never comes from a request.
 */
export interface Actor {
  kind: 'user' | 'api_key' | 'system'
  /** The user behind the call; null for API keys. */
  userId: string | null
  tenantId: string
  sessionId: string | null
  apiKeyId: string | null
  role: ActorRole
}

export function can(actor: Actor, permission: Permission): boolean {
  return actor.role.permissions.has(permission)
}

/** The authenticated actor, or 401. */
export function requireActor(req: FastifyRequest): Actor {
  if (req.authError) throw req.authError
  if (!req.actor) throw new AppError('unauthorized')
  return req.actor
}

/**
 * The gate in front of every /api/v1 route (a preValidation hook): non-public routes need an
 * actor, and routes that declare `config.permission` need those permissions. Handlers still call
 * `authorize` for the actor they act as.
 */
export function gate(req: FastifyRequest): void {
  const config = req.routeOptions.config
  if (config.public) return
  const actor = requireActor(req)
  if (config.user && actor.kind !== 'user') throw new AppError('forbidden', 'This needs a signed-in user, not an API key.')
  for (const permission of config.permission ?? []) {
    if (!can(actor, permission)) throw new AppError('forbidden', `This needs the ${permission} permission.`)
  }
}

/** The authenticated actor holding every permission given, else 401/403. Deny by default. */
export function authorize(req: FastifyRequest, ...permissions: Permission[]): Actor {
  const actor = requireActor(req)
  for (const permission of permissions) {
    if (!can(actor, permission)) throw new AppError('forbidden', `This needs the ${permission} permission.`)
  }
  return actor
}

/** A signed-in person (not an API key), for routes about one's own account. */
export function requireUser(req: FastifyRequest): Actor & { userId: string; sessionId: string } {
  const actor = requireActor(req)
  if (actor.kind !== 'user' || !actor.userId || !actor.sessionId) {
    throw new AppError('forbidden', 'This needs a signed-in user, not an API key.')
  }
  return actor as Actor & { userId: string; sessionId: string }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without credentials (sign-in, sign-up, reset, invitation accept). */
    public?: boolean
    /** Permissions checked before the body is validated, so callers learn 401/403 before 400. */
    permission?: Permission[]
    /** For signed-in people only (one's own account, sessions, 2FA): API keys get 403. */
    user?: boolean
  }
  interface FastifyRequest {
    actor: Actor | null
    /** Set when credentials were sent but are bad; thrown only by routes that need an actor. */
    authError: AppError | null
  }
}

/** Aidly acting for an organization in background work: staff, every permission, every ticket. */
export function systemActor(tenantId: string): Actor {
  return {
    kind: 'system', userId: null, tenantId, sessionId: null, apiKeyId: null,
    role: { id: 'system', key: 'system', name: 'Aidly', kind: 'staff', ticketScope: 'all', permissions: new Set(ALL_PERMISSIONS) },
  }
}
