import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { PERMISSIONS } from '../../../shared/permissions.js'
import { addMember, call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { deriveRoleKey } from './role-rules.js'

let app: App
let admin: Session
let agent: Session
let customer: Session
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  agent = await addMember(app, admin, 'agent')
  customer = await addMember(app, admin, 'customer')
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

let n = 0
const uniqueName = (base: string) => `${base} ${++n}`

async function newRole(body: Record<string, unknown>, as = admin): Promise<any> {
  const res = await call(app, 'POST', '/api/v1/roles', { token: as.token, body: { kind: 'staff', ticket_scope: 'team', permissions: [], ...body } })
  expect(res.statusCode, res.body).toBe(201)
  return res.json.data
}

describe('permission catalogue and roles list', () => {
  it('lists every permission with its description for anyone who can see people', async () => {
    const res = await call(app, 'GET', '/api/v1/permissions', { token: agent.token })
    expect(res.statusCode).toBe(200)
    expect(res.json.data).toEqual(Object.entries(PERMISSIONS).map(([key, description]) => ({ key, description })))
    expect((await call(app, 'GET', '/api/v1/permissions', { token: customer.token })).statusCode).toBe(403)
    expect((await call(app, 'GET', '/api/v1/permissions')).statusCode).toBe(401)
  })

  it('lists the built-in roles first, with member counts, then custom ones', async () => {
    const org = await registerOrg(app)
    await addMember(app, org, 'agent')
    await addMember(app, org, 'agent')
    const custom = await newRole({ name: 'Auditor', permissions: ['audit:read'] }, org)
    const res = await call(app, 'GET', '/api/v1/roles', { token: org.token })
    expect(res.statusCode).toBe(200)
    const roles = res.json.data as any[]
    expect(roles.map((r) => r.key)).toEqual(['admin', 'manager', 'agent', 'viewer', 'customer', 'auditor'])
    expect(roles.find((r) => r.key === 'admin')).toMatchObject({ is_system: true, kind: 'staff', ticket_scope: 'all', member_count: 1 })
    expect(roles.find((r) => r.key === 'agent')).toMatchObject({ member_count: 2, permissions: expect.arrayContaining(['tickets:read']) })
    expect(roles.find((r) => r.key === 'customer')).toMatchObject({ kind: 'customer', ticket_scope: 'requested', member_count: 0 })
    expect(roles.at(-1)).toMatchObject({ id: custom.id, is_system: false, member_count: 0, permissions: ['audit:read'] })
    // another organization's custom role is not in this list
    expect(((await call(app, 'GET', '/api/v1/roles', { token: admin.token })).json.data as any[]).some((r) => r.id === custom.id)).toBe(false)
  })
})

describe('custom roles', () => {
  it('derives the key from the name and keeps permissions in catalogue order without repeats', async () => {
    const role = await newRole({ name: 'Tier 2 — Billing Ünit', description: 'Second line', permissions: ['tickets:update', 'tickets:read', 'tickets:read'] })
    expect(role).toMatchObject({ key: 'tier_2_billing_unit', name: 'Tier 2 — Billing Ünit', description: 'Second line', kind: 'staff', is_system: false, member_count: 0 })
    expect(role.permissions).toEqual(['tickets:read', 'tickets:update'])
    expect(deriveRoleKey('2nd line')).toBe('role_2nd_line')
    expect(deriveRoleKey('Поддержка')).toBeNull()
    const explicit = await newRole({ name: 'Поддержка', key: 'support_ru' })
    expect(explicit.key).toBe('support_ru')
    const underivable = await call(app, 'POST', '/api/v1/roles', { token: admin.token, body: { name: 'Служба', kind: 'staff', permissions: [], ticket_scope: 'own' } })
    expect(underivable.statusCode).toBe(400)
    expect(underivable.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'key' })] })
  })

  it('refuses taken keys and names with 409', async () => {
    const builtin = await call(app, 'POST', '/api/v1/roles', { token: admin.token, body: { name: 'Agent', kind: 'staff', permissions: [], ticket_scope: 'own' } })
    expect(builtin.statusCode).toBe(409)
    expect(builtin.json.error).toMatchObject({ code: 'conflict', details: [expect.objectContaining({ field: 'key' })] })
    const first = await newRole({ name: 'Night Shift' })
    const sameKey = await call(app, 'POST', '/api/v1/roles', { token: admin.token, body: { name: 'Other name', key: first.key, kind: 'staff', permissions: [], ticket_scope: 'own' } })
    expect(sameKey.statusCode).toBe(409)
    const sameName = await call(app, 'POST', '/api/v1/roles', { token: admin.token, body: { name: 'NIGHT SHIFT', key: 'night_2', kind: 'staff', permissions: [], ticket_scope: 'own' } })
    expect(sameName.statusCode).toBe(409)
    expect(sameName.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'name' })] })
    // keys are per organization
    await newRole({ name: 'Night Shift' }, stranger)
  })

  it('checks permissions against the catalogue and the rules for customer roles', async () => {
    const post = (body: Record<string, unknown>) => call(app, 'POST', '/api/v1/roles', { token: admin.token, body: { name: uniqueName('R'), ...body } })
    const unknown = await post({ kind: 'staff', ticket_scope: 'team', permissions: ['tickets:read', 'tickets:fly', 'admin'] })
    expect(unknown.statusCode).toBe(400)
    expect((unknown.json.error as any).details.map((d: any) => d.field)).toEqual(['permissions.1', 'permissions.2'])

    const unsafe = await post({ kind: 'customer', ticket_scope: 'requested', permissions: ['tickets:read', 'users:read'] })
    expect(unsafe.statusCode).toBe(400)
    expect((unsafe.json.error as any).details).toEqual([expect.objectContaining({ field: 'permissions.1' })])
    const customerScope = await post({ kind: 'customer', ticket_scope: 'all', permissions: ['tickets:read'] })
    expect(customerScope.statusCode).toBe(400)
    expect((customerScope.json.error as any).details).toEqual([expect.objectContaining({ field: 'ticket_scope' })])
    const staffRequested = await post({ kind: 'staff', ticket_scope: 'requested', permissions: [] })
    expect(staffRequested.statusCode).toBe(400)
    expect((await post({ kind: 'robot', ticket_scope: 'all', permissions: [] })).statusCode).toBe(400)
    expect((await post({ kind: 'staff', ticket_scope: 'all', permissions: [], key: 'Bad Key' })).statusCode).toBe(400)
    expect((await post({ kind: 'staff', permissions: [] })).statusCode).toBe(400)

    const portal = await newRole({ name: 'VIP customer', kind: 'customer', ticket_scope: 'requested', permissions: ['tickets:read', 'tickets:create', 'comments:create'] })
    expect(portal).toMatchObject({ kind: 'customer', ticket_scope: 'requested' })
    const widen = await call(app, 'PATCH', `/api/v1/roles/${portal.id}`, { token: admin.token, body: { permissions: ['tickets:read', 'contacts:read'] } })
    expect(widen.statusCode).toBe(400)
    const kind = await call(app, 'PATCH', `/api/v1/roles/${portal.id}`, { token: admin.token, body: { kind: 'staff' } })
    expect(kind.statusCode).toBe(400)
  })

  it("changes a member's permissions on their next request, and removing one takes it away", async () => {
    const role = await newRole({ name: 'Team lead', permissions: ['organization:read', 'teams:read'] })
    const lead = await addMember(app, admin, role.key)
    expect((await call(app, 'GET', '/api/v1/teams', { token: lead.token })).statusCode).toBe(200)
    expect((await call(app, 'POST', '/api/v1/teams', { token: lead.token, body: { name: uniqueName('Lead team') } })).statusCode).toBe(403)

    const grant = await call(app, 'PATCH', `/api/v1/roles/${role.id}`, { token: admin.token, body: { permissions: ['organization:read', 'teams:read', 'teams:manage'] } })
    expect(grant.statusCode).toBe(200)
    expect(grant.json.data).toMatchObject({ member_count: 1, permissions: ['organization:read', 'teams:read', 'teams:manage'] })
    // the same access token, no new sign-in
    expect((await call(app, 'POST', '/api/v1/teams', { token: lead.token, body: { name: uniqueName('Lead team') } })).statusCode).toBe(201)

    const revoke = await call(app, 'PATCH', `/api/v1/roles/${role.id}`, { token: admin.token, body: { permissions: ['organization:read'] } })
    expect(revoke.statusCode).toBe(200)
    expect((await call(app, 'GET', '/api/v1/teams', { token: lead.token })).statusCode).toBe(403)
    const me = await call(app, 'GET', '/api/v1/auth/me', { token: lead.token })
    expect((me.json.data as any).role).toMatchObject({ key: role.key, permissions: ['organization:read'] })
  })

  it('moves a person onto a custom role with PATCH /users/:id', async () => {
    const role = await newRole({ name: uniqueName('Auditors'), permissions: ['audit:read'] })
    const person = await addMember(app, admin, 'viewer')
    expect((await call(app, 'GET', '/api/v1/audit-events', { token: person.token })).statusCode).toBe(403)
    const moved = await call(app, 'PATCH', `/api/v1/users/${person.userId}`, { token: admin.token, body: { role: role.key } })
    expect(moved.statusCode, moved.body).toBe(200)
    expect((await call(app, 'GET', '/api/v1/audit-events', { token: person.token })).statusCode).toBe(200)
    expect((await call(app, 'GET', '/api/v1/teams', { token: person.token })).statusCode).toBe(403)
  })

  it('renames and describes a custom role', async () => {
    const role = await newRole({ name: uniqueName('Temp') })
    const res = await call(app, 'PATCH', `/api/v1/roles/${role.id}`, { token: admin.token, body: { name: uniqueName('Renamed'), description: 'Now described', ticket_scope: 'own' } })
    expect(res.statusCode).toBe(200)
    expect(res.json.data).toMatchObject({ key: role.key, description: 'Now described', ticket_scope: 'own' })
    expect((await call(app, 'GET', `/api/v1/roles/${role.id}`, { token: agent.token })).json.data).toMatchObject({ description: 'Now described' })
  })

  it('keeps built-in roles fixed', async () => {
    const roles = (await call(app, 'GET', '/api/v1/roles', { token: admin.token })).json.data as any[]
    for (const builtin of roles.filter((r) => r.is_system)) {
      const patch = await call(app, 'PATCH', `/api/v1/roles/${builtin.id}`, { token: admin.token, body: { permissions: [] } })
      expect(patch.statusCode).toBe(409)
      expect(patch.json.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/built-in roles cannot be changed/i) })
      expect((await call(app, 'DELETE', `/api/v1/roles/${builtin.id}`, { token: admin.token })).statusCode).toBe(409)
    }
    const after = (await call(app, 'GET', '/api/v1/roles', { token: admin.token })).json.data as any[]
    expect(after.filter((r) => r.is_system)).toEqual(roles.filter((r) => r.is_system))
  })

  it('deletes a role nobody uses, and refuses one in use, naming the count', async () => {
    const unused = await newRole({ name: uniqueName('Unused') })
    expect((await call(app, 'DELETE', `/api/v1/roles/${unused.id}`, { token: admin.token })).statusCode).toBe(200)
    expect((await call(app, 'GET', `/api/v1/roles/${unused.id}`, { token: admin.token })).statusCode).toBe(404)

    const used = await newRole({ name: uniqueName('Used'), permissions: ['organization:read'] })
    const holder = await addMember(app, admin, used.key)
    const key = await call(app, 'POST', '/api/v1/api-keys', { token: admin.token, body: { name: 'script', role: used.key } })
    expect(key.statusCode).toBe(201)
    const refused = await call(app, 'DELETE', `/api/v1/roles/${used.id}`, { token: admin.token })
    expect(refused.statusCode).toBe(409)
    expect(refused.json.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('1 member and 1 API key') })

    await call(app, 'PATCH', `/api/v1/users/${holder.userId}`, { token: admin.token, body: { role: 'viewer' } })
    const byKey = await call(app, 'DELETE', `/api/v1/roles/${used.id}`, { token: admin.token })
    expect(byKey.statusCode).toBe(409)
    expect((byKey.json.error as any).message).toMatch(/in use by 1 API key;/)
    await call(app, 'DELETE', `/api/v1/api-keys/${(key.json.data as any).id}`, { token: admin.token })
    expect((await call(app, 'DELETE', `/api/v1/roles/${used.id}`, { token: admin.token })).statusCode).toBe(200)
  })

  it('does not let a delegated role manager grant permissions they do not hold', async () => {
    const delegate = await newRole({ name: uniqueName('Role admin'), permissions: ['users:read', 'roles:manage', 'teams:read'] })
    const person = await addMember(app, admin, delegate.key)
    const ok = await call(app, 'POST', '/api/v1/roles', { token: person.token, body: { name: uniqueName('Readers'), kind: 'staff', ticket_scope: 'team', permissions: ['teams:read'] } })
    expect(ok.statusCode).toBe(201)
    const escalate = await call(app, 'POST', '/api/v1/roles', { token: person.token, body: { name: uniqueName('Sneaky'), kind: 'staff', ticket_scope: 'all', permissions: ['api_keys:manage'] } })
    expect(escalate.statusCode).toBe(403)
    const selfGrant = await call(app, 'PATCH', `/api/v1/roles/${delegate.id}`, { token: person.token, body: { permissions: ['users:read', 'roles:manage', 'teams:read', 'users:manage'] } })
    expect(selfGrant.statusCode).toBe(403)
    // renaming a role that holds more than the delegate is fine: nothing new is granted
    const admins = await newRole({ name: uniqueName('Almost admin'), permissions: ['users:manage'] })
    expect((await call(app, 'PATCH', `/api/v1/roles/${admins.id}`, { token: person.token, body: { name: uniqueName('Renamed') } })).statusCode).toBe(200)
  })
})

