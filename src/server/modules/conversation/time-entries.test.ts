import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { call, createTestApp, type Session } from '../../../../test/helpers.js'
import { data, openTicket, setupOrg, type Org } from './test-fixtures.js'

let app: App
let org: Org

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 10_000 })
  org = await setupOrg(app)
})
afterAll(async () => { await app.close() })

const log = (as: Session | string, ticketId: string, body: Record<string, unknown>) =>
  call(app, 'POST', `/api/v1/tickets/${ticketId}/time-entries`, { token: typeof as === 'string' ? as : as.token, body })

describe('time entries', () => {
  it('logs time as the caller and totals it, overall and per person', async () => {
    const ticket = await openTicket(app, org.customer)
    const first = await log(org.agent, ticket.id, { minutes: 30, note: 'Investigated', spent_on: '2026-01-05' })
    expect(first.statusCode, first.body).toBe(201)
    expect(data(first)).toMatchObject({ user: { id: org.agent.userId }, minutes: 30, note: 'Investigated', spent_on: '2026-01-05' })
    expect((await log(org.agent, ticket.id, { minutes: 15 })).statusCode).toBe(201)
    expect((await log(org.manager, ticket.id, { minutes: 60 })).statusCode).toBe(201)

    const res = await call(app, 'GET', `/api/v1/tickets/${ticket.id}/time-entries?limit=2`, { token: org.viewer.token })
    expect(res.statusCode, res.body).toBe(200)
    expect(data(res).entries).toHaveLength(2)
    expect(res.json.meta).toEqual({ page: 1, limit: 2, total: 3 })
    expect(data(res).total_minutes).toBe(105)
    expect(data(res).per_user).toEqual([
      { user: { id: org.manager.userId, name: expect.any(String) }, minutes: 60 },
      { user: { id: org.agent.userId, name: expect.any(String) }, minutes: 45 },
    ])
  })

  it('validates minutes and dates', async () => {
    const ticket = await openTicket(app, org.agent)
    for (const body of [{ minutes: 0 }, { minutes: 14_401 }, { minutes: 1.5 }, {}, { minutes: 5, spent_on: 'yesterday' }, { minutes: 5, note: 'x'.repeat(2001) }]) {
      expect((await log(org.agent, ticket.id, body)).statusCode, JSON.stringify(body)).toBe(400)
    }
    expect((await log(org.agent, ticket.id, { minutes: 14_400 })).statusCode).toBe(201)
  })

  it('deletes one’s own entry; managers and admins delete anyone’s', async () => {
    const ticket = await openTicket(app, org.agent)
    const byManager = data(await log(org.manager, ticket.id, { minutes: 10 }))
    const byAgent = data(await log(org.agent, ticket.id, { minutes: 20 }))
    const url = (id: string) => `/api/v1/tickets/${ticket.id}/time-entries/${id}`
    expect((await call(app, 'DELETE', url(byManager.id), { token: org.agent.token })).statusCode).toBe(403)
    expect((await call(app, 'DELETE', url(byManager.id), { token: org.apiKey })).statusCode).toBe(403)
    expect((await call(app, 'DELETE', url(byAgent.id), { token: org.agent.token })).statusCode).toBe(200)
    expect((await call(app, 'DELETE', url(byAgent.id), { token: org.agent.token })).statusCode).toBe(404)
    expect((await call(app, 'DELETE', url(byManager.id), { token: org.admin.token })).statusCode).toBe(200)
    const left = data(await call(app, 'GET', `/api/v1/tickets/${ticket.id}/time-entries`, { token: org.agent.token }))
    expect(left).toEqual({ entries: [], total_minutes: 0, per_user: [] })
  })

  it('is for staff people only: customers 403, viewers cannot write, API keys cannot log', async () => {
    const ticket = await openTicket(app, org.customer)
    expect((await call(app, 'GET', `/api/v1/tickets/${ticket.id}/time-entries`, { token: org.customer.token })).statusCode).toBe(403)
    expect((await log(org.customer, ticket.id, { minutes: 5 })).statusCode).toBe(403)
    expect((await log(org.viewer, ticket.id, { minutes: 5 })).statusCode).toBe(403)
    expect((await log(org.apiKey, ticket.id, { minutes: 5 })).statusCode).toBe(403)
    expect((await call(app, 'GET', `/api/v1/tickets/${ticket.id}/time-entries`, { token: org.apiKey })).statusCode).toBe(200)
  })
})
