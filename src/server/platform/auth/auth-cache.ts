import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { onCommit } from '../db/tenant.js'
import type { Actor } from './actor.js'

/**
 * Who a credential belongs to, kept in memory for a few seconds so that a request does not pay a
 * database round trip to learn it (docs/decisions/0010-auth-cache.md). Entries are the actor plus
 * the moment the session or key expires.
 *
 * Freshness: every write that can change an answer — a session revoked or moved, a membership
 * deactivated or given another role, a role's permissions changed, an API key revoked — calls
 * `authChanged()` in its transaction. That empties every cache of this process at once and again
 * when the transaction commits, and, with Redis, every other instance's on commit. The generation
 * check below keeps a lookup that read the database before such a commit from storing its stale
 * answer after it. The TTL bounds what a missed signal could cost (an instance cut off from Redis).
 */
export class AuthCache {
  #entries = new Map<string, { actor: Actor; until: number }>()
  #generation = 0
  #subscriber: Redis | null = null
  #ready: Promise<void> = Promise.resolve()

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 20_000,
    private readonly publisher: Redis | null = null,
    private readonly log?: Logger,
  ) {
    CACHES.add(this)
    if (publisher) {
      const sub = publisher.duplicate()
      sub.on('error', (err) => log?.warn({ err }, 'auth cache: redis subscriber error'))
      sub.on('message', () => this.clear())
      this.#ready = sub.subscribe(CHANNEL).then(() => undefined, (err: unknown) => log?.error({ err }, 'auth cache: could not subscribe'))
      this.#subscriber = sub
    }
  }

  /**
   * The cached actor for `key`, or the one `load` reads (then cached until `expiresAt` or the TTL,
   * whichever is first). Failures are not cached: a refused credential is looked up each time.
   */
  async get(key: string, load: () => Promise<{ actor: Actor; expiresAt: number }>): Promise<Actor> {
    const now = Date.now()
    const hit = this.#entries.get(key)
    if (hit && hit.until > now) return hit.actor
    if (hit) this.#entries.delete(key)
    const generation = this.#generation
    const { actor, expiresAt } = await load()
    if (this.ttlMs > 0 && generation === this.#generation) {
      if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!)
      this.#entries.set(key, { actor, until: Math.min(expiresAt, now + this.ttlMs) })
    }
    return actor
  }

  /** Resolves once this instance hears other instances' announcements. */
  ready(): Promise<void> {
    return this.#ready
  }

  clear(): void {
    this.#generation++
    this.#entries.clear()
  }

  /** Tells the other instances (through Redis) to forget what they know. */
  announce(): void {
    this.publisher?.publish(CHANNEL, '1').catch((err: unknown) => this.log?.warn({ err }, 'auth cache: could not announce a change'))
  }

  close(): void {
    CACHES.delete(this)
    this.#subscriber?.disconnect()
  }
}

const CHANNEL = 'aidly:auth-changed'
const CACHES = new Set<AuthCache>()

/**
 * Call inside the transaction of any write that changes who a credential is or what it may do.
 * Caches are emptied now (so no request is answered from what is being replaced) and again when
 * the transaction commits (so nothing read before the commit survives it), and other instances
 * are told on commit.
 */
export function authChanged(): void {
  for (const cache of CACHES) cache.clear()
  onCommit(() => {
    for (const cache of CACHES) {
      cache.clear()
      cache.announce()
    }
  })
}
