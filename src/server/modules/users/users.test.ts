import { randomUUID } from 'node:crypto'
import type { Kysely, KyselyPlugin } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import type { DB } from '../../platform/db/schema.js'
import { withSystem } from '../../platform/db/tenant.js'
import { uuidv7 } from '../../platform/ids.js'
import { PASSWORD, addMember, call, createTestApp, login, registerOrg, uniqueEmail, type Session } from '../../../../test/helpers.js'

let app: App
beforeAll(async () => { app = await createTestApp({ authRateLimitPerMinute: 1000 }) })
afterAll(async () => { await app.close() })

async function makeTeam(tenantId: string, name = `Team ${randomUUID().slice(0, 6)}`): Promise<string> {
  const id = uuidv7()
  await withSystem(app.ctx.db, (tx) => tx.insertInto('teams').values({ tenant_id: tenantId, id, name }).execute())
  return id
}

async function makeRole(tenantId: string, key: string, permissions: string[]): Promise<void> {
  await withSystem(app.ctx.db, (tx) => tx.insertInto('roles').values({
    tenant_id: tenantId, id: uuidv7(), key, name: key, description: null, kind: 'staff', permissions, ticket_scope: 'team',
  }).execute())
}

async function mailTo(tenantId: string, email: string) {
  await app.ctx.outbox.drain({ tenantId })
  return app.ctx.mailer.recent.filter((m) => m.to === email)
}

async function auditActions(tenantId: string, subjectId: string): Promise<string[]> {
  const rows = await withSystem(app.ctx.db, (tx) => tx.selectFrom('audit_events').select('action')
    .where('tenant_id', '=', tenantId).where('subject_id', '=', subjectId).orderBy('created_at').orderBy('id').execute())
  return rows.map((r) => r.action)
}

function createUser(admin: Session, body: Record<string, unknown>) {
  return call(app, 'POST', '/api/v1/users', { token: admin.token, body })
}

