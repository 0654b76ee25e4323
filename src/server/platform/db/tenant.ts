import { AsyncLocalStorage } from 'node:async_hooks'
import { sql } from 'kysely'
import { runInSessionFrame, STALE_PLAN, supportsSessionFrames } from './engine.js'
import type { Tx } from './schema.js'

interface Frame {
  afterCommit: Array<() => void>
  /** The organization whose rows the transaction sees, once withTenant has entered it. */
  tenantId?: string
}

const openTransaction = new AsyncLocalStorage<Frame>()

/**
 * Opens a transaction, refusing to nest one inside another: the inner one would not be atomic with
 * the outer on a server, and on PGlite (one connection, taken in turns) it would wait forever for
 * the outer to finish. Pass the open transaction down instead.
 */
async function transaction<T>(db: Tx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (openTransaction.getStore()) {
    throw new Error('A transaction was opened inside another; pass the open transaction instead')
  }
  for (let attempt = 1; ; attempt++) {
    const frame: Frame = { afterCommit: [] }
    try {
      const result = await openTransaction.run(frame, () => db.transaction().execute(fn))
      for (const callback of frame.afterCommit) callback()
      return result
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has((error as { code?: string } | null)?.code ?? '')) throw error
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20))
    }
  }
}

/**
 * Runs `callback` once the open transaction has committed (not if it rolls back), or at once
 * outside a transaction. For effects outside the database that must not run ahead of the data,
 * such as emptying a cache.
 */
export function onCommit(callback: () => void): void {
  const frame = openTransaction.getStore()
  if (frame) frame.afterCommit.push(callback)
  else callback()
}

/** The organization of the open tenant transaction (withTenant), or null outside one. */
export function currentTenantId(): string | null {
  return openTransaction.getStore()?.tenantId ?? null
}

/**
 * Deadlocks and serialization failures are PostgreSQL telling one of two transactions to try
 * again (and a prepared statement whose table changed shape is prepared afresh on the next try); the transaction rolled back whole, so running it again is safe. Work inside `fn` that is
 * not in the database must therefore be idempotent (it is: files are content-addressed, and mail
 * and events go through tables).
 */
const RETRYABLE = new Set(['40P01', '40001', STALE_PLAN])
const MAX_ATTEMPTS = 3

export interface TenantContext {
  tenantId: string
  userId?: string | null
}

/**
 * Runs `fn` in one transaction as the non-owner `aidly_app` role with the tenant set, so row-level
 * security filters every statement — a query that forgets `where tenant_id` sees nothing of other
 * tenants. All request work on tenant data goes through here.
 */
export function withTenant<T>(db: Tx, ctx: TenantContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(db, async (tx) => {
    await enterTenant(tx, ctx)
    openTransaction.getStore()!.tenantId = ctx.tenantId
    return fn(tx)
  })
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Runs read-only `fn` in the actor's organization under row-level security, like withTenant but,
 * on a PostgreSQL server, without a transaction: the tenant is set on the connection for the
 * session (engine.ts runInSessionFrame), and each statement commits on its own, so a one-query
 * read is one round trip once the connection is framed. For reads only: every statement sees its
 * own snapshot, and nothing may lock or write. On PGlite (and for ids that are not strict UUIDs)
 * it is a withTenant transaction.
 */
export async function withTenantRead<T>(db: Tx, ctx: TenantContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const userId = ctx.userId ?? ''
  if (!supportsSessionFrames(db) || !UUID.test(ctx.tenantId) || (userId !== '' && !UUID.test(userId))) return withTenant(db, ctx, fn)
  if (openTransaction.getStore()) throw new Error('A read was started inside a transaction; pass the open transaction instead')
  const frame: Frame = { afterCommit: [], tenantId: ctx.tenantId }
  const framing = `SELECT set_config('app.tenant_id', '${ctx.tenantId}', false), set_config('app.user_id', '${userId}', false), set_config('role', 'aidly_app', false)`
  const result = await openTransaction.run(frame, () => runInSessionFrame(framing, () => db.connection().execute(fn)))
  for (const callback of frame.afterCommit) callback()
  return result
}

/**
 * Ids are written into the statement rather than sent as parameters: a statement without
 * parameters goes to a PostgreSQL server in the same round trip as its BEGIN (engine.ts). Only
 * strict UUIDs are inlined; anything else takes the parameterized form.
 */
async function enterTenant(tx: Tx, ctx: TenantContext): Promise<void> {
  const userId = ctx.userId ?? ''
  if (UUID.test(ctx.tenantId) && (userId === '' || UUID.test(userId))) {
    await sql.raw(`SELECT set_config('app.tenant_id', '${ctx.tenantId}', true), set_config('app.user_id', '${userId}', true), set_config('role', 'aidly_app', true)`).execute(tx)
    return
  }
  await sql`SELECT set_config('app.tenant_id', ${ctx.tenantId}, true),
                   set_config('app.user_id', ${userId}, true),
                   set_config('role', 'aidly_app', true)`.execute(tx)
}

/**
 * Runs `fn` inside a tenant transaction with the owner's privileges, for the few identity writes
 * (global users) that belong in the same transaction as tenant rows. Row-level security is back in
 * force when `fn` returns.
 */
export async function withOwnerPrivileges<T>(tx: Tx, ctx: TenantContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  await sql`RESET ROLE`.execute(tx)
  // On failure the transaction is aborted and will roll back; re-entering the tenant would only
  // fail again and hide the original error, so that is done on success alone.
  const result = await fn(tx)
  await enterTenant(tx, ctx)
  return result
}

/**
 * A transaction as the schema owner, outside any tenant: for sign-in, token and invitation lookups
 * that must find a row before the tenant is known. Only the auth module uses it.
 */
export function withSystem<T>(db: Tx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return transaction(db, fn)
}
