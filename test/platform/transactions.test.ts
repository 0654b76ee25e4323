import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../src/server/app.js'
import { withSystem, withTenantRead } from '../../src/server/platform/db/tenant.js'
import { sql } from 'kysely'
import { tmpdir } from 'node:os'
import pg from 'pg'
import { openDatabase } from '../../src/server/platform/db/engine.js'
import { createTestApp } from '../helpers.js'

let app: App
beforeAll(async () => { app = await createTestApp() })
afterAll(async () => { await app.close() })

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code })

describe('transactions', () => {
  it('run again, whole, after a deadlock or serialization failure, and give up after three tries', async () => {
    let calls = 0
    const result = await withSystem(app.ctx.db, async (tx) => {
      calls++
      await tx.selectFrom('organizations').select('id').limit(1).execute()
      if (calls < 3) throw pgError(calls === 1 ? '40P01' : '40001')
      return 'done'
    })
    expect(result).toBe('done')
    expect(calls).toBe(3)

    let always = 0
    await expect(withSystem(app.ctx.db, async () => { always++; throw pgError('40P01') })).rejects.toThrow('pg 40P01')
    expect(always).toBe(3)
  })

  it('never retry other errors, and refuse to nest', async () => {
    let calls = 0
    await expect(withSystem(app.ctx.db, async () => { calls++; throw pgError('23505') })).rejects.toThrow('pg 23505')
    expect(calls).toBe(1)
    await expect(withSystem(app.ctx.db, () => withSystem(app.ctx.db, async () => 1))).rejects.toThrow(/inside another/)
  })

  // On PostgreSQL reads are prepared statements (engine.ts); PGlite runs them unprepared, and the
  // same reads must work there too.
  it('survive a table changing shape under a prepared statement (a deploy adding a column)', async () => {
    const table = `stale_probe_${process.pid}_${Date.now()}`
    await sql`CREATE TABLE ${sql.raw(table)} (id int)`.execute(app.ctx.db)
    await sql`INSERT INTO ${sql.raw(table)} VALUES (1)`.execute(app.ctx.db)
    const read = () => withSystem(app.ctx.db, (tx) => sql<Record<string, unknown>>`SELECT * FROM ${sql.raw(table)} WHERE id = ${1}`.execute(tx))
    // Prepared on every pooled connection it lands on, then the table changes.
    for (let i = 0; i < 5; i++) expect((await read()).rows).toEqual([{ id: 1 }])
    await sql`ALTER TABLE ${sql.raw(table)} ADD COLUMN note text DEFAULT 'x'`.execute(app.ctx.db)
    for (let i = 0; i < 5; i++) expect((await read()).rows).toEqual([{ id: 1, note: 'x' }])
    await sql`DROP TABLE ${sql.raw(table)}`.execute(app.ctx.db)
  })
})

// Against the PostgreSQL server in both CI passes (the embedded engine has no server to close
// connections); outside CI it is skipped when no server is reachable.
const serverUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
async function serverReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.end()
    return true
  } catch {
    return false
  }
}
const haveServer = await serverReachable()
if (!haveServer && process.env.CI === 'true') throw new Error(`CI needs PostgreSQL at ${serverUrl}`)

