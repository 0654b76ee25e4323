import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { createTestApp, registerOrg } from '../../../../test/helpers.js'
import { api, openTicket, setOrganization } from './test-support.js'

let app: App
beforeAll(async () => { app = await createTestApp({ authRateLimitPerMinute: 1000 }) })
afterAll(async () => { await app.close() })

describe('ticket numbers', () => {
  it('count up per organization, shown with the organization’s prefix', async () => {
    const a = await registerOrg(app)
    const b = await registerOrg(app)
    const a1 = await openTicket(app, a.token)
    const a2 = await openTicket(app, a.token)
    const b1 = await openTicket(app, b.token)
    expect([a1.number, a2.number, b1.number]).toEqual([1, 2, 1])
    expect([a1.ticket_number, a2.ticket_number, b1.ticket_number]).toEqual(['TKT-000001', 'TKT-000002', 'TKT-000001'])

    await setOrganization(app, a, { ticket_prefix: 'HELP' })
    const a3 = await openTicket(app, a.token)
    expect(a3.ticket_number).toBe('HELP-000003')
    // the prefix is how the number is shown, so earlier tickets take the new one too
    expect((await api(app, 'GET', `/api/v1/tickets/${a1.id}`, { token: a.token })).json.data.ticket_number).toBe('HELP-000001')
  })

  it('gives 20 concurrent creates 20 distinct consecutive numbers', async () => {
    const org = await registerOrg(app)
    await openTicket(app, org.token)
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      api(app, 'POST', '/api/v1/tickets', { token: org.token, body: { subject: `Parallel ${i}` } })))
    expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(201))
    const numbers = results.map((r) => (r.json.data as { number: number }).number).sort((x, y) => x - y)
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 2))
  })

  it('does not use up a number when a create fails', async () => {
    const org = await registerOrg(app)
    await openTicket(app, org.token)
    const failed = await api(app, 'POST', '/api/v1/tickets', { token: org.token, body: { subject: 'x', team_id: '00000000-0000-7000-8000-000000000000' } })
    expect(failed.statusCode).toBe(400)
    expect((await openTicket(app, org.token)).number).toBe(2)
  })
})
