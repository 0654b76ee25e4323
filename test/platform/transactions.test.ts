import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../src/server/app.js'
import { withSystem } from '../../src/server/platform/db/tenant.js'
import { sql } from 'kysely'
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