describe('adding people', () => {
  it('creates a member with role, title and teams, who can then sign in', async () => {
    const admin = await registerOrg(app)
    const team = await makeTeam(admin.tenantId, 'Billing')
    const email = uniqueEmail('ann')
    const res = await createUser(admin, { name: 'Ann Agent', email, role: 'agent', password: PASSWORD, title: 'Support engineer', team_ids: [team, team] })
    expect(res.statusCode).toBe(201)
    const user = res.json.data as any
    expect(user).toMatchObject({ email, name: 'Ann Agent', role: 'agent', title: 'Support engineer', is_active: true, two_factor_enabled: false })
    expect(user).not.toHaveProperty('password_hash')
    const detail = await call(app, 'GET', `/api/v1/users/${user.id}`, { token: admin.token })
    expect(detail.statusCode).toBe(200)
    expect((detail.json.data as any).teams).toEqual([{ id: team, name: 'Billing', is_lead: false }])
    const ann = await login(app, email, PASSWORD, admin.tenantId)
    const me = await call(app, 'GET', '/api/v1/auth/me', { token: ann.token })
    expect((me.json.data as any).role.key).toBe('agent')
    expect(await auditActions(admin.tenantId, user.id)).toContain('user.created')
  })

  it('accepts custom roles and refuses a role or team the organization does not have (400)', async () => {
    const admin = await registerOrg(app)
    await makeRole(admin.tenantId, 'billing_clerk', ['users:read', 'tickets:read'])
    const custom = await createUser(admin, { name: 'C', email: uniqueEmail(), role: 'billing_clerk' })
    expect(custom.statusCode).toBe(201)
    expect((custom.json.data as any).role).toBe('billing_clerk')

    const unknown = await createUser(admin, { name: 'U', email: uniqueEmail(), role: 'wizard' })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json.error).toMatchObject({ code: 'validation_error', details: [{ field: 'role' }] })

    const other = await registerOrg(app)
    await makeRole(other.tenantId, 'only_there', ['users:read'])
    expect((await createUser(admin, { name: 'U', email: uniqueEmail(), role: 'only_there' })).statusCode).toBe(400)
    const foreignTeam = await makeTeam(other.tenantId)
    const badTeam = await createUser(admin, { name: 'T', email: uniqueEmail(), role: 'agent', team_ids: [foreignTeam] })
    expect(badTeam.statusCode).toBe(400)
    expect(badTeam.json.error).toMatchObject({ code: 'validation_error', details: [{ field: 'team_ids' }] })
  })

  it('validates the body: email format, password length, unknown and identity-only fields', async () => {
    const admin = await registerOrg(app)
    expect((await createUser(admin, { name: 'X', email: 'nope', role: 'agent' })).statusCode).toBe(400)
    expect((await createUser(admin, { name: 'X', email: uniqueEmail(), role: 'agent', password: 'short' })).statusCode).toBe(400)
    const extra = await createUser(admin, { name: 'X', email: uniqueEmail(), role: 'agent', is_admin: true })
    expect(extra.statusCode).toBe(400)
    expect((extra.json.error as any).details[0]).toMatchObject({ field: 'is_admin' })
  })

  it('refuses to add an existing member twice, in any letter case (409)', async () => {
    const admin = await registerOrg(app)
    const email = uniqueEmail('twice')
    expect((await createUser(admin, { name: 'T', email, role: 'agent' })).statusCode).toBe(201)
    const again = await createUser(admin, { name: 'T', email: email.toUpperCase(), role: 'viewer' })
    expect(again.statusCode).toBe(409)
    expect(again.json.error).toMatchObject({ code: 'conflict', details: [{ field: 'email', code: 'already_member' }] })
    expect((await createUser(admin, { name: 'Admin', email: admin.email, role: 'agent' })).statusCode).toBe(409)
  })

  it('mails a link to choose a password when none is given', async () => {
    const admin = await registerOrg(app)
    const email = uniqueEmail('nopass')
    expect((await createUser(admin, { name: 'Nora', email, role: 'agent' })).statusCode).toBe(201)
    expect((await call(app, 'POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } })).statusCode).toBe(401)
    const [mail] = await mailTo(admin.tenantId, email)
    expect(mail?.text).toContain('Nora')
    const token = decodeURIComponent(/reset-password\?token=([^\s&]+)/.exec(mail!.text)![1]!)
    const set = await call(app, 'POST', '/api/v1/auth/reset-password', { body: { token, password: 'my chosen password' } })
    expect(set.statusCode).toBe(200)
    const nora = await login(app, email, 'my chosen password')
    expect(nora.tenantId).toBe(admin.tenantId)
  })

  it('lets an existing identity join a second organization, keeping its own name and password', async () => {
    const first = await registerOrg(app)
    const second = await registerOrg(app)
    const res = await createUser(second, { name: 'Someone Else', email: first.email.toUpperCase(), role: 'agent', password: 'an attempt to overwrite' })
    expect(res.statusCode).toBe(201)
    expect(res.json.data).toMatchObject({ id: first.userId, name: 'Admin', email: first.email, role: 'agent' })
    expect((await call(app, 'POST', '/api/v1/auth/login', { body: { email: first.email, password: 'an attempt to overwrite' } })).statusCode).toBe(401)
    const there = await login(app, first.email, PASSWORD, second.tenantId)
    expect(there.userId).toBe(first.userId)
    const me = await call(app, 'GET', '/api/v1/auth/me', { token: there.token })
    expect((me.json.data as any).role.key).toBe('agent')
    expect((me.json.data as any).organizations).toHaveLength(2)
    const mails = await mailTo(second.tenantId, first.email)
    expect(mails.at(-1)?.subject).toMatch(/access/i)
  })
})

describe('listing people', () => {
  let admin: Session
  let team: string
  beforeAll(async () => {
    admin = await registerOrg(app)
    team = await makeTeam(admin.tenantId)
    const people: Array<[string, string, string, string[]]> = [
      ['Zoe Zimmer', 'zoe', 'agent', [team]],
      ['Bob Builder', 'bob', 'agent', []],
      ['Carla Customer', 'carla', 'customer', []],
      ['Victor Viewer', 'victor', 'viewer', [team]],
      ['Percy 100%', 'percy', 'manager', []],
    ]
    for (const [name, prefix, role, team_ids] of people) {
      const res = await createUser(admin, { name, email: uniqueEmail(prefix), role, team_ids })
      expect(res.statusCode).toBe(201)
    }
    const bob = (await call(app, 'GET', '/api/v1/users?q=bob', { token: admin.token })).json.data as any[]
    await call(app, 'DELETE', `/api/v1/users/${bob[0].id}`, { token: admin.token })
  })

  const names = (res: { json: Record<string, unknown> }) => (res.json.data as Array<{ name: string }>).map((u) => u.name)

  it('pages and sorts, by name by default', async () => {
    const all = await call(app, 'GET', '/api/v1/users', { token: admin.token })
    expect(all.statusCode).toBe(200)
    expect(names(all)).toEqual(['Admin', 'Bob Builder', 'Carla Customer', 'Percy 100%', 'Victor Viewer', 'Zoe Zimmer'])
    expect(all.json.meta).toEqual({ page: 1, limit: 25, total: 6 })
    const page2 = await call(app, 'GET', '/api/v1/users?limit=2&page=2&sort=-name', { token: admin.token })
    expect(names(page2)).toEqual(['Percy 100%', 'Carla Customer'])
    expect(page2.json.meta).toEqual({ page: 2, limit: 2, total: 6 })
    const newest = await call(app, 'GET', '/api/v1/users?sort=-created_at&limit=1', { token: admin.token })
    expect(names(newest)).toEqual(['Percy 100%'])
    expect((await call(app, 'GET', '/api/v1/users?limit=101', { token: admin.token })).statusCode).toBe(400)
    expect((await call(app, 'GET', '/api/v1/users?sort=password', { token: admin.token })).statusCode).toBe(400)
  })

  it('filters by role, active status, team and text in name or email', async () => {
    const get = (qs: string) => call(app, 'GET', `/api/v1/users?${qs}`, { token: admin.token })
    expect(names(await get('role=agent'))).toEqual(['Bob Builder', 'Zoe Zimmer'])
    expect(names(await get('is_active=false'))).toEqual(['Bob Builder'])
    expect((await get('is_active=true')).json.meta).toMatchObject({ total: 5 })
    expect(names(await get(`team_id=${team}`))).toEqual(['Victor Viewer', 'Zoe Zimmer'])
    expect(names(await get(`team_id=${randomUUID()}`))).toEqual([])
    expect(names(await get('q=ZIMM'))).toEqual(['Zoe Zimmer'])
    expect(names(await get('q=carla-'))).toEqual(['Carla Customer'])
    expect(names(await get(`q=${encodeURIComponent('100%')}`))).toEqual(['Percy 100%'])
    expect(names(await get(`q=${encodeURIComponent('%')}`))).toEqual(['Percy 100%'])
    expect(names(await get('role=agent&is_active=true&q=z'))).toEqual(['Zoe Zimmer'])
  })

  it('shows customers to agents too, but not other organizations\' people', async () => {
    const agent = await addMember(app, admin, 'agent')
    const customers = await call(app, 'GET', '/api/v1/users?role=customer', { token: agent.token })
    expect(customers.statusCode).toBe(200)
    expect(names(customers)).toEqual(['Carla Customer'])
    const stranger = await registerOrg(app)
    const theirs = await call(app, 'GET', '/api/v1/users', { token: stranger.token })
    expect(names(theirs)).toEqual(['Admin'])
    expect((theirs.json.data as any[])[0].id).toBe(stranger.userId)
  })

  it('reads a page in the same number of queries whatever its size (no N+1)', async () => {
    const org = await registerOrg(app)
    const db = app.ctx.db
    let queries = 0
    const counter: KyselyPlugin = {
      transformQuery: (args) => { queries++; return args.node },
      transformResult: async (args) => args.result,
    }
    const count = async (qs: string) => {
      queries = 0
      app.ctx.db = db.withPlugin(counter) as Kysely<DB>
      try {
        const res = await call(app, 'GET', `/api/v1/users?${qs}`, { token: org.token })
        expect(res.statusCode).toBe(200)
      } finally {
        app.ctx.db = db
      }
      return queries
    }
    await count('limit=1') // the first request also reads the session; later ones find it cached
    const small = await count('limit=1')
    expect(small).toBeGreaterThanOrEqual(2) // the page, the total
    for (let i = 0; i < 12; i++) await createUser(org, { name: `P${i}`, email: uniqueEmail(), role: 'agent', team_ids: [] })
    expect(await count('limit=13')).toBe(small)
  })
})

describe('changing people', () => {
  it('changes role, title and teams, and records role changes in the audit log', async () => {
    const admin = await registerOrg(app)
    const [a, b] = [await makeTeam(admin.tenantId, 'Alpha'), await makeTeam(admin.tenantId, 'Beta')]
    const created = await createUser(admin, { name: 'M', email: uniqueEmail(), role: 'agent', team_ids: [a] })
    const id = (created.json.data as any).id
    const res = await call(app, 'PATCH', `/api/v1/users/${id}`, { token: admin.token, body: { role: 'manager', title: 'Lead', team_ids: [b] } })
    expect(res.statusCode).toBe(200)
    expect(res.json.data).toMatchObject({ id, role: 'manager', title: 'Lead', is_active: true, teams: [{ id: b, name: 'Beta', is_lead: false }] })
    const cleared = await call(app, 'PATCH', `/api/v1/users/${id}`, { token: admin.token, body: { title: null, team_ids: [] } })
    expect(cleared.json.data).toMatchObject({ title: null, teams: [] })
    const events = await withSystem(app.ctx.db, (tx) => tx.selectFrom('audit_events').select(['action', 'data', 'actor_id'])
      .where('tenant_id', '=', admin.tenantId).where('subject_id', '=', id).where('action', '=', 'user.role_changed').execute())
    expect(events).toEqual([{ action: 'user.role_changed', data: { from: 'agent', to: 'manager' }, actor_id: admin.userId }])
    const badRole = await call(app, 'PATCH', `/api/v1/users/${id}`, { token: admin.token, body: { role: 'nope' } })
    expect(badRole.json.error).toMatchObject({ code: 'validation_error', details: [{ field: 'role' }] })
  })

  it('keeps name and email as the person\'s own: not editable here', async () => {
    const admin = await registerOrg(app)
    const member = await addMember(app, admin, 'agent')
    for (const body of [{ name: 'Renamed' }, { email: uniqueEmail() }]) {
      const res = await call(app, 'PATCH', `/api/v1/users/${member.userId}`, { token: admin.token, body })
      expect(res.statusCode).toBe(400)
    }
  })

  it('deactivating ends the person\'s sessions here at once and stops sign-in; reactivating restores it', async () => {
    const admin = await registerOrg(app)
    const member = await addMember(app, admin, 'agent')
    expect((await call(app, 'GET', '/api/v1/users', { token: member.token })).statusCode).toBe(200)
    const res = await call(app, 'PATCH', `/api/v1/users/${member.userId}`, { token: admin.token, body: { is_active: false } })
    expect(res.statusCode).toBe(200)
    expect(res.json.data).toMatchObject({ is_active: false })
    const denied = await call(app, 'GET', '/api/v1/users', { token: member.token })
    expect([401, 403]).toContain(denied.statusCode)
    expect((await call(app, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: member.refresh } })).statusCode).toBe(401)
    const signIn = await call(app, 'POST', '/api/v1/auth/login', { body: { email: member.email, password: PASSWORD } })
    expect([401, 403]).toContain(signIn.statusCode)
    const row = await withSystem(app.ctx.db, (tx) => tx.selectFrom('memberships').select(['is_active', 'deactivated_at'])
      .where('tenant_id', '=', admin.tenantId).where('user_id', '=', member.userId).executeTakeFirstOrThrow())
    expect(row.is_active).toBe(false)
    expect(row.deactivated_at).not.toBeNull()

    const back = await call(app, 'PATCH', `/api/v1/users/${member.userId}`, { token: admin.token, body: { is_active: true } })
    expect(back.json.data).toMatchObject({ is_active: true })
    expect((await login(app, member.email, PASSWORD, admin.tenantId)).userId).toBe(member.userId)
    expect(await auditActions(admin.tenantId, member.userId)).toEqual(['user.created', 'user.deactivated', 'user.reactivated'])
  })

  it('deactivation in one organization leaves the person\'s other organizations alone', async () => {
    const home = await registerOrg(app)
    const other = await registerOrg(app)
    expect((await createUser(other, { name: 'x', email: home.email, role: 'agent' })).statusCode).toBe(201)
    const there = await login(app, home.email, PASSWORD, other.tenantId)
    expect((await call(app, 'DELETE', `/api/v1/users/${home.userId}`, { token: other.token })).statusCode).toBe(200)
    expect((await call(app, 'GET', '/api/v1/auth/me', { token: there.token })).statusCode).not.toBe(200)
    expect((await call(app, 'GET', '/api/v1/auth/me', { token: home.token })).statusCode).toBe(200)
  })

  it('DELETE deactivates softly and answers the user; the membership stays listed', async () => {
    const admin = await registerOrg(app)
    const member = await addMember(app, admin, 'viewer')
    const res = await call(app, 'DELETE', `/api/v1/users/${member.userId}`, { token: admin.token })
    expect(res.statusCode).toBe(200)
    expect(res.json.data).toMatchObject({ id: member.userId, is_active: false, role: 'viewer' })
    const again = await call(app, 'DELETE', `/api/v1/users/${member.userId}`, { token: admin.token })
    expect(again.statusCode).toBe(200)
    const listed = await call(app, 'GET', '/api/v1/users?is_active=false', { token: admin.token })
    expect((listed.json.data as any[]).map((u) => u.id)).toEqual([member.userId])
    expect((await call(app, 'GET', '/api/v1/auth/me', { token: member.token })).statusCode).not.toBe(200)
  })

  it('always keeps one active administrator', async () => {
    const admin = await registerOrg(app)
    const demote = await call(app, 'PATCH', `/api/v1/users/${admin.userId}`, { token: admin.token, body: { role: 'agent' } })
    expect(demote.statusCode).toBe(409)
    expect(demote.json.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/last active administrator/i) })
    expect((await call(app, 'PATCH', `/api/v1/users/${admin.userId}`, { token: admin.token, body: { is_active: false } })).statusCode).toBe(409)
    expect((await call(app, 'DELETE', `/api/v1/users/${admin.userId}`, { token: admin.token })).statusCode).toBe(409)
    // a deactivated admin does not count
    const dormant = await addMember(app, admin, 'admin')
    await call(app, 'DELETE', `/api/v1/users/${dormant.userId}`, { token: admin.token })
    expect((await call(app, 'PATCH', `/api/v1/users/${admin.userId}`, { token: admin.token, body: { role: 'manager' } })).statusCode).toBe(409)

    const second = await addMember(app, admin, 'admin')
    const ok = await call(app, 'PATCH', `/api/v1/users/${admin.userId}`, { token: second.token, body: { role: 'manager' } })
    expect(ok.statusCode).toBe(200)
    expect((await call(app, 'DELETE', `/api/v1/users/${second.userId}`, { token: second.token })).statusCode).toBe(409)
    // the admin is still an admin and still signed in
    expect((await call(app, 'GET', `/api/v1/users/${second.userId}`, { token: second.token })).json.data).toMatchObject({ role: 'admin', is_active: true })
  })

  it('does not let a custom role hand out more than it holds', async () => {
    const admin = await registerOrg(app)
    await makeRole(admin.tenantId, 'people_ops', ['users:read', 'users:manage'])
    const ops = await addMember(app, admin, 'people_ops')
    const promote = await call(app, 'POST', '/api/v1/users', { token: ops.token, body: { name: 'X', email: uniqueEmail(), role: 'admin' } })
    expect(promote.statusCode).toBe(403)
    expect((await call(app, 'PATCH', `/api/v1/users/${ops.userId}`, { token: ops.token, body: { role: 'admin' } })).statusCode).toBe(403)
    expect((await call(app, 'DELETE', `/api/v1/users/${admin.userId}`, { token: ops.token })).statusCode).toBe(403)
    expect((await call(app, 'POST', '/api/v1/users', { token: ops.token, body: { name: 'Y', email: uniqueEmail(), role: 'people_ops' } })).statusCode).toBe(201)
  })
})

