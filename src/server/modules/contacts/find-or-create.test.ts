import { CompiledQuery, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { App } from '../../app.js'
import { withSystem, withTenant } from '../../platform/db/tenant.js'
import { uuidv7 } from '../../platform/ids.js'
import { createTestApp, registerOrg } from '../../../../test/helpers.js'
import { findOrCreateContact } from './find-or-create.js'

let app: App
beforeAll(async () => { app = await createTestApp() })
afterAll(async () => { await app.close() })

describe('findOrCreateContact', () => {
  it('creates a contact once per email, case-insensitively, joined to the company of its domain', async () => {
    const s = await registerOrg(app)
    const ctx = { tenantId: s.tenantId, userId: s.userId }
    const companyId = uuidv7()
    await withTenant(app.ctx.db, ctx, (tx) => tx.insertInto('companies').values({ tenant_id: s.tenantId, id: companyId, name: 'Initech', domains: ['initech.example'], custom_fields: '{}' }).execute())
    const first = await withTenant(app.ctx.db, ctx, (tx) => findOrCreateContact(tx, s.tenantId, { email: 'Peter@Initech.example', name: 'Peter' }))
    expect(first).toMatchObject({ created: true, name: 'Peter', company_id: companyId })
    const again = await withTenant(app.ctx.db, ctx, (tx) => findOrCreateContact(tx, s.tenantId, { email: 'peter@initech.EXAMPLE' }))
    expect(again).toMatchObject({ created: false, id: first.id })
    const unnamed = await withTenant(app.ctx.db, ctx, (tx) => findOrCreateContact(tx, s.tenantId, { email: 'milton@elsewhere.example' }))
    expect(unnamed).toMatchObject({ created: true, name: 'milton', company_id: null })
  })

  it('settles concurrent creates of one email on a single contact', async () => {
    const s = await registerOrg(app)
    const ctx = { tenantId: s.tenantId, userId: s.userId }
    const results = await Promise.all(Array.from({ length: 6 }, () =>
      withTenant(app.ctx.db, ctx, (tx) => findOrCreateContact(tx, s.tenantId, { email: 'race@example.test' }))))
    expect(new Set(results.map((r) => r.id)).size).toBe(1)
  })

  // Under row-level security lower(email) and @> cannot use their indexes: the lookups read the
  // tenant views in a tenant transaction (and the tables in system work), so that sending one
  // email does not read every contact of the organization.
  it('looks contacts and companies up by index, in a tenant transaction and in system work', async () => {
    const s = await registerOrg(app)
    const ctx = { tenantId: s.tenantId, userId: s.userId }
    // Enough rows that reading them all costs more than the index, as in a real organization.
    await withSystem(app.ctx.db, async (tx) => {
      await sql`INSERT INTO companies (tenant_id, id, name, domains, custom_fields)
        SELECT ${s.tenantId}::uuid, gen_random_uuid(), 'Company ' || g, ARRAY['c' || g || '.example'], '{}' FROM generate_series(1, 2000) g`.execute(tx)
      await sql`INSERT INTO contacts (tenant_id, id, email, name, phones, address, custom_fields)
        SELECT ${s.tenantId}::uuid, gen_random_uuid(), 'person' || g || '@c' || (g % 2000) || '.example', 'Person ' || g, '[]', '{}', '{}' FROM generate_series(1, 4000) g`.execute(tx)
      await sql`ANALYZE contacts`.execute(tx)
      await sql`ANALYZE companies`.execute(tx)
    })
    let proto = Object.getPrototypeOf(app.ctx.db.getExecutor())
    while (proto && !Object.hasOwn(proto, 'executeQuery')) proto = Object.getPrototypeOf(proto)
    for (const run of [
      (fn: Parameters<typeof withSystem>[1]) => withTenant(app.ctx.db, ctx, fn),
      (fn: Parameters<typeof withSystem>[1]) => withSystem(app.ctx.db, fn),
    ]) {
      const spy = vi.spyOn(proto, 'executeQuery')
      let lookups: CompiledQuery[] = []
      try {
        await run((tx) => findOrCreateContact(tx, s.tenantId, { email: `${uuidv7()}@nowhere.example` }))
        lookups = spy.mock.calls.map((c) => c[0] as CompiledQuery).filter((q) => /^select/i.test(q.sql) && /contacts|companies/.test(q.sql))
      } finally {
        spy.mockRestore()
      }
      expect(lookups.length).toBeGreaterThanOrEqual(2) // the contact, then the company of its domain
      await run(async (tx) => {
        for (const q of lookups) {
          const plan = (await tx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN ${q.sql}`, [...q.parameters]))).rows.map((r) => r['QUERY PLAN']).join('\n')
          // The email or the domain is what the index is searched by, not a filter on every row of the organization.
          if (/from "contacts"|tenant_contacts/.test(q.sql)) expect(plan, q.sql).toMatch(/Index Cond: .*lower\(email\)/)
          else expect(plan, q.sql).toMatch(/companies_domains/)
        }
      })
    }
  })
})
