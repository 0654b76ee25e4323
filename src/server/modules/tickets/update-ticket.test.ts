import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, createTestApp, registerOrg, uniqueEmail, type Session } from '../../../../test/helpers.js'
import { api, asTenant, historyRows, newApiKey, newCategory, newCompany, newContact, newCustomField, openTicket, outboxEvents, statusIds } from './test-support.js'

let app: App
let admin: Session
let agent: Session
let customer: Session
let viewer: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  agent = await addMember(app, admin, 'agent')
  customer = await addMember(app, admin, 'customer')
  viewer = await addMember(app, admin, 'viewer')
})
afterAll(async () => { await app.close() })

const patch = (token: string, id: string, body: Record<string, unknown>) => api(app, 'PATCH', `/api/v1/tickets/${id}`, { token, body })

describe('editing tickets', () => {
  it('records one history row per changed field with old and new values, and emits ticket.updated', async () => {
    const category = await newCategory(app, admin, `Billing ${Date.now()}`)
    const ticket = await openTicket(app, agent.token, { subject: 'Old subject', description: '<p>old</p>', tags: ['a'] })
    const res = await patch(agent.token, ticket.id, {
      subject: 'New subject', description_text: 'new', priority: 'urgent', category_id: category, tags: ['B', 'a'], due_at: '2031-05-06T07:08:09.000Z',
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json.data).toMatchObject({ subject: 'New subject', description: '<p>new</p>', priority: 'urgent', category: { id: category }, tags: ['b', 'a'] })
    expect(Date.parse(res.json.data.updated_at)).toBeGreaterThanOrEqual(Date.parse(ticket.updated_at))
    const rows = (await historyRows(app, admin, ticket.id)).filter((r) => r.field !== 'created')
    expect(rows).toEqual([
      { field: 'subject', old_value: 'Old subject', new_value: 'New subject', actor_id: agent.userId, actor_kind: 'user' },
      { field: 'description', old_value: '<p>old</p>', new_value: '<p>new</p>', actor_id: agent.userId, actor_kind: 'user' },
      { field: 'priority', old_value: 'medium', new_value: 'urgent', actor_id: agent.userId, actor_kind: 'user' },
      { field: 'category', old_value: null, new_value: { id: category, name: expect.stringMatching(/^Billing/) }, actor_id: agent.userId, actor_kind: 'user' },
      { field: 'tags', old_value: ['a'], new_value: ['b', 'a'], actor_id: agent.userId, actor_kind: 'user' },
      { field: 'due_at', old_value: null, new_value: '2031-05-06T07:08:09.000Z', actor_id: agent.userId, actor_kind: 'user' },
    ])
    const events = await outboxEvents(app, admin.tenantId, 'ticket.updated', ticket.id)
    expect(events).toEqual([expect.objectContaining({ ticket_id: ticket.id, fields: ['subject', 'description', 'priority', 'category', 'tags', 'due_at'] })])
    expect(events[0]!.changes).toMatchObject({ priority: { old: 'medium', new: 'urgent' }, description: { old: null, new: null } })
  })

  it('answers 200 and records nothing when nothing changes', async () => {
    const ticket = await openTicket(app, agent.token, { subject: 'Same', tags: ['x', 'y'], priority: 'low', due_at: '2030-01-01T00:00:00Z' })
    const res = await patch(agent.token, ticket.id, { subject: ' Same ', tags: ['Y', 'x'], priority: 'low', status_id: ticket.status.id, due_at: '2030-01-01T00:00:00.000Z', category_id: null })
    expect(res.statusCode).toBe(200)
    expect(res.json.data.updated_at).toBe(ticket.updated_at)
    expect((await historyRows(app, admin, ticket.id)).map((r) => r.field)).toEqual(['created'])
    expect(await outboxEvents(app, admin.tenantId, 'ticket.updated', ticket.id)).toEqual([])
    expect((await patch(agent.token, ticket.id, {})).statusCode).toBe(200)
  })

  it('stamps resolved_at and closed_at by status category, and clears them on reopening', async () => {
    const s = await statusIds(app, admin)
    const ticket = await openTicket(app, agent.token)
    const resolved = (await patch(agent.token, ticket.id, { status_id: s.resolved })).json.data
    expect(resolved.resolved_at).not.toBeNull()
    expect(resolved.closed_at).toBeNull()
    const closed = (await patch(agent.token, ticket.id, { status: 'closed' })).json.data
    expect(closed.resolved_at).toBe(resolved.resolved_at)
    expect(closed.closed_at).not.toBeNull()
    const reopened = (await patch(agent.token, ticket.id, { status_id: s.open })).json.data
    expect(reopened).toMatchObject({ status: { category: 'open' }, resolved_at: null, closed_at: null })
    const closedDirectly = (await patch(agent.token, ticket.id, { status_id: s.closed })).json.data
    expect(closedDirectly.resolved_at).not.toBeNull()
    expect(closedDirectly.closed_at).not.toBeNull()
    const cancelled = (await patch(agent.token, (await openTicket(app, agent.token)).id, { status_id: s.cancelled })).json.data
    expect(cancelled).toMatchObject({ resolved_at: null, closed_at: expect.any(String) })
    const statusRows = (await historyRows(app, admin, ticket.id)).filter((r) => r.field === 'status')
    expect(statusRows.map((r) => [(r.old_value as any).category, (r.new_value as any).category])).toEqual([
      ['new', 'resolved'], ['resolved', 'closed'], ['closed', 'open'], ['open', 'closed'],
    ])
  })

  it('follows the organization’s status transitions (422) and refuses unknown or retired statuses (400)', async () => {
    const org = await registerOrg(app)
    const s = await statusIds(app, org)
    await asTenant(app, org, (tx) => tx.insertInto('status_transitions').values([
      { tenant_id: org.tenantId, from_status_id: s.new, to_status_id: s.open },
    ]).execute())
    const ticket = await openTicket(app, org.token)
    const refused = await patch(org.token, ticket.id, { status_id: s.closed })
    expect(refused.statusCode).toBe(422)
    expect(refused.json.error.details[0]).toMatchObject({ field: 'status_id' })
    expect((await patch(org.token, ticket.id, { status_id: s.open })).statusCode).toBe(200)

    await asTenant(app, org, (tx) => tx.updateTable('ticket_statuses').set({ is_active: false }).where('id', '=', s.pending).execute())
    const retired = await patch(org.token, ticket.id, { status_id: s.pending })
    expect(retired.statusCode).toBe(400)
    expect(retired.json.error.details[0]).toMatchObject({ field: 'status_id' })
    const unknown = await patch(org.token, ticket.id, { status: 'Nope' })
    expect(unknown.json.error.details[0]).toMatchObject({ field: 'status' })
  })

  it('answers 400 naming the field for bad input', async () => {
    const ticket = await openTicket(app, agent.token)
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ subject: 'x'.repeat(501) }, 'subject'],
      [{ subject: '' }, 'subject'],
      [{ priority: 'meh' }, 'priority'],
      [{ status_id: 'not-a-uuid' }, 'status_id'],
      [{ source: 'email' }, 'source'],
      [{ assignee_id: agent.userId }, 'assignee_id'],
      [{ requester_id: '00000000-0000-7000-8000-000000000000' }, 'requester_id'],
      [{ company_id: '00000000-0000-7000-8000-000000000000' }, 'company_id'],
      [{ category_id: '00000000-0000-7000-8000-000000000000' }, 'category_id'],
      [{ custom_fields: { nope: 1 } }, 'custom_fields.nope'],
      [{ status_id: ticket.status.id, status: 'open' }, 'status'],
    ]
    for (const [body, field] of cases) {
      const res = await patch(agent.token, ticket.id, body)
      expect(res.statusCode, `${JSON.stringify(body)}: ${res.body}`).toBe(400)
      expect(res.json.error.details[0].field).toBe(field)
    }
  })

  it('records custom field changes per key, validated as a partial update', async () => {
    const org = await registerOrg(app)
    await newCustomField(app, org, 'plan', 'select', { options: ['free', 'pro'] })
    await newCustomField(app, org, 'seats', 'number', { is_required: true })
    const ticket = await openTicket(app, org.token, { custom_fields: { seats: 2 } })
    const res = await patch(org.token, ticket.id, { custom_fields: { plan: 'pro' } })
    expect(res.json.data.custom_fields).toEqual({ seats: 2, plan: 'pro' })
    expect((await patch(org.token, ticket.id, { custom_fields: { seats: null } })).statusCode).toBe(422)
    await patch(org.token, ticket.id, { custom_fields: { plan: null, seats: 5 } })
    const rows = (await historyRows(app, org, ticket.id)).filter((r) => r.field.startsWith('custom_fields.'))
    expect(rows.map((r) => [r.field, r.old_value, r.new_value])).toEqual([
      ['custom_fields.plan', null, 'pro'], ['custom_fields.plan', 'pro', null], ['custom_fields.seats', 2, 5],
    ])
  })

  it('moves the ticket to the new requester’s company unless a company is given', async () => {
    const acme = await newCompany(app, admin, 'Acme')
    const globex = await newCompany(app, admin, 'Globex')
    const wile = await newContact(app, admin, uniqueEmail('wile'), acme)
    const hank = await newContact(app, admin, uniqueEmail('hank'), globex)
    const ticket = await openTicket(app, agent.token, { requester_id: wile })
    expect(ticket.company).toMatchObject({ id: acme })
    const moved = (await patch(agent.token, ticket.id, { requester_id: hank })).json.data
    expect(moved).toMatchObject({ requester: { id: hank }, company: { id: globex } })
    const kept = (await patch(agent.token, ticket.id, { requester_id: wile, company_id: globex })).json.data
    expect(kept).toMatchObject({ requester: { id: wile }, company: { id: globex } })
    const fields = (await historyRows(app, admin, ticket.id)).map((r) => r.field)
    expect(fields).toEqual(['created', 'requester', 'company', 'requester'])
  })

  it('records API key edits as api_key', async () => {
    const key = await newApiKey(app, admin)
    const ticket = await openTicket(app, agent.token)
    expect((await patch(key, ticket.id, { priority: 'high' })).statusCode).toBe(200)
    expect((await historyRows(app, admin, ticket.id)).at(-1)).toMatchObject({ field: 'priority', actor_id: null, actor_kind: 'api_key' })
  })

  it('refuses customers and viewers (403) and answers 401 without a token', async () => {
    const own = await openTicket(app, customer.token)
    expect((await patch(customer.token, own.id, { subject: 'mine now' })).statusCode).toBe(403)
    expect((await patch(viewer.token, own.id, { subject: 'x' })).statusCode).toBe(403)
    expect((await patch('', own.id, { subject: 'x' })).statusCode).toBe(401)
    expect((await api(app, 'GET', `/api/v1/tickets/${own.id}`, { token: admin.token })).json.data.subject).toBe('Printer on fire')
  })
})
