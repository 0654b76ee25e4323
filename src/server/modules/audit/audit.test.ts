import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'

let app: App
let admin: Session
let manager: Session
let agent: Session
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  manager = await addMember(app, admin, 'manager')
  agent = await addMember(app, admin, 'agent')
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

const events = async (query = '', as = admin) => {
  const res = await call(app, 'GET', `/api/v1/audit-events${query}`, { token: as.token })
  expect(res.statusCode, res.body).toBe(200)
  return res.json as unknown as { data: any[]; meta: { page: number; limit: number; total: number } }
}

describe('audit log', () => {
  it('records team, role and API key changes, newest first, with the actor and IP', async () => {
    const team = (await call(app, 'POST', '/api/v1/teams', { token: manager.token, body: { name: 'Audited team' } })).json.data as any
    await call(app, 'PATCH', `/api/v1/teams/${team.id}`, { token: manager.token, body: { name: 'Audited team 2' } })
    await call(app, 'POST', `/api/v1/teams/${team.id}/members`, { token: manager.token, body: { user_id: agent.userId, is_lead: true } })
    await call(app, 'POST', `/api/v1/teams/${team.id}/members`, { token: manager.token, body: { user_id: agent.userId, is_lead: false } })
    await call(app, 'DELETE', `/api/v1/teams/${team.id}/members/${agent.userId}`, { token: manager.token })
    await call(app, 'DELETE', `/api/v1/teams/${team.id}`, { token: manager.token })
    const role = (await call(app, 'POST', '/api/v1/roles', { token: admin.token, body: { name: 'Audited role', kind: 'staff', ticket_scope: 'own', permissions: ['tickets:read'] } })).json.data as any
    await call(app, 'PATCH', `/api/v1/roles/${role.id}`, { token: admin.token, body: { permissions: ['tickets:read', 'tickets:update'] } })
    await call(app, 'DELETE', `/api/v1/roles/${role.id}`, { token: admin.token })
    const key = (await call(app, 'POST', '/api/v1/api-keys', { token: admin.token, body: { name: 'Audited key' } })).json.data as any
    await call(app, 'DELETE', `/api/v1/api-keys/${key.id}`, { token: admin.token })

    const { data, meta } = await events('?limit=100')
    const ours = data.filter((e) => [team.id, role.id, key.id].includes(e.subject_id))
    expect(ours.map((e) => e.action)).toEqual([
      'api_key.revoked', 'api_key.created', 'role.deleted', 'role.updated', 'role.created',
      'team.deleted', 'team.member_removed', 'team.member_updated', 'team.member_added', 'team.updated', 'team.created',
    ])
    expect(meta).toMatchObject({ page: 1, limit: 100, total: data.length })
    const created = ours.find((e) => e.action === 'team.created')
    expect(created).toMatchObject({ subject_type: 'team', subject_id: team.id, actor: { id: manager.userId, name: 'A manager' }, data: { name: 'Audited team' }, ip: expect.any(String) })
    expect(ours.find((e) => e.action === 'role.updated').data).toMatchObject({ permissions_added: ['tickets:update'] })
    expect(ours.find((e) => e.action === 'api_key.created').data).toMatchObject({ name: 'Audited key', role: 'agent', prefix: key.prefix })
    expect(JSON.stringify(data)).not.toContain(key.key)
  })

  it('filters by action, actor and subject, and pages', async () => {
    for (const name of ['F1', 'F2', 'F3']) await call(app, 'POST', '/api/v1/teams', { token: admin.token, body: { name } })
    const byAction = await events('?action=team.created&limit=2')
    expect(byAction.data.every((e) => e.action === 'team.created')).toBe(true)
    expect(byAction.data.map((e) => e.data.name).slice(0, 2)).toEqual(['F3', 'F2'])
    expect(byAction.meta.total).toBeGreaterThanOrEqual(3)
    const page2 = await events(`?action=team.created&limit=2&page=2`)
    expect(page2.data[0].data.name).toBe('F1')

    const byActor = await events(`?actor_id=${manager.userId}&limit=100`)
    expect(byActor.data.length).toBeGreaterThan(0)
    expect(byActor.data.every((e) => e.actor?.id === manager.userId)).toBe(true)
    const bySubject = await events('?subject_type=role&limit=100')
    expect(bySubject.data.length).toBeGreaterThan(0)
    expect(bySubject.data.every((e) => e.subject_type === 'role')).toBe(true)
    expect((await events('?action=nothing.happened')).meta.total).toBe(0)

    expect((await call(app, 'GET', '/api/v1/audit-events?actor_id=me', { token: admin.token })).statusCode).toBe(400)
    expect((await call(app, 'GET', '/api/v1/audit-events?limit=500', { token: admin.token })).statusCode).toBe(400)
  })

  it("shows each organization only its own events", async () => {
    await call(app, 'POST', '/api/v1/teams', { token: stranger.token, body: { name: 'Stranger team' } })
    const theirs = await events('?limit=100', stranger)
    expect(theirs.data.length).toBeGreaterThan(0)
    expect(theirs.data.every((e) => e.actor === null || e.actor.id === stranger.userId)).toBe(true)
    expect((await events(`?actor_id=${manager.userId}`, stranger)).meta.total).toBe(0)
  })

  it('is readable with audit:read only (401 without a token, 403 for agents)', async () => {
    expect((await call(app, 'GET', '/api/v1/audit-events')).statusCode).toBe(401)
    expect((await call(app, 'GET', '/api/v1/audit-events', { token: agent.token })).statusCode).toBe(403)
    expect((await events('', manager)).data.length).toBeGreaterThan(0)
  })
})
