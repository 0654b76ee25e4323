import type { Redis } from 'ioredis'
import { AppError } from './errors.js'

/**
 * Fixed-window counters for rate limits (per IP, per account). In memory for one instance;
 * through Redis (INCR + PEXPIRE) when REDIS_URL is set, so every instance shares the count.
 */
export interface RateLimiter {
  /** Counts one hit; throws `rate_limited` (429, Retry-After) once `limit` is passed in the window. */
  hit(key: string, limit: number, windowMs: number): Promise<void>
  reset(key: string): Promise<void>
}

export class MemoryRateLimiter implements RateLimiter {
  #windows = new Map<string, { count: number; resetAt: number }>()

  async hit(key: string, limit: number, windowMs: number): Promise<void> {
    const now = Date.now()
    if (this.#windows.size > 50_000) this.#sweep(now)
    let w = this.#windows.get(key)
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs }
      this.#windows.set(key, w)
    }
    w.count++
    if (w.count > limit) throw limited(w.resetAt - now)
  }

  async reset(key: string): Promise<void> {
    this.#windows.delete(key)
  }

  #sweep(now: number): void {
    for (const [key, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(key)
  }
}

export class RedisRateLimiter implements RateLimiter {
  constructor(private readonly redis: Redis, private readonly prefix = 'aidly:rl:') {}

  async hit(key: string, limit: number, windowMs: number): Promise<void> {
    const k = this.prefix + key
    const results = await this.redis.multi().incr(k).pttl(k).exec()
    const count = Number(results?.[0]?.[1] ?? 0)
    let ttl = Number(results?.[1]?.[1] ?? -1)
    if (ttl < 0) {
      await this.redis.pexpire(k, windowMs)
      ttl = windowMs
    }
    if (count > limit) throw limited(ttl)
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key)
  }
}

function limited(retryMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryMs / 1000))
  return new AppError('rate_limited', undefined, [], { 'retry-after': String(seconds) })
}
