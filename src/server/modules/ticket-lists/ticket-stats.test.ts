import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { api, newTeam, statusIds } from '../tickets/test-support.js'
import { contactOf, insertTickets, minutesFromNow } from './test-fixtures.js'

let app: App
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 10_000 })
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

const stats = (token: string, query = '') => api(app, 'GET', `/api/v1/tickets/stats${query ? `?${query}` : ''}`, { token })
const counts = (rows: Array<{ count: number }>, key: string) => Object.fromEntries(rows.map((r: any) => [r[key], r.count]))

describe('ticket stats', () => {
  it('counts the visible live tickets by status, priority and assignee, with open, overdue and unassigned totals', async () => {
    const org = await registerOrg(app)
    const agent = await addMember(app, org, 'agent')
    const statuses = await statusIds(app, org)
    await insertTickets(app, org, [
      { category: 'new', priority: 'urgent' },
      { category: 'open', priority: 'high', assignee_id: agent.userId, due_at: minutesFromNow(-30) },
      { category: 'open', priority: 'high', assignee_id: agent.userId },
      { category: 'pending', priority: 'low', assignee_id: org.userId, due_at: minutesFromNow(30) },
      { category: 'resolved', priority: 'medium', due_at: minutesFromNow(-30) },
      { category: 'closed', priority: 'medium', assignee_id: org.userId },
      { category: 'open', deleted_at: minutesFromNow(-1) },
      { category: 'open', is_spam: true },
    ])
    await insertTickets(app, stranger, [{ category: 'open' }])
    const res = await stats(org.token)
    expect(res.statusCode, res.body).toBe(200)
    const data = res.json.data
    expect(data).toMatchObject({ total: 6, open: 4, overdue: 1, unassigned: 2 })
    expect(counts(data.by_status, 'id')).toEqual({
      [statuses.new]: 1, [statuses.open]: 2, [statuses.pending]: 1, [statuses.on_hold]: 0, [statuses.resolved]: 1, [statuses.closed]: 1, [statuses.cancelled]: 0,
    })
    expect(data.by_status[0]).toMatchObject({ name: 'New', category: 'new', color: expect.stringMatching(/^#/) })
    expect(data.by_priority).toEqual([{ priority: 'urgent', count: 1 }, { priority: 'high', count: 2 }, { priority: 'medium', count: 2 }, { priority: 'low', count: 1 }])
    expect(data.by_assignee).toEqual([
      { id: null, name: null, count: 2 },
      { id: agent.userId, name: 'A agent', count: 2 },
      { id: org.userId, name: 'Admin', count: 2 },
    ])
  })

  it('counts only what the caller may see, and takes the list filters', async () => {
    const org = await registerOrg(app)
    const agent = await addMember(app, org, 'agent')
    const customer = await addMember(app, org, 'customer')
    const contact = await contactOf(app, org, customer)
    const team = await newTeam(app, org)
    await insertTickets(app, org, [
      { priority: 'high', team_id: team },
      { priority: 'high', requester_id: contact },
      { priority: 'low', assignee_id: agent.userId },
    ])
    expect((await stats(org.token)).json.data.total).toBe(3)
    const asAgent = (await stats(agent.token)).json.data
    expect(asAgent).toMatchObject({ total: 2, unassigned: 1 })
    expect(counts(asAgent.by_priority, 'priority')).toEqual({ urgent: 0, high: 1, medium: 0, low: 1 })
    expect((await stats(customer.token)).json.data).toMatchObject({ total: 1, open: 1 })
    expect((await stats(org.token, 'priority=high')).json.data).toMatchObject({ total: 2 })
    expect((await stats(org.token, `team=${team}`)).json.data.by_assignee).toEqual([{ id: null, name: null, count: 1 }])
    expect((await stats(org.token, 'priority=extreme')).statusCode).toBe(400)
    expect((await api(app, 'GET', '/api/v1/tickets/stats')).statusCode).toBe(401)
  })

  it('answers zeros for an organization without tickets', async () => {
    const org = await registerOrg(app)
    const data = (await stats(org.token)).json.data
    expect(data).toMatchObject({ total: 0, open: 0, overdue: 0, unassigned: 0, by_assignee: [] })
    expect(data.by_status).toHaveLength(7)
    expect(data.by_status.every((s: any) => s.count === 0)).toBe(true)
  })
})
