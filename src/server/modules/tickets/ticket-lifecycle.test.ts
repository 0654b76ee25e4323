import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { api, asTenant, historyRows, newApiKey, openTicket, outboxEvents, statusIds } from './test-support.js'

let app: App
let admin: Session
let manager: Session
let agent: Session
let customer: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  manager = await addMember(app, admin, 'manager')
  agent = await addMember(app, admin, 'agent')
  customer = await addMember(app, admin, 'customer')
})
afterAll(async () => { await app.close() })

const post = (token: string, url: string, body?: Record<string, unknown>) => api(app, 'POST', url, { token, ...(body ? { body } : {}) })
const get = (token: string, url: string) => api(app, 'GET', url, { token })

describe('closing', () => {
  it('lets a customer close their own ticket, moving it to the first closed status', async () => {
    const ticket = await openTicket(app, customer.token)
    const res = await post(customer.token, `/api/v1/tickets/${ticket.id}/close`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json.data).toMatchObject({ status: { name: 'Closed', category: 'closed' }, closed_at: expect.any(String), resolved_at: expect.any(String) })
    expect(res.json.data.abilities.close).toBe(false)
    const again = await post(customer.token, `/api/v1/tickets/${ticket.id}/close`)
    expect(again.statusCode).toBe(200)
    expect((await historyRows(app, admin, ticket.id)).map((r) => [r.field, r.actor_id])).toEqual([['created', customer.userId], ['status', customer.userId]])
    expect(await outboxEvents(app, admin.tenantId, 'ticket.updated', ticket.id)).toEqual([expect.objectContaining({ fields: ['status'] })])
  })

  it('lets staff with tickets:update close, and answers 422 when the organization has no closed status', async () => {
    const org = await registerOrg(app)
    const ticket = await openTicket(app, org.token)
    const s = await statusIds(app, org)
    await asTenant(app, org, (tx) => tx.updateTable('ticket_statuses').set({ is_active: false }).where('id', '=', s.closed).execute())
    const res = await post(org.token, `/api/v1/tickets/${ticket.id}/close`)
    expect(res.statusCode).toBe(422)
    expect(res.json.error.code).toBe('unprocessable')
    const byAgent = await post(agent.token, `/api/v1/tickets/${(await openTicket(app, agent.token)).id}/close`)
    expect(byAgent.json.data.status.category).toBe('closed')
  })
})

describe('trash', () => {
  it('soft-deletes and restores a ticket, with history, events and audit', async () => {
    const ticket = await openTicket(app, agent.token)
    expect((await post(agent.token, `/api/v1/tickets/${ticket.id}/restore`)).statusCode).toBe(403)
    const deleted = await api(app, 'DELETE', `/api/v1/tickets/${ticket.id}`, { token: manager.token })
    expect(deleted.statusCode).toBe(200)
    const stored = await asTenant(app, admin, (tx) => tx.selectFrom('tickets').select(['deleted_at', 'deleted_by']).where('id', '=', ticket.id).executeTakeFirstOrThrow())
    expect(stored).toEqual({ deleted_at: expect.any(String), deleted_by: manager.userId })
    expect((await get(agent.token, `/api/v1/tickets/${ticket.id}`)).statusCode).toBe(404)
    expect((await get(manager.token, `/api/v1/tickets/${ticket.id}`)).statusCode).toBe(404)
    expect((await api(app, 'DELETE', `/api/v1/tickets/${ticket.id}`, { token: manager.token })).statusCode).toBe(404)
    expect((await api(app, 'PATCH', `/api/v1/tickets/${ticket.id}`, { token: manager.token, body: { priority: 'low' } })).statusCode).toBe(404)
    // those who may restore still see its timeline
    expect((await get(manager.token, `/api/v1/tickets/${ticket.id}/history`)).statusCode).toBe(200)
    expect((await get(agent.token, `/api/v1/tickets/${ticket.id}/history`)).statusCode).toBe(404)

    const restored = await post(manager.token, `/api/v1/tickets/${ticket.id}/restore`)
    expect(restored.statusCode).toBe(200)
    expect(restored.json.data).toMatchObject({ id: ticket.id, deleted_at: null })
    expect((await post(manager.token, `/api/v1/tickets/${ticket.id}/restore`)).statusCode).toBe(200)
    expect((await get(agent.token, `/api/v1/tickets/${ticket.id}`)).statusCode).toBe(200)
    expect((await historyRows(app, admin, ticket.id)).map((r) => r.field)).toEqual(['created', 'deleted', 'restored'])
    expect(await outboxEvents(app, admin.tenantId, 'ticket.deleted', ticket.id)).toHaveLength(1)
    expect(await outboxEvents(app, admin.tenantId, 'ticket.restored', ticket.id)).toHaveLength(1)
    const audit = await get(admin.token, '/api/v1/audit-events')
    expect((audit.json.data as any[]).filter((e) => e.subject_id === ticket.id).map((e) => e.action).sort()).toEqual(['ticket.deleted', 'ticket.restored'])
  })

  it('answers 404 when restoring a ticket that does not exist', async () => {
    expect((await post(admin.token, '/api/v1/tickets/00000000-0000-7000-8000-000000000000/restore')).statusCode).toBe(404)
  })
})

