import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../src/server/app.js'
import { MemoryRateLimiter, RedisRateLimiter } from '../../src/server/platform/rate-limit.js'
import { call, createTestApp, uniqueEmail } from '../helpers.js'

const redisUrl = process.env.TEST_REDIS_URL
const inCI = process.env.CI === 'true'

describe('memory rate limiter', () => {
  it('allows up to the limit per window, then answers 429 with Retry-After', async () => {
    const limiter = new MemoryRateLimiter()
    for (let i = 0; i < 3; i++) await limiter.hit('k', 3, 60_000)
    await expect(limiter.hit('k', 3, 60_000)).rejects.toMatchObject({ code: 'rate_limited', headers: { 'retry-after': '60' } })
    await limiter.hit('other', 3, 60_000)
    await limiter.reset('k')
    await limiter.hit('k', 3, 60_000)
  })
})

describe.skipIf(!redisUrl && !inCI)('Redis-shared limits across instances', () => {
  let a: App
  let b: App
  beforeAll(async () => {
    if (!redisUrl) throw new Error('CI needs TEST_REDIS_URL (Redis at 127.0.0.1:6379)')
    const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    await probe.connect()
    await probe.quit()
    a = await createTestApp({ redisUrl, authRateLimitPerMinute: 4 })
    b = await createTestApp({ redisUrl, authRateLimitPerMinute: 4 })
    await a.ctx.limiter.reset('login:ip:127.0.0.1')
  })
  afterAll(async () => {
    await a?.ctx.limiter.reset('login:ip:127.0.0.1')
    await a?.close()
    await b?.close()
  })

  it('counts one limit across two instances', async () => {
    expect(a.ctx.limiter).toBeInstanceOf(RedisRateLimiter)
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const app = i % 2 ? b : a
      statuses.push((await call(app, 'POST', '/api/v1/auth/login', { body: { email: uniqueEmail(), password: 'whatever-password' } })).statusCode)
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429])
  })

  it('reports Redis in the health check', async () => {
    const res = await call(a, 'GET', '/api/health')
    expect(res.json).toMatchObject({ status: 'ok', checks: { database: 'ok', redis: 'ok' } })
  })
})
