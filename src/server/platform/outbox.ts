import { AsyncLocalStorage } from 'node:async_hooks'
import { sql } from 'kysely'
import type { Logger } from 'pino'
import type { Tx } from './db/schema.js'
import { uuidv7 } from './ids.js'

/** Set by `emit` inside `trackEmits`, so a request's transaction can wake the dispatcher after it commits. */
const emitted = new AsyncLocalStorage<{ any: boolean }>()

/** Runs `fn` and tells whether it emitted any event. */
export async function trackEmits<T>(fn: () => Promise<T>): Promise<{ result: T; emitted: boolean }> {
  const flag = { any: false }
  const result = await emitted.run(flag, fn)
  return { result, emitted: flag.any }
}

/**
 * Appends an event to the outbox inside the caller's transaction: it is dispatched only if the
 * change commits, and is never lost if the process dies after the commit.
 */
export async function emit(tx: Tx, tenantId: string, type: string, payload: Record<string, unknown>): Promise<void> {
  const flag = emitted.getStore()
  if (flag) flag.any = true
  await tx.insertInto('outbox').values({ tenant_id: tenantId, id: uuidv7(), type, payload: JSON.stringify(payload) }).execute()
}

/**
 * Handles one event. `tx` is the dispatcher's transaction (owner privileges, no tenant set):
 * writes a handler makes through it commit together with the event being marked dispatched, so a
 * follow-up row (a queued email) is written exactly once. Filter by `event.tenant_id` explicitly.
 */
export type EventHandler = (event: { id: string; tenant_id: string; type: string; payload: Record<string, unknown> }, tx: Tx) => Promise<void>

const MAX_ATTEMPTS = 8

/**
 * Takes pending outbox rows (FOR UPDATE SKIP LOCKED, so several workers never take the same row),
 * runs the handler registered for each type, and marks it dispatched. A failing handler is retried
 * with exponential backoff; after MAX_ATTEMPTS the row is kept with `failed_at` set (dead letter).
 */
export class OutboxDispatcher {
  #handlers = new Map<string, EventHandler[]>()
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #stopped = true
  #again = false

  constructor(private readonly db: Tx, private readonly log: Logger, private readonly intervalMs = 1000) {}

  on(type: string, handler: EventHandler): void {
    this.#handlers.set(type, [...(this.#handlers.get(type) ?? []), handler])
  }

  start(): void {
    this.#stopped = false
    this.#schedule()
  }

  /** Asks for a pass soon (after a commit that emitted events). */
  nudge(): void {
    if (this.#stopped) return
    if (this.#running) {
      this.#again = true
      return
    }
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => this.#tick(), 0)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
  }

  /**
   * Dispatches until nothing is due; returns how many events were handled. Waits for a background
   * pass already under way first, since the rows it holds are skipped by this one (SKIP LOCKED).
   * `tenantId` limits it to one organization's events: tests that share a database drain only
   * their own, so another test's app never dispatches (and "sends") them.
   */
  async drain(opts: { tenantId?: string } = {}): Promise<number> {
    let total = 0
    for (;;) {
      await this.#running
      const n = await this.#drainDue(opts.tenantId)
      total += n
      if (n === 0 && !this.#running) return total
    }
  }

  async #drainDue(tenantId?: string): Promise<number> {
    let total = 0
    for (;;) {
      const n = await this.#pass(tenantId)
      total += n
      if (n === 0) return total
    }
  }

  #schedule(): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => this.#tick(), this.intervalMs)
    this.#timer.unref()
  }

  #tick(): void {
    if (this.#running) return
    this.#running = this.#drainDue()
      .then(() => undefined, (error: unknown) => { this.log.error({ err: error }, 'outbox pass failed') })
      .finally(() => {
        this.#running = undefined
        if (this.#again) {
          this.#again = false
          this.nudge()
        } else {
          this.#schedule()
        }
      })
  }

  async #pass(tenantId?: string): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      let q = tx.selectFrom('outbox')
        .select(['tenant_id', 'id', 'type', 'payload', 'attempts'])
        .where('dispatched_at', 'is', null)
        .where('failed_at', 'is', null)
        .where('available_at', '<=', sql<string>`now()`)
        .orderBy('available_at')
        .limit(50)
        .forUpdate()
        .skipLocked()
      if (tenantId) q = q.where('tenant_id', '=', tenantId)
      const rows = await q.execute()
      const done: typeof rows = []
      for (const row of rows) {
        const handlers = this.#handlers.get(row.type) ?? []
        if (!handlers.length) {
          done.push(row)
          continue
        }
        // A savepoint per event: a handler whose writes fail is rolled back alone, and the
        // failure can still be recorded in this transaction.
        await sql`SAVEPOINT outbox_event`.execute(tx)
        try {
          for (const handler of handlers) await handler(row, tx)
          await sql`RELEASE SAVEPOINT outbox_event`.execute(tx)
          done.push(row)
        } catch (error) {
          await sql`ROLLBACK TO SAVEPOINT outbox_event`.execute(tx)
          const attempts = row.attempts + 1
          const message = error instanceof Error ? error.message : String(error)
          this.log.warn({ err: error, event: row.id, type: row.type, attempts }, 'outbox handler failed')
          await tx.updateTable('outbox')
            .set({
              attempts,
              last_error: message.slice(0, 2000),
              available_at: sql`now() + make_interval(secs => ${Math.min(3600, 2 ** attempts)})`,
              ...(attempts >= MAX_ATTEMPTS ? { failed_at: sql`now()` } : {}),
            })
            .where('tenant_id', '=', row.tenant_id).where('id', '=', row.id).execute()
        }
      }
      // The events handled are marked together, in the transaction of their handlers' writes.
      if (done.length) {
        await tx.updateTable('outbox').set({ dispatched_at: sql`now()` })
          .where(sql<boolean>`(tenant_id, id) IN (SELECT * FROM unnest(${done.map((r) => r.tenant_id)}::uuid[], ${done.map((r) => r.id)}::uuid[]))`)
          .execute()
      }
      return rows.length
    })
  }
}
