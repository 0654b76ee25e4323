import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../src/server/app.js'
import { withSystem, withTenant } from '../../src/server/platform/db/tenant.js'
import { uuidv7 } from '../../src/server/platform/ids.js'
import { call, createTestApp, registerOrg, uniqueEmail, type Session } from '../helpers.js'

let app: App
let a: Session
let b: Session
beforeAll(async () => {
  app = await createTestApp()
  a = await registerOrg(app)
  b = await registerOrg(app)
  await withSystem(app.ctx.db, async (tx) => {
    for (const s of [a, b]) await tx.insertInto('teams').values({ tenant_id: s.tenantId, id: uuidv7(), name: `Team of ${s.tenantId}` }).execute()
  })
})
afterAll(async () => { await app.close() })

describe('row-level security', () => {
  it('is enabled, with a policy, on every table that has a tenant_id column', async () => {
    const { rows } = await sql<{ table_name: string; rls: boolean; policies: number }>`
      SELECT c.table_name, cl.relrowsecurity AS rls,
             (SELECT count(*)::int FROM pg_policies p WHERE p.tablename = c.table_name) AS policies
      FROM information_schema.columns c
      JOIN pg_class cl ON cl.relname = c.table_name AND cl.relkind = 'r'
      JOIN pg_namespace n ON n.oid = cl.relnamespace AND n.nspname = 'public'
      WHERE c.column_name = 'tenant_id' AND c.table_schema = 'public'
        AND c.table_name NOT IN ('sessions')`.execute(app.ctx.db)
    expect(rows.length).toBeGreaterThanOrEqual(8)
    for (const row of rows) expect({ table: row.table_name, rls: row.rls, policies: row.policies > 0 }).toEqual({ table: row.table_name, rls: true, policies: true })
  })

  it('stops a query that forgot its tenant filter', async () => {
    const forgetful = await withTenant(app.ctx.db, { tenantId: a.tenantId }, (tx) => tx.selectFrom('teams').select('tenant_id').execute())
    expect(forgetful.length).toBeGreaterThan(0)
    expect(forgetful.every((r) => r.tenant_id === a.tenantId)).toBe(true)
    const members = await withTenant(app.ctx.db, { tenantId: a.tenantId }, (tx) => tx.selectFrom('memberships').select('tenant_id').execute())
    expect(members.every((r) => r.tenant_id === a.tenantId)).toBe(true)
    const people = await withTenant(app.ctx.db, { tenantId: a.tenantId }, (tx) => tx.selectFrom('users').select('id').execute())
    expect(people.map((p) => p.id)).toContain(a.userId)
    expect(people.map((p) => p.id)).not.toContain(b.userId)
  })

  it('limits an unfiltered update or delete to the current tenant', async () => {
    await withTenant(app.ctx.db, { tenantId: a.tenantId }, (tx) => tx.updateTable('teams').set({ description: 'touched' }).execute())
    const bTeams = await withSystem(app.ctx.db, (tx) => tx.selectFrom('teams').select('description').where('tenant_id', '=', b.tenantId).execute())
    expect(bTeams.every((t) => t.description !== 'touched')).toBe(true)
    await withTenant(app.ctx.db, { tenantId: a.tenantId }, (tx) => tx.deleteFrom('audit_events').execute())
    const orgs = await withTenant(app.ctx.db, { tenantId: a.tenantId }, (tx) => tx.selectFrom('organizations').select('id').execute())
    expect(orgs.map((o) => o.id)).toEqual([a.tenantId])
  })

  it('refuses to write a row into another tenant', async () => {
    await expect(withTenant(app.ctx.db, { tenantId: a.tenantId }, (tx) =>
      tx.insertInto('teams').values({ tenant_id: b.tenantId, id: uuidv7(), name: 'sneaky' }).execute())).rejects.toThrow(/row-level security/)
    await expect(withTenant(app.ctx.db, { tenantId: a.tenantId }, (tx) =>
      tx.updateTable('teams').set({ tenant_id: b.tenantId }).execute())).rejects.toThrow(/row-level security/)
  })

  it('shows nothing when no tenant is set, and keeps identity tables out of reach', async () => {
    const rows = await app.ctx.db.transaction().execute(async (tx) => {
      await sql`SELECT set_config('role', 'aidly_app', true)`.execute(tx)
      return tx.selectFrom('teams').selectAll().execute()
    })
    expect(rows).toEqual([])
    await expect(withTenant(app.ctx.db, { tenantId: a.tenantId }, (tx) => tx.selectFrom('sessions').selectAll().execute())).rejects.toThrow(/permission denied/)
    await expect(withTenant(app.ctx.db, { tenantId: a.tenantId }, (tx) => tx.selectFrom('refresh_tokens').selectAll().execute())).rejects.toThrow(/permission denied/)
  })

  it('binds the index-friendly tenant views to the current tenant too', async () => {
    const ticketsOf = async (tenantId: string | null) => app.ctx.db.transaction().execute(async (tx) => {
      await sql`SELECT set_config('app.tenant_id', ${tenantId ?? ''}, true), set_config('role', 'aidly_app', true)`.execute(tx)
      const { rows } = await sql<{ tenant_id: string }>`SELECT tenant_id FROM tenant_tickets UNION ALL SELECT tenant_id FROM tenant_comments
        UNION ALL SELECT tenant_id FROM tenant_contacts UNION ALL SELECT tenant_id FROM tenant_companies`.execute(tx)
      return rows
    })
    for (const s of [a, b]) {
      await call(app, 'POST', '/api/v1/tickets', { token: s.token, body: { subject: 'view check', requester: { email: uniqueEmail() } } })
      await call(app, 'POST', '/api/v1/companies', { token: s.token, body: { name: 'View Co' } })
    }
    const rowsA = await ticketsOf(a.tenantId)
    expect(rowsA.length).toBeGreaterThan(0)
    expect(rowsA.every((r) => r.tenant_id === a.tenantId)).toBe(true)
    expect(await ticketsOf(null)).toEqual([])
    await expect(withTenant(app.ctx.db, { tenantId: a.tenantId }, (tx) => sql`DELETE FROM tenant_tickets`.execute(tx))).rejects.toThrow(/permission denied/)
  })

  it('keeps concurrent transactions of different tenants apart', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => {
      const s = i % 2 ? a : b
      return withTenant(app.ctx.db, { tenantId: s.tenantId }, async (tx) => {
        await new Promise((r) => setTimeout(r, 2))
        const rows = await tx.selectFrom('teams').select('tenant_id').execute()
        return rows.every((r) => r.tenant_id === s.tenantId) && rows.length > 0
      })
    }))
    expect(results.every(Boolean)).toBe(true)
  })
})