describe('who may do what', () => {
  let admin: Session
  let target: string
  const roles: Record<string, Session> = {}
  beforeAll(async () => {
    admin = await registerOrg(app)
    for (const role of ['agent', 'viewer', 'customer']) roles[role] = await addMember(app, admin, role)
    target = ((await createUser(admin, { name: 'Target', email: uniqueEmail(), role: 'agent' })).json.data as any).id
  })

  const writes = (id: string): Array<[string, string, unknown]> => [
    ['POST', '/api/v1/users', { name: 'N', email: uniqueEmail(), role: 'agent' }],
    ['PATCH', `/api/v1/users/${id}`, { title: 'x' }],
    ['DELETE', `/api/v1/users/${id}`, undefined],
  ]

  it('answers 404 to another organization\'s admin for this organization\'s people, and for unknown ids', async () => {
    const stranger = await registerOrg(app)
    for (const id of [target, admin.userId, randomUUID()]) {
      expect((await call(app, 'GET', `/api/v1/users/${id}`, { token: stranger.token })).statusCode).toBe(404)
      for (const [method, url, body] of writes(id).slice(1)) {
        const res = await call(app, method as 'PATCH', url, { token: stranger.token, body })
        expect(res.statusCode, `${method} ${url}`).toBe(404)
        expect(res.json.error).toMatchObject({ code: 'not_found' })
      }
    }
    expect((await call(app, 'GET', `/api/v1/users/${target}`, { token: admin.token })).json.data).toMatchObject({ name: 'Target', is_active: true })
    expect((await call(app, 'GET', '/api/v1/users/not-a-uuid', { token: admin.token })).statusCode).toBe(400)
  })

  it('forbids writes to agents, viewers and customers, and reads to customers (403)', async () => {
    for (const role of ['agent', 'viewer', 'customer']) {
      for (const [method, url, body] of writes(target)) {
        const res = await call(app, method as 'POST', url, { token: roles[role]!.token, body })
        expect(res.statusCode, `${role} ${method} ${url}`).toBe(403)
        expect(res.json.error).toMatchObject({ code: 'forbidden' })
      }
    }
    for (const role of ['agent', 'viewer']) {
      expect((await call(app, 'GET', '/api/v1/users', { token: roles[role]!.token })).statusCode).toBe(200)
      expect((await call(app, 'GET', `/api/v1/users/${target}`, { token: roles[role]!.token })).statusCode).toBe(200)
    }
    expect((await call(app, 'GET', '/api/v1/users', { token: roles.customer!.token })).statusCode).toBe(403)
    expect((await call(app, 'GET', `/api/v1/users/${target}`, { token: roles.customer!.token })).statusCode).toBe(403)
    expect((await call(app, 'GET', `/api/v1/users/${target}`, { token: admin.token })).json.data).toMatchObject({ title: null, is_active: true })
  })

  it('asks for credentials without a token (401)', async () => {
    for (const [method, url, body] of [['GET', '/api/v1/users', undefined], ['GET', `/api/v1/users/${target}`, undefined], ...writes(target)] as Array<[string, string, unknown]>) {
      const res = await call(app, method as 'GET', url, { body })
      expect(res.statusCode, `${method} ${url}`).toBe(401)
    }
  })
})
