import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../app.js'
import { createTestApp, registerOrg } from '../../../test/helpers.js'
import { withSystem } from './db/tenant.js'
import { uuidv7 } from './ids.js'
import { emit } from './outbox.js'

let app: App
beforeAll(async () => {
  app = await createTestApp()
  // A handler that writes, then fails for odd numbers: its write must be undone and the others kept.
  app.ctx.outbox.on('test.batch', async (event, tx) => {
    await tx.insertInto('audit_events').values({
      tenant_id: event.tenant_id, id: uuidv7(), actor_id: null, action: 'test.batch', subject_type: `n${String(event.payload.n)}`, subject_id: uuidv7(), data: JSON.stringify({}), ip: null,
    }).execute()
    if (Number(event.payload.n) % 2) throw new Error(`odd ${String(event.payload.n)}`)
  })
})
afterAll(async () => app?.close())

describe('the outbox dispatcher', () => {
  it('handles a batch in one pass: a failing event is rolled back and retried alone, the rest are marked dispatched', async () => {
    const admin = await registerOrg(app)
    await app.ctx.outbox.drain({ tenantId: admin.tenantId })
    await withSystem(app.ctx.db, async (tx) => {
      for (let n = 0; n < 6; n++) await emit(tx, admin.tenantId, 'test.batch', { n })
      await emit(tx, admin.tenantId, 'test.unhandled', {})
    })
    await app.ctx.outbox.drain({ tenantId: admin.tenantId })
    const events = await withSystem(app.ctx.db, (tx) => tx.selectFrom('outbox').select(['type', 'payload', 'dispatched_at', 'attempts', 'last_error'])
      .where('tenant_id', '=', admin.tenantId).where('type', 'in', ['test.batch', 'test.unhandled']).orderBy('id').execute())
    expect(events.map((e) => [e.type, e.dispatched_at !== null, e.attempts, e.last_error])).toEqual([
      ['test.batch', true, 0, null], ['test.batch', false, 1, 'odd 1'], ['test.batch', true, 0, null],
      ['test.batch', false, 1, 'odd 3'], ['test.batch', true, 0, null], ['test.batch', false, 1, 'odd 5'],
      ['test.unhandled', true, 0, null],
    ])
    const written = await withSystem(app.ctx.db, (tx) => tx.selectFrom('audit_events').select('subject_type')
      .where('tenant_id', '=', admin.tenantId).where('action', '=', 'test.batch').orderBy('subject_type').execute())
    expect(written.map((r) => r.subject_type)).toEqual(['n0', 'n2', 'n4'])
  })
})