describe.skipIf(!haveServer)('the connection pool on a PostgreSQL server', () => {
  it('keeps a read\'s tenant frame on its connection only for reads of the same person, never for other work', async () => {
    // One connection, so every step below lands on the connection the previous one left framed.
    const database = await openDatabase({ databaseUrl: serverUrl, dataDir: tmpdir(), poolSize: 1 })
    const db = database.db
    await sql`DO $$ BEGIN CREATE ROLE aidly_app NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`.execute(db)
    const who = async (q: typeof db) => (await sql<{ tenant: string; role: string }>`SELECT current_setting('app.tenant_id', true) AS tenant, current_user AS role`.execute(q)).rows[0]
    const [a, b, user] = ['01900000-0000-7000-8000-00000000000a', '01900000-0000-7000-8000-00000000000b', '01900000-0000-7000-8000-0000000000c1']
    try {
      let late: Promise<unknown> = Promise.resolve()
      expect(await withTenantRead(db, { tenantId: a, userId: user }, async (tx) => {
        // Work a read leaves behind runs after it, outside its frame.
        late = new Promise((resolve) => setTimeout(() => resolve(who(db)), 20))
        return who(tx)
      })).toEqual({ tenant: a, role: 'aidly_app' })
      expect(await late).toMatchObject({ role: expect.not.stringMatching(/^aidly_app$/) })
      expect((await who(db))!.role).not.toBe('aidly_app')
      expect(await withTenantRead(db, { tenantId: a, userId: user }, (tx) => who(tx))).toEqual({ tenant: a, role: 'aidly_app' })
      expect(await withSystem(db, (tx) => who(tx))).toMatchObject({ tenant: '' })
      expect((await withSystem(db, (tx) => who(tx)))!.role).not.toBe('aidly_app')
      expect(await withTenantRead(db, { tenantId: a, userId: user }, (tx) => who(tx))).toEqual({ tenant: a, role: 'aidly_app' })
      expect(await withTenantRead(db, { tenantId: b, userId: null }, (tx) => who(tx))).toEqual({ tenant: b, role: 'aidly_app' })
      // A transaction that resets the frame with its BEGIN and then rolls back takes the reset with it.
      await expect(withSystem(db, async (tx) => { await who(tx); throw new Error('changed my mind') })).rejects.toThrow('changed my mind')
      expect((await who(db))!.role).not.toBe('aidly_app')
      expect(await withTenantRead(db, { tenantId: a, userId: user }, (tx) => who(tx))).toEqual({ tenant: a, role: 'aidly_app' })
      await expect(withSystem(db, async (tx) => { await sql`SELECT ${1}::int`.execute(tx); throw new Error('again') })).rejects.toThrow('again')
      expect(await withSystem(db, (tx) => who(tx))).toMatchObject({ tenant: '' })
      expect((await withSystem(db, (tx) => who(tx)))!.role).not.toBe('aidly_app')
      // A failed read leaves the frame unknown; the next use sets what it needs again.
      await expect(withTenantRead(db, { tenantId: a, userId: user }, (tx) => sql`SELECT 1/0`.execute(tx))).rejects.toThrow(/division by zero/)
      expect(await withTenantRead(db, { tenantId: b, userId: null }, (tx) => who(tx))).toEqual({ tenant: b, role: 'aidly_app' })
      expect((await who(db))!.role).not.toBe('aidly_app')
    } finally {
      await database.close()
    }
  })

  it('keeps serving after the server ends an idle connection (a restart, a failover, pg_terminate_backend)', async () => {
    const reported: Error[] = []
    const database = await openDatabase({ databaseUrl: serverUrl, dataDir: tmpdir(), poolSize: 3, onIdleError: (error) => reported.push(error) })
    try {
      // Three connections at once, so the pool holds several idle ones afterwards.
      const pids = await Promise.all([1, 2, 3].map(async () => (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid, pg_sleep(0.05)`.execute(database.db)).rows[0]!.pid))
      const admin = new pg.Client({ connectionString: serverUrl })
      await admin.connect()
      try {
        for (const pid of new Set(pids)) await admin.query('SELECT pg_terminate_backend($1)', [pid])
      } finally {
        await admin.end()
      }
      // Each ended connection tells the pool on its own time; once all have, none is handed out again.
      await expect.poll(() => reported.length).toBeGreaterThanOrEqual(new Set(pids).size)
      // No unhandled error (vitest fails the run on one), and queries work on fresh connections.
      for (let i = 0; i < 5; i++) {
        const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db)
        expect(rows[0]!.one).toBe(1)
      }
    } finally {
      await database.close()
    }
  })
})