describe('spam', () => {
  it('flags and unflags spam, recorded once per change', async () => {
    const ticket = await openTicket(app, agent.token)
    const flagged = await post(agent.token, `/api/v1/tickets/${ticket.id}/spam`, { is_spam: true })
    expect(flagged.json.data.is_spam).toBe(true)
    await post(agent.token, `/api/v1/tickets/${ticket.id}/spam`, { is_spam: true })
    const cleared = await post(agent.token, `/api/v1/tickets/${ticket.id}/spam`, { is_spam: false })
    expect(cleared.json.data.is_spam).toBe(false)
    expect((await historyRows(app, admin, ticket.id)).filter((r) => r.field === 'is_spam').map((r) => r.new_value)).toEqual([true, false])
    expect((await post(agent.token, `/api/v1/tickets/${ticket.id}/spam`, { is_spam: 'yes' })).statusCode).toBe(400)
  })
})

describe('history', () => {
  it('shows the timeline oldest first with who did what', async () => {
    const key = await newApiKey(app, admin)
    const ticket = await openTicket(app, agent.token)
    await api(app, 'PATCH', `/api/v1/tickets/${ticket.id}`, { token: agent.token, body: { priority: 'high', subject: 'Renamed' } })
    await api(app, 'PATCH', `/api/v1/tickets/${ticket.id}`, { token: key, body: { status: 'open' } })
    const res = await get(agent.token, `/api/v1/tickets/${ticket.id}/history`)
    expect(res.statusCode).toBe(200)
    expect(res.json.meta).toEqual({ page: 1, limit: 100, total: 4 })
    expect(res.json.data).toEqual([
      expect.objectContaining({ field: 'created', actor: { id: agent.userId, name: 'A agent' }, actor_kind: 'user', old_value: null }),
      expect.objectContaining({ field: 'subject', old_value: 'Printer on fire', new_value: 'Renamed' }),
      expect.objectContaining({ field: 'priority', old_value: 'medium', new_value: 'high' }),
      expect.objectContaining({ field: 'status', actor: null, actor_kind: 'api_key', new_value: expect.objectContaining({ category: 'open' }) }),
    ])
    const paged = await get(agent.token, `/api/v1/tickets/${ticket.id}/history?limit=2&page=2`)
    expect((paged.json.data as any[]).map((e) => e.field)).toEqual(['priority', 'status'])
  })

  it('shows customers only when the ticket was opened and its status changes', async () => {
    const ticket = await openTicket(app, customer.token)
    await api(app, 'PATCH', `/api/v1/tickets/${ticket.id}`, { token: agent.token, body: { priority: 'urgent', status: 'pending', tags: ['vip'] } })
    await api(app, 'POST', `/api/v1/tickets/${ticket.id}/take`, { token: agent.token })
    const res = await get(customer.token, `/api/v1/tickets/${ticket.id}/history`)
    expect(res.statusCode).toBe(200)
    expect((res.json.data as any[]).map((e) => [e.field, e.actor?.id])).toEqual([['created', customer.userId], ['status', agent.userId]])
    expect(res.json.meta.total).toBe(2)
    expect(res.body).not.toContain('vip')
  })
})
