import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Actor } from './auth/actor.js'
import { onCommit } from './db/tenant.js'

/**
 * Answers kept in memory for a few seconds so that requests do not pay a database round trip for
 * what rarely changes (docs/decisions/0010-shared-caches.md): who a credential is (`auth`), an
 * organization's statuses and custom-field definitions (`tenant-config`). One of each per process;
 * keys carry the organization or credential, so apps sharing a process (tests) share them safely.
 *
 * Freshness: every write that can change a cached answer calls `cacheChanged(name)` in its
 * transaction. That empties the cache at once and again when the transaction commits, and, with
 * Redis, on every other instance on commit (CacheBus). The generation check keeps a lookup that
 * read the database before such a commit from storing its answer after it. The TTL bounds what a
 * lost signal could cost (an instance cut off from Redis).
 */
export class SharedCache<V> {
  #entries = new Map<string, { value: V; until: number }>()
  #generation = 0

  constructor(readonly name: CacheName, public ttlMs: number, private readonly maxEntries: number) {}

  /**
   * The cached value for `key`, or the one `load` reads, kept until `until` (epoch ms, default:
   * no limit) or the TTL, whichever is first. A `load` that throws caches nothing.
   */
  async get(key: string, load: () => Promise<{ value: V; until?: number }>): Promise<V> {
    const now = Date.now()
    const hit = this.#entries.get(key)
    if (hit && hit.until > now) return hit.value
    if (hit) this.#entries.delete(key)
    const generation = this.#generation
    const { value, until = Number.POSITIVE_INFINITY } = await load()
    if (this.ttlMs > 0 && generation === this.#generation) {
      if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!)
      this.#entries.set(key, { value, until: Math.min(until, now + this.ttlMs) })
    }
    return value
  }

  clear(): void {
    this.#generation++
    this.#entries.clear()
  }
}

export type CacheName = 'auth' | 'tenant-config'

export const authCache = new SharedCache<Actor>('auth', 15_000, 20_000)
export const tenantConfigCache = new SharedCache<unknown>('tenant-config', 15_000, 5_000)
const CACHES: Record<CacheName, SharedCache<unknown>> = { auth: authCache as SharedCache<unknown>, 'tenant-config': tenantConfigCache }

/** Sets how long entries live (AIDLY_CACHE_SECONDS; 0 turns the caches off). */
export function setCacheTtl(seconds: number): void {
  for (const cache of Object.values(CACHES)) cache.ttlMs = seconds * 1000
}

const CHANNEL_PREFIX = 'aidly:cache-changed:'

/** Carries "this changed" between instances through Redis pub/sub; one per app with REDIS_URL. */
export class CacheBus {
  #subscriber: Redis
  #ready: Promise<void>

  constructor(private readonly redis: Redis, private readonly log: Logger) {
    this.#subscriber = redis.duplicate()
    this.#subscriber.on('error', (err) => log.warn({ err }, 'cache bus: redis subscriber error'))
    this.#subscriber.on('message', (channel: string) => CACHES[channel.slice(CHANNEL_PREFIX.length) as CacheName]?.clear())
    this.#ready = this.#subscriber.subscribe(...Object.keys(CACHES).map((name) => CHANNEL_PREFIX + name))
      .then(() => undefined, (err: unknown) => log.error({ err }, 'cache bus: could not subscribe'))
    BUSES.add(this)
  }

  /** Resolves once this instance hears other instances' announcements. */
  ready(): Promise<void> {
    return this.#ready
  }

  announce(name: CacheName): void {
    this.redis.publish(CHANNEL_PREFIX + name, '1').catch((err: unknown) => this.log.warn({ err, cache: name }, 'cache bus: could not announce a change'))
  }

  close(): void {
    BUSES.delete(this)
    this.#subscriber.disconnect()
  }
}

const BUSES = new Set<CacheBus>()

/**
 * Call inside the transaction of any write that changes what the cache `name` holds. It is
 * emptied now (so no request is answered from what is being replaced) and again when the
 * transaction commits (so nothing read before the commit survives it); other instances are told
 * on commit.
 */
export function cacheChanged(name: CacheName): void {
  CACHES[name].clear()
  onCommit(() => {
    CACHES[name].clear()
    for (const bus of BUSES) bus.announce(name)
  })
}

/** Who a credential is or what it may do changed: a session, membership, role or API key. */
export const authChanged = (): void => cacheChanged('auth')
