import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { withSystem } from '../../platform/db/tenant.js'
import { emit } from '../../platform/outbox.js'
import { addMember, call, createTestApp, registerOrg } from '../../../../test/helpers.js'

let app: App
let failing = true
const handled: string[] = []
beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  app.ctx.outbox.on('test.flaky', async (event) => {
    if (failing) throw new Error('the downstream service is down')
    handled.push(event.id)
  })
})
afterAll(async () => { await app.close() })

describe('background jobs', () => {
  it('end as dead letters after their last attempt, visible to admins with the error, and can be sent round again', async () => {
    const admin = await registerOrg(app)
    const agent = await addMember(app, admin, 'agent')
    await withSystem(app.ctx.db, (tx) => emit(tx, admin.tenantId, 'test.flaky', { n: 1 }))
    for (let i = 0; i < 8; i++) {
      await app.ctx.outbox.drain({ tenantId: admin.tenantId })
      await withSystem(app.ctx.db, (tx) => tx.updateTable('outbox').set({ available_at: sql`now()` }).where('tenant_id', '=', admin.tenantId).execute())
    }
    const summary = await call(app, 'GET', '/api/v1/jobs', { token: admin.token })
    expect(summary.json.data).toMatchObject({ events: { dead: 1, retrying: 0 } })
    const dead = await call(app, 'GET', '/api/v1/jobs/dead', { token: admin.token })
    expect(dead.json.data).toEqual([expect.objectContaining({ type: 'test.flaky', attempts: 8, last_error: 'the downstream service is down', payload: { n: 1 } })])
    expect((await call(app, 'GET', '/api/v1/jobs/dead', { token: agent.token })).statusCode).toBe(403)

    const id = (dead.json.data as Array<{ id: string }>)[0]!.id
    failing = false
    expect((await call(app, 'POST', `/api/v1/jobs/dead/${id}/retry`, { token: admin.token })).statusCode).toBe(200)
    await app.ctx.outbox.drain({ tenantId: admin.tenantId })
    expect(handled).toEqual([id])
    expect((await call(app, 'GET', '/api/v1/jobs/dead', { token: admin.token })).json.data).toEqual([])
    expect((await call(app, 'POST', `/api/v1/jobs/dead/${id}/retry`, { token: admin.token })).statusCode).toBe(409)
    const other = await registerOrg(app)
    expect((await call(app, 'POST', `/api/v1/jobs/dead/${id}/retry`, { token: other.token })).statusCode).toBe(404)
  })
})
