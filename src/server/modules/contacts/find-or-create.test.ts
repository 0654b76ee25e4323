import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { withTenant } from '../../platform/db/tenant.js'
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
})
