import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { withSystem } from '../../platform/db/tenant.js'
import { call, createTestApp, login } from '../../../../test/helpers.js'
import { DEMO_PASSWORD, DEMO_SLUG, seedDemo } from './seed-demo.js'

let app: App
beforeAll(async () => { app = await createTestApp() })
afterAll(async () => { await app.close() })

describe('demo organization', () => {
  it('is created once, with people, teams and a helpdesk that looks lived-in', async () => {
    // The PostgreSQL run shares one database between test files; only the first seeding counts.
    const first = await seedDemo(app.ctx)
    const org = await withSystem(app.ctx.db, (tx) => tx.selectFrom('organizations').select('id').where('slug', '=', DEMO_SLUG).executeTakeFirstOrThrow())
    if (first) expect(first.map((p) => p.role)).toEqual(['admin', 'manager', 'agent', 'agent', 'customer'])
    expect(await seedDemo(app.ctx)).toBeNull()

    const counts = await withSystem(app.ctx.db, async (tx) => ({
      tickets: (await tx.selectFrom('tickets').select(tx.fn.countAll<number>().as('n')).where('tenant_id', '=', org.id).executeTakeFirstOrThrow()).n,
      comments: (await tx.selectFrom('comments').select(tx.fn.countAll<number>().as('n')).where('tenant_id', '=', org.id).executeTakeFirstOrThrow()).n,
      internal: (await tx.selectFrom('comments').select(tx.fn.countAll<number>().as('n')).where('tenant_id', '=', org.id).where('is_internal', '=', true).executeTakeFirstOrThrow()).n,
      counter: (await tx.selectFrom('ticket_counters').select('last_number').where('tenant_id', '=', org.id).executeTakeFirstOrThrow()).last_number,
      categories: (await tx.selectFrom('tickets as t').innerJoin('ticket_statuses as s', (j) => j.onRef('s.tenant_id', '=', 't.tenant_id').onRef('s.id', '=', 't.status_id'))
        .select('s.category').distinct().where('t.tenant_id', '=', org.id).execute()).map((r) => r.category),
    }))
    expect(Number(counts.tickets)).toBe(320)
    expect(Number(counts.comments)).toBeGreaterThan(300)
    expect(Number(counts.internal)).toBeGreaterThan(10)
    expect(Number(counts.counter)).toBe(320)
    expect(counts.categories).toEqual(expect.arrayContaining(['new', 'open', 'pending', 'resolved', 'closed']))
  })

  it('lets the demo customer sign in to a portal account linked to their contact', async () => {
    await seedDemo(app.ctx)
    const carla = await login(app, 'carla@customer.example', DEMO_PASSWORD)
    const me = await call(app, 'GET', '/api/v1/auth/me', { token: carla.token })
    expect(me.json.data).toMatchObject({ role: { key: 'customer' }, organization: { slug: DEMO_SLUG } })
    const linked = await withSystem(app.ctx.db, (tx) => tx.selectFrom('contacts').select('id').where('user_id', '=', carla.userId).execute())
    expect(linked).toHaveLength(1)
  })
})
