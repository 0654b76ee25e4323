import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Actor } from './auth/actor.js'
import type { CacheBus } from './shared-cache.js'
import type { AccessTokens } from './auth/jwt.js'
import type { Config } from './config.js'
import type { Database } from './db/engine.js'
import type { FileStore } from './files.js'
import type { Tx } from './db/schema.js'
import { withTenant, withTenantRead } from './db/tenant.js'
import type { Mailer } from './mailer.js'
import { trackEmits, type OutboxDispatcher } from './outbox.js'
import type { RateLimiter } from './rate-limit.js'
import type { RealtimeHub } from './realtime.js'

/** The services every module reaches through `app.ctx`. */
export interface AppContext {
  config: Config
  database: Database
  db: Tx
  tokens: AccessTokens
  /** Tells other instances when a cached answer changed (platform/shared-cache.ts); null without Redis. */
  cacheBus: CacheBus | null
  limiter: RateLimiter
  mailer: Mailer
  files: FileStore
  outbox: OutboxDispatcher
  /** Live updates to connected clients, fanned out through Redis when there is one. */
  realtime: RealtimeHub
  /** Key for secrets encrypted at rest (TOTP seeds, mailbox passwords), derived from AIDLY_SECRET. */
  secretsKey: Buffer
  /** Key that signs the reply tokens in outbound Message-IDs (email threading). */
  emailTokenKey: Buffer
  redis: Redis | null
  log: Logger
  /**
   * Background services modules register, started by the instance's role: `worker` ones (queues)
   * with --role worker or all, `mail` ones (mailbox readers, the SMTP listener) with mail or all.
   */
  services: BackgroundService[]
  /** Every route registered, for the OpenAPI and authorization-matrix tests. */
  routes: Array<{ method: string; url: string; public: boolean; user: boolean; permission: string[] }>
}

export interface BackgroundService {
  name: string
  role: 'worker' | 'mail'
  start(): void | Promise<void>
  stop(): Promise<void>
}

/**
 * One transaction in the actor's organization, under row-level security. When it emitted events,
 * the dispatcher is woken as soon as it commits (on instances that run it), so live updates and
 * mail follow at once rather than at the next poll.
 */
export async function tenantTx<T>(ctx: AppContext, actor: Actor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { result, emitted } = await trackEmits(() => withTenant(ctx.db, { tenantId: actor.tenantId, userId: actor.userId }, fn))
  if (emitted) ctx.outbox.nudge()
  return result
}

/** A read-only unit of work in the actor's organization (withTenantRead): no locks, no writes, no events. */
export function tenantRead<T>(ctx: AppContext, actor: Actor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withTenantRead(ctx.db, { tenantId: actor.tenantId, userId: actor.userId }, fn)
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext
  }
}
