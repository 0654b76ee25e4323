import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { uuidv7 } from '../../platform/ids.js'
import { api, newApiKey, newCustomField, newTeam } from '../tickets/test-support.js'
import { contactOf, insertTickets, minutesFromNow } from './test-fixtures.js'

let app: App
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 10_000 })
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

const views = (token: string) => api(app, 'GET', '/api/v1/views', { token })
const createView = (token: string, body: Record<string, unknown>) => api(app, 'POST', '/api/v1/views', { token, body })
const byName = (res: { json: any }, name: string) => (res.json.data as any[]).find((v) => v.name === name)

describe('saved views', () => {
  it('gives a new organization the shared default views, each with its live count for the caller', async () => {
    const org = await registerOrg(app)
    const agent = await addMember(app, org, 'agent')
    const team = await newTeam(app, org)
    await insertTickets(app, org, [
      { subject: 'mine', assignee_id: agent.userId },
      { subject: 'mine, done', assignee_id: agent.userId, category: 'closed' },
      { subject: 'nobody’s', category: 'new' },
      { subject: 'late', due_at: minutesFromNow(-60) },
      { subject: 'late but resolved', due_at: minutesFromNow(-60), category: 'resolved' },
      { subject: 'other team', team_id: team },
    ])
    const res = await views(agent.token)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json.data.map((v: any) => [v.name, v.shared, v.is_default, v.count])).toEqual([
      ['My open', true, true, 1],
      ['Unassigned', true, true, 2],
      ['Overdue', true, true, 1],
      ['All open', true, true, 3],
    ])
    expect(byName(res, 'My open')).toMatchObject({ filters: { assignee: 'me', status_category: ['new', 'open', 'pending', 'on_hold'] }, sort: '-updated_at' })
    // The admin sees the other team's ticket too.
    expect(byName(await views(org.token), 'All open').count).toBe(4)
    expect(byName(await views(org.token), 'My open').count).toBe(0)
  })

  it('runs a view in its sort, with "me" as the caller, paged like the list', async () => {
    const org = await registerOrg(app)
    const agent = await addMember(app, org, 'agent')
    await insertTickets(app, org, [
      { subject: 'due later', due_at: minutesFromNow(-10) },
      { subject: 'due first', due_at: minutesFromNow(-100) },
      { subject: 'not due', due_at: null },
      { subject: 'for the agent', assignee_id: agent.userId },
    ])
    const all = await views(agent.token)
    const overdue = await api(app, 'GET', `/api/v1/views/${byName(all, 'Overdue').id}/tickets`, { token: agent.token })
    expect(overdue.statusCode, overdue.body).toBe(200)
    expect(overdue.json.data.map((t: any) => t.subject)).toEqual(['due first', 'due later'])
    const mine = await api(app, 'GET', `/api/v1/views/${byName(all, 'My open').id}/tickets`, { token: agent.token })
    expect(mine.json.data.map((t: any) => t.subject)).toEqual(['for the agent'])
    expect((await api(app, 'GET', `/api/v1/views/${byName(all, 'My open').id}/tickets`, { token: org.token })).json.data).toEqual([])

    const first = await api(app, 'GET', `/api/v1/views/${byName(all, 'Overdue').id}/tickets?limit=1&cursor=`, { token: agent.token })
    expect(first.json.data.map((t: any) => t.subject)).toEqual(['due first'])
    const next = await api(app, 'GET', `/api/v1/views/${byName(all, 'Overdue').id}/tickets?limit=1&cursor=${first.json.meta.next_cursor}`, { token: agent.token })
    expect(next.json.data.map((t: any) => t.subject)).toEqual(['due later'])
    expect(next.json.meta.next_cursor).toBeNull()
    expect((await api(app, 'GET', `/api/v1/views/${byName(all, 'Overdue').id}/tickets?priority=high`, { token: agent.token })).statusCode).toBe(400)
  })

  it('saves personal views for anyone who reads tickets, visible to their owner only', async () => {
    const org = await registerOrg(app)
    const agent = await addMember(app, org, 'agent')
    const other = await addMember(app, org, 'agent')
    const customer = await addMember(app, org, 'customer')
    const contact = await contactOf(app, org, customer)
    await insertTickets(app, org, [{ subject: 'urgent one', priority: 'urgent', tags: ['vip'] }, { subject: 'urgent mine', priority: 'urgent', requester_id: contact }, { subject: 'low', priority: 'low' }])

    const created = await createView(agent.token, { name: '  Urgent VIPs ', filters: { priority: 'urgent,high', tag: ['vip'] }, sort: '-created_at' })
    expect(created.statusCode, created.body).toBe(201)
    expect(created.json.data).toMatchObject({ name: 'Urgent VIPs', shared: false, is_default: false, sort: '-created_at', position: 4, count: 1 })
    // Stored as the list's query keys, in their canonical form.
    expect(created.json.data.filters).toEqual({ priority: ['urgent', 'high'], tag: ['vip'] })
    const id = created.json.data.id
    expect(byName(await views(agent.token), 'Urgent VIPs')).toMatchObject({ id, count: 1 })
    expect(byName(await views(other.token), 'Urgent VIPs')).toBeUndefined()
    expect((await api(app, 'GET', `/api/v1/views/${id}`, { token: other.token })).statusCode).toBe(404)
    expect((await api(app, 'GET', `/api/v1/views/${id}/tickets`, { token: other.token })).statusCode).toBe(404)
    expect((await api(app, 'PATCH', `/api/v1/views/${id}`, { token: other.token, body: { name: 'Mine now' } })).statusCode).toBe(404)
    expect((await api(app, 'DELETE', `/api/v1/views/${id}`, { token: other.token })).statusCode).toBe(404)
    // Not even an admin sees someone else's personal view.
    expect((await api(app, 'GET', `/api/v1/views/${id}`, { token: org.token })).statusCode).toBe(404)

    const forCustomer = await createView(customer.token, { name: 'My urgent', filters: { priority: ['urgent'] } })
    expect(forCustomer.statusCode, forCustomer.body).toBe(201)
    expect(forCustomer.json.data.count).toBe(1)
    const run = await api(app, 'GET', `/api/v1/views/${forCustomer.json.data.id}/tickets`, { token: customer.token })
    expect(run.json.data.map((t: any) => t.subject)).toEqual(['urgent mine'])
  })

  it('lets only settings managers save, change or delete shared views', async () => {
    const org = await registerOrg(app)
    const agent = await addMember(app, org, 'agent')
    const manager = await addMember(app, org, 'manager')
    const refused = await createView(agent.token, { name: 'Team queue', filters: {}, shared: true })
    expect(refused.statusCode).toBe(403)
    const shared = await createView(manager.token, { name: 'Team queue', filters: { status_category: ['open'] }, shared: true, position: 1 })
    expect(shared.statusCode, shared.body).toBe(201)
    expect(shared.json.data).toMatchObject({ shared: true, position: 1 })
    const id = shared.json.data.id
    expect(byName(await views(agent.token), 'Team queue')).toBeDefined()
    expect((await api(app, 'PATCH', `/api/v1/views/${id}`, { token: agent.token, body: { name: 'Mine' } })).statusCode).toBe(403)
    expect((await api(app, 'DELETE', `/api/v1/views/${id}`, { token: agent.token })).statusCode).toBe(403)
    const renamed = await api(app, 'PATCH', `/api/v1/views/${id}`, { token: org.token, body: { name: 'Open queue', filters: { status_category: 'open,pending' }, sort: 'priority' } })
    expect(renamed.statusCode, renamed.body).toBe(200)
    expect(renamed.json.data).toMatchObject({ name: 'Open queue', filters: { status_category: ['open', 'pending'] }, sort: 'priority' })
    expect((await api(app, 'DELETE', `/api/v1/views/${id}`, { token: manager.token })).statusCode).toBe(200)
    expect((await api(app, 'GET', `/api/v1/views/${id}`, { token: manager.token })).statusCode).toBe(404)
    // Views are ordered by position; shared ones first at the same position.
    const mine = await createView(agent.token, { name: 'First of all', filters: {}, position: 0 })
    const order = (await views(agent.token)).json.data.map((v: any) => v.name)
    expect(order.slice(0, 2)).toEqual(['My open', 'First of all'])
    expect(mine.json.data.position).toBe(0)
  })

  it('lets default views be renamed and moved but not re-filtered or deleted', async () => {
    const org = await registerOrg(app)
    const all = await views(org.token)
    const unassigned = byName(all, 'Unassigned')
    const moved = await api(app, 'PATCH', `/api/v1/views/${unassigned.id}`, { token: org.token, body: { name: 'Up for grabs', position: 9 } })
    expect(moved.statusCode, moved.body).toBe(200)
    expect(moved.json.data).toMatchObject({ name: 'Up for grabs', position: 9, is_default: true })
    expect((await views(org.token)).json.data.at(-1).name).toBe('Up for grabs')
    const refilter = await api(app, 'PATCH', `/api/v1/views/${unassigned.id}`, { token: org.token, body: { filters: { priority: ['low'] } } })
    expect(refilter.statusCode).toBe(409)
    expect(refilter.json.error.details[0].field).toBe('filters')
    const deleted = await api(app, 'DELETE', `/api/v1/views/${unassigned.id}`, { token: org.token })
    expect(deleted.statusCode).toBe(409)
    expect(deleted.json.error.code).toBe('conflict')
    expect(byName(await views(org.token), 'Up for grabs')).toBeDefined()
  })

  it('checks filters on save exactly as the list does, so a view never holds one the list would refuse', async () => {
    const org = await registerOrg(app)
    const agent = await addMember(app, org, 'agent')
    await newCustomField(app, org, 'plan', 'text')
    await newCustomField(app, stranger, 'region', 'text')
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ colour: 'red' }, 400, 'filters.colour'],
      [{ priority: 'critical' }, 400, 'filters.priority'],
      [{ status: ['not-an-id'] }, 400, 'filters.status'],
      [{ 'cf.region': 'eu' }, 400, 'filters.cf.region'],
      [{ 'cf.Plan': 'pro' }, 400, 'filters.cf.Plan'],
      [{ created_after: 'last week' }, 400, 'filters.created_after'],
      [{ overdue: 'perhaps' }, 400, 'filters.overdue'],
    ]
    for (const [filters, status, field] of cases) {
      const res = await createView(agent.token, { name: 'Bad', filters })
      expect(res.statusCode, `${JSON.stringify(filters)}: ${res.body}`).toBe(status)
      expect(res.json.error.details[0].field, JSON.stringify(filters)).toBe(field)
    }
    // Deleted tickets are for those who may delete them, in a view as in the list.
    expect((await createView(agent.token, { name: 'Trash', filters: { deleted: 'only' } })).statusCode).toBe(403)
    expect((await createView(org.token, { name: 'Trash', filters: { deleted: 'only' } })).statusCode).toBe(201)
    const good = await createView(agent.token, { name: 'Pro plan', filters: { 'cf.plan': 'pro', overdue: 'true', assignee: 'me' } })
    expect(good.statusCode, good.body).toBe(201)
    expect(good.json.data.filters).toEqual({ 'cf.plan': 'pro', overdue: true, assignee: 'me' })
    const patch = await api(app, 'PATCH', `/api/v1/views/${good.json.data.id}`, { token: agent.token, body: { filters: { assignee: 'somebody' } } })
    expect(patch.statusCode).toBe(400)
    for (const body of [{ name: ' ', filters: {} }, { name: 'x', filters: {}, sort: 'subject' }, { name: 'x' }, { name: 'x', filters: {}, owner_id: uuidv7() }]) {
      expect((await createView(agent.token, body)).statusCode, JSON.stringify(body)).toBe(400)
    }
  })

  it('keeps views to their organization and asks for credentials', async () => {
    const org = await registerOrg(app)
    const theirs = (await views(stranger.token)).json.data[0].id
    for (const [method, url] of [['GET', `/api/v1/views/${theirs}`], ['GET', `/api/v1/views/${theirs}/tickets`], ['PATCH', `/api/v1/views/${theirs}`], ['DELETE', `/api/v1/views/${theirs}`]] as const) {
      const res = await api(app, method, url, { token: org.token, ...(method === 'PATCH' ? { body: { name: 'x' } } : {}) })
      expect(res.statusCode, `${method} ${url}`).toBe(404)
    }
    expect((await views(org.token)).body).not.toContain(theirs)
    expect((await api(app, 'GET', '/api/v1/views')).statusCode).toBe(401)
    expect((await api(app, 'POST', '/api/v1/views', { body: { name: 'x', filters: {} } })).statusCode).toBe(401)
    // An API key is not a person: it lists the shared views and may not keep personal ones.
    const key = await newApiKey(app, org)
    expect((await views(key)).json.data).toHaveLength(4)
    expect((await createView(key, { name: 'Robot', filters: {} })).statusCode).toBe(403)
  })
})
