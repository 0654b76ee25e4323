import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../../src/server/app.js'
import { loadConfig } from '../../src/server/platform/config.js'
import { withSystem } from '../../src/server/platform/db/tenant.js'
import { emit } from '../../src/server/platform/outbox.js'
import { storeInbound } from '../../src/server/modules/email/intake.js'
import { processDueInbound } from '../../src/server/modules/email/worker.js'
import { addMailbox, rawMail } from '../../src/server/modules/email/test-support.js'
import { connect } from '../support/ws-client.js'
import { call, registerOrg } from '../helpers.js'

/**
 * Two Aidly instances on one PostgreSQL server and one Redis — the scale-out setup of
 * docs/scaling.md: instance A serves the API and WebSockets, instance B runs the workers. Runs on
 * both CI passes (its own database on the PostgreSQL server, whatever engine the rest of the
 * suite uses); outside CI it is skipped when PostgreSQL or Redis is missing.
 */
const serverUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
const redisUrl = process.env.TEST_REDIS_URL || (process.env.CI === 'true' ? 'redis://127.0.0.1:6379' : undefined)
const inCI = process.env.CI === 'true'

async function reachable(): Promise<boolean> {
  if (!redisUrl) return false
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.end()
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 })
    await redis.connect()
    await redis.quit()
    return true
  } catch {
    return false
  }
}

const available = await reachable()
if (!available && inCI) throw new Error(`CI needs PostgreSQL at ${serverUrl} and Redis at ${redisUrl ?? '(TEST_REDIS_URL unset)'}`)

let a: App
let b: App
let dbName = ''

beforeAll(async () => {
  if (!available) return
  dbName = `aidly_multi_${process.pid}_${Date.now()}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${dbName}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${dbName}`
  // Both instances share the database, Redis, the secret and the file store (a shared volume or
  // object storage in production), as docs/scaling.md says they must.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aidly-multi-'))
  const config = (role: string) => loadConfig({ LOG_LEVEL: 'silent', AIDLY_DEMO: '0', AIDLY_DATA_DIR: dataDir }, {
    databaseUrl: url.toString(), redisUrl, secret: 'multi-instance-secret-that-is-long-enough-0123456789', authRateLimitPerMinute: 1000,
    publicUrl: `http://${role}.example.test`,
  })
  a = await buildApp(config('api'))
  b = await buildApp(config('worker'), { startWorkers: true })
  await a.listen({ port: 0, host: '127.0.0.1' })
  await Promise.all([a.ctx.realtime.ready(), b.ctx.realtime.ready(), a.ctx.cacheBus!.ready(), b.ctx.cacheBus!.ready()])
}, 60_000)

afterAll(async () => {
  await a?.close()
  await b?.close()
  if (!dbName) return
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
  await admin.end()
})

describe.skipIf(!available && !inCI)('two instances on one PostgreSQL and one Redis', () => {
  it('a client connected to instance A sees a change made through instance B', async () => {
    const admin = await registerOrg(b)
    const address = a.server.address()
    const client = await connect(`ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, admin.token)
    const created = await call(b, 'POST', '/api/v1/tickets', { token: admin.token, body: { subject: 'Made on B' } })
    expect(created.statusCode).toBe(201)
    // B's workers dispatch the outbox; the event crosses Redis to A, which tells its client.
    const seen = await client.next((m) => m.type === 'ticket.created' && m.ticket_id === (created.json.data as { id: string }).id, 10_000)
    expect(seen).toMatchObject({ type: 'ticket.created' })
    client.ws.close()
  })

  it('takes each job on exactly one instance when both work the same queues', async () => {
    const admin = await registerOrg(a)
    const box = await addMailbox(a, admin)
    const ids: string[] = []
    for (let i = 0; i < 40; i++) {
      ids.push((await storeInbound(a.ctx, { tenantId: admin.tenantId, accountId: box.id, channel: 'smtp', raw: rawMail({ from: `c${i}@example.test`, to: box.address, subject: `job ${i}` }) })).id)
    }
    // Both instances drain the inbound queue at once, several passes each.
    const counts = await Promise.all([a, b, a, b].map(async (app) => {
      let n = 0
      for (let pass = 0; pass < 10; pass++) n += await processDueInbound(app.ctx, { tenantId: admin.tenantId })
      return n
    }))
    // B's own background worker may take some too; what matters is that each was taken once.
    expect(counts.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(40)
    const inbound = () => withSystem(a.ctx.db, (tx) => tx.selectFrom('email_messages').select(['outcome', 'attempts'])
      .where('tenant_id', '=', admin.tenantId).where('direction', '=', 'inbound').execute())
    // A message B's background worker holds when the passes above end is finished by that worker.
    await expect.poll(async () => (await inbound()).filter((r) => r.outcome === null).length, { timeout: 15_000 }).toBe(0)
    const rows = await inbound()
    expect(rows.map((r) => r.outcome)).toEqual(Array(40).fill('ticket_created'))
    expect(rows.every((r) => r.attempts === 1)).toBe(true)

    // Outbox events too: each handled once across instances.
    const handled = new Map<string, number>()
    for (const app of [a, b]) app.ctx.outbox.on('test.multi', async (event) => { handled.set(event.id, (handled.get(event.id) ?? 0) + 1) })
    await withSystem(a.ctx.db, async (tx) => { for (let i = 0; i < 30; i++) await emit(tx, admin.tenantId, 'test.multi', { i }) })
    await Promise.all([a.ctx.outbox.drain({ tenantId: admin.tenantId }), b.ctx.outbox.drain({ tenantId: admin.tenantId })])
    expect(handled.size).toBe(30)
    expect([...handled.values()].every((n) => n === 1)).toBe(true)
  })

  it('a sign-out through instance B ends the session on instance A, which had it cached', async () => {
    const admin = await registerOrg(b)
    expect((await call(a, 'GET', '/api/v1/auth/me', { token: admin.token })).statusCode).toBe(200)
    // Revoked behind both instances' backs: A still answers from its cache, which shows the cache is in use…
    await withSystem(a.ctx.db, (tx) => tx.updateTable('sessions').set({ revoked_at: new Date().toISOString() }).where('user_id', '=', admin.userId).execute())
    expect((await call(a, 'GET', '/api/v1/auth/me', { token: admin.token })).statusCode).toBe(200)
    // …until B announces a change through Redis, as every sign-out, revocation and role change does on commit.
    b.ctx.cacheBus!.announce('auth')
    await expect.poll(async () => (await call(a, 'GET', '/api/v1/auth/me', { token: admin.token })).statusCode, { timeout: 5000 }).toBe(401)
  })

  it('shares rate limits through Redis', async () => {
    expect(a.ctx.limiter.constructor.name).toBe('RedisRateLimiter')
    const key = `multi:${dbName}`
    for (let i = 0; i < 3; i++) await (i % 2 ? a : b).ctx.limiter.hit(key, 3, 60_000)
    await expect(a.ctx.limiter.hit(key, 3, 60_000)).rejects.toMatchObject({ code: 'rate_limited' })
    await expect(b.ctx.limiter.hit(key, 3, 60_000)).rejects.toMatchObject({ code: 'rate_limited' })
    await a.ctx.limiter.reset(key)
  })
})