describe('role access', () => {
  let role: any
  beforeAll(async () => { role = await newRole({ name: uniqueName('Guarded') }) })

  const routes = () => [
    ['GET', '/api/v1/permissions', undefined],
    ['GET', '/api/v1/roles', undefined],
    ['GET', `/api/v1/roles/${role.id}`, undefined],
    ['POST', '/api/v1/roles', { name: uniqueName('Nope'), kind: 'staff', ticket_scope: 'own', permissions: [] }],
    ['PATCH', `/api/v1/roles/${role.id}`, { name: uniqueName('Nope') }],
    ['DELETE', `/api/v1/roles/${role.id}`, undefined],
  ] as const

  it('answers 401 without a token, 403 to agents on writes and customers everywhere', async () => {
    for (const [method, url, body] of routes()) {
      expect((await call(app, method, url, { body })).statusCode, `${method} ${url}`).toBe(401)
      expect((await call(app, method, url, { token: agent.token, body })).statusCode, `${method} ${url}`).toBe(method === 'GET' ? 200 : 403)
      expect((await call(app, method, url, { token: customer.token, body })).statusCode, `${method} ${url}`).toBe(403)
    }
  })

  it("answers 404 to another organization's admin for this organization's roles", async () => {
    for (const [method, url, body] of routes()) {
      if (!url.includes(role.id)) continue
      expect((await call(app, method, url, { token: stranger.token, body })).statusCode, `${method} ${url}`).toBe(404)
    }
    expect((await call(app, 'GET', `/api/v1/roles/${role.id}`, { token: admin.token })).json.data).toMatchObject({ name: role.name })
  })
})
