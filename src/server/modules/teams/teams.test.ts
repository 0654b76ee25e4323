import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { App } from '../../app.js'
import { addMember, call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'

let app: App
let admin: Session
let agent: Session
let viewer: Session
let customer: Session
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  agent = await addMember(app, admin, 'agent')
  viewer = await addMember(app, admin, 'viewer')
  customer = await addMember(app, admin, 'customer')
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

async function newTeam(name: string, extra: Record<string, unknown> = {}, as = admin): Promise<any> {
  const res = await call(app, 'POST', '/api/v1/teams', { token: as.token, body: { name, ...extra } })
  expect(res.statusCode, res.body).toBe(201)
  return res.json.data
}

/** How many SQL statements `fn` runs (all of them, authentication included). */
async function countQueries(fn: () => Promise<unknown>): Promise<number> {
  let proto = Object.getPrototypeOf(app.ctx.db.getExecutor())
  while (proto && !Object.hasOwn(proto, 'executeQuery')) proto = Object.getPrototypeOf(proto)
  const spy = vi.spyOn(proto, 'executeQuery')
  try {
    await fn()
    return spy.mock.calls.length
  } finally {
    spy.mockRestore()
  }
}

const unique = (name: string) => `${name} ${Math.random().toString(36).slice(2, 8)}`

describe('teams', () => {
  it('creates, reads, renames and deletes a team', async () => {
    const name = unique('Billing')
    const team = await newTeam(name, { description: 'Invoices and refunds' })
    expect(team).toMatchObject({ name, description: 'Invoices and refunds', parent_id: null, member_count: 0 })
    const got = await call(app, 'GET', `/api/v1/teams/${team.id}`, { token: viewer.token })
    expect(got.statusCode).toBe(200)
    expect(got.json.data).toMatchObject({ id: team.id, name, members: [] })
    const renamed = await call(app, 'PATCH', `/api/v1/teams/${team.id}`, { token: admin.token, body: { name: `${name} EU`, description: null } })
    expect(renamed.statusCode).toBe(200)
    expect(renamed.json.data).toMatchObject({ name: `${name} EU`, description: null })
    expect((await call(app, 'DELETE', `/api/v1/teams/${team.id}`, { token: admin.token })).statusCode).toBe(200)
    expect((await call(app, 'GET', `/api/v1/teams/${team.id}`, { token: admin.token })).statusCode).toBe(404)
    expect((await call(app, 'DELETE', `/api/v1/teams/${team.id}`, { token: admin.token })).statusCode).toBe(404)
  })

  it('refuses a second team with the same name in any letter case, but allows it in another organization', async () => {
    const name = unique('Tier One')
    const first = await newTeam(name)
    const dup = await call(app, 'POST', '/api/v1/teams', { token: admin.token, body: { name: name.toUpperCase() } })
    expect(dup.statusCode).toBe(409)
    expect(dup.json.error).toMatchObject({ code: 'conflict', details: [expect.objectContaining({ field: 'name' })] })
    const other = await newTeam(unique('Other'))
    const rename = await call(app, 'PATCH', `/api/v1/teams/${other.id}`, { token: admin.token, body: { name: name.toLowerCase() } })
    expect(rename.statusCode).toBe(409)
    // renaming a team to its own name in another case is fine
    expect((await call(app, 'PATCH', `/api/v1/teams/${first.id}`, { token: admin.token, body: { name: name.toLowerCase() } })).statusCode).toBe(200)
    await newTeam(name, {}, stranger)
  })

  it('lists teams by name with member counts, pages and a name filter', async () => {
    const org = await registerOrg(app)
    const member = await addMember(app, org, 'agent')
    const names = ['Alpha', 'bravo', 'Charlie', 'Delta 100%', 'Echo_x']
    const ids: Record<string, string> = {}
    for (const n of names) ids[n] = (await newTeam(n, {}, org)).id
    await call(app, 'POST', `/api/v1/teams/${ids.bravo}/members`, { token: org.token, body: { user_id: member.userId } })
    await call(app, 'POST', `/api/v1/teams/${ids.bravo}/members`, { token: org.token, body: { user_id: org.userId } })

    const page1 = await call(app, 'GET', '/api/v1/teams?limit=2', { token: member.token })
    expect(page1.statusCode).toBe(200)
    expect(page1.json.meta).toEqual({ page: 1, limit: 2, total: 5 })
    expect((page1.json.data as any[]).map((t) => t.name)).toEqual(['Alpha', 'bravo'])
    expect((page1.json.data as any[])[1]).toMatchObject({ member_count: 2, parent_id: null })
    const page3 = await call(app, 'GET', '/api/v1/teams?limit=2&page=3', { token: member.token })
    expect((page3.json.data as any[]).map((t) => t.name)).toEqual(['Echo_x'])

    const q = await call(app, 'GET', '/api/v1/teams?q=RAV', { token: member.token })
    expect((q.json.data as any[]).map((t) => t.name)).toEqual(['bravo'])
    expect(q.json.meta).toMatchObject({ total: 1 })
    // % and _ are literal characters, not wildcards
    expect(((await call(app, 'GET', `/api/v1/teams?q=${encodeURIComponent('0%')}`, { token: member.token })).json.data as any[]).map((t) => t.name)).toEqual(['Delta 100%'])
    expect(((await call(app, 'GET', '/api/v1/teams?q=o_', { token: member.token })).json.data as any[]).map((t) => t.name)).toEqual(['Echo_x'])

    expect((await call(app, 'GET', '/api/v1/teams?limit=101', { token: member.token })).statusCode).toBe(400)
    expect((await call(app, 'GET', '/api/v1/teams?sort=name', { token: member.token })).statusCode).toBe(400)
    // another organization's teams never show up
    const theirs = await call(app, 'GET', '/api/v1/teams?limit=100', { token: stranger.token })
    expect((theirs.json.data as any[]).some((t) => Object.values(ids).includes(t.id))).toBe(false)
  })

  it('lists and shows teams in a fixed number of statements, however many teams and members (no N+1)', async () => {
    const org = await registerOrg(app)
    const people = [org, await addMember(app, org, 'agent'), await addMember(app, org, 'agent')]
    const first = await newTeam('Solo', {}, org)
    const list = () => call(app, 'GET', '/api/v1/teams?limit=100', { token: org.token })
    const detail = (id: string) => call(app, 'GET', `/api/v1/teams/${id}`, { token: org.token })
    const few = await countQueries(list)
    const fewDetail = await countQueries(() => detail(first.id))
    expect(few).toBeGreaterThan(2) // the counter sees the statements at all
    for (let i = 0; i < 8; i++) {
      const team = await newTeam(`Crowd ${i}`, {}, org)
      for (const p of people) await call(app, 'POST', `/api/v1/teams/${team.id}/members`, { token: org.token, body: { user_id: p.userId } })
    }
    const crowd = ((await list()).json.data as any[]).find((t) => t.name === 'Crowd 7')
    expect(crowd.member_count).toBe(3)
    expect(await countQueries(list)).toBe(few)
    expect(await countQueries(() => detail(crowd.id))).toBe(fewDetail)
  })

  it('validates input', async () => {
    const blank = await call(app, 'POST', '/api/v1/teams', { token: admin.token, body: { name: '   ' } })
    expect(blank.statusCode).toBe(400)
    const extra = await call(app, 'POST', '/api/v1/teams', { token: admin.token, body: { name: unique('X'), color: 'red' } })
    expect(extra.statusCode).toBe(400)
    expect(extra.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'color' })] })
    const badParent = await call(app, 'POST', '/api/v1/teams', { token: admin.token, body: { name: unique('X'), parent_id: 'nope' } })
    expect(badParent.statusCode).toBe(400)
  })
})

describe('team hierarchy', () => {
  it('nests teams under a parent of the same organization only', async () => {
    const support = await newTeam(unique('Support'))
    const emea = await newTeam(unique('EMEA'), { parent_id: support.id })
    expect(emea.parent_id).toBe(support.id)
    const theirs = await newTeam(unique('Theirs'), {}, stranger)
    const cross = await call(app, 'POST', '/api/v1/teams', { token: admin.token, body: { name: unique('Sneaky'), parent_id: theirs.id } })
    expect(cross.statusCode).toBe(400)
    expect(cross.json.error).toMatchObject({ code: 'validation_error', details: [expect.objectContaining({ field: 'parent_id' })] })
    const move = await call(app, 'PATCH', `/api/v1/teams/${emea.id}`, { token: admin.token, body: { parent_id: theirs.id } })
    expect(move.statusCode).toBe(400)
  })

  it('rejects a team as its own parent (400) or under its own descendant (409)', async () => {
    const a = await newTeam(unique('A'))
    const b = await newTeam(unique('B'), { parent_id: a.id })
    const c = await newTeam(unique('C'), { parent_id: b.id })
    const self = await call(app, 'PATCH', `/api/v1/teams/${a.id}`, { token: admin.token, body: { parent_id: a.id } })
    expect(self.statusCode).toBe(400)
    expect(self.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'parent_id' })] })
    const child = await call(app, 'PATCH', `/api/v1/teams/${a.id}`, { token: admin.token, body: { parent_id: b.id } })
    expect(child.statusCode).toBe(409)
    const grandchild = await call(app, 'PATCH', `/api/v1/teams/${a.id}`, { token: admin.token, body: { parent_id: c.id } })
    expect(grandchild.statusCode).toBe(409)
    expect(grandchild.json.error).toMatchObject({ code: 'conflict', details: [expect.objectContaining({ field: 'parent_id' })] })
    // nothing changed; a legal move and a move back to the top level work
    expect((await call(app, 'GET', `/api/v1/teams/${a.id}`, { token: admin.token })).json.data).toMatchObject({ parent_id: null })
    const moved = await call(app, 'PATCH', `/api/v1/teams/${c.id}`, { token: admin.token, body: { parent_id: a.id } })
    expect(moved.json.data).toMatchObject({ parent_id: a.id })
    const top = await call(app, 'PATCH', `/api/v1/teams/${c.id}`, { token: admin.token, body: { parent_id: null } })
    expect(top.json.data).toMatchObject({ parent_id: null })
  })

  it('moves sub-teams to the top level and drops memberships when a team is deleted', async () => {
    const parent = await newTeam(unique('Parent'))
    const child = await newTeam(unique('Child'), { parent_id: parent.id })
    await call(app, 'POST', `/api/v1/teams/${parent.id}/members`, { token: admin.token, body: { user_id: agent.userId } })
    expect((await call(app, 'DELETE', `/api/v1/teams/${parent.id}`, { token: admin.token })).statusCode).toBe(200)
    expect((await call(app, 'GET', `/api/v1/teams/${child.id}`, { token: admin.token })).json.data).toMatchObject({ parent_id: null })
    expect((await call(app, 'GET', `/api/v1/teams/${parent.id}/members`, { token: admin.token })).statusCode).toBe(404)
  })
})

describe('team members', () => {
  it('adds, lists, marks a lead and removes members', async () => {
    const team = await newTeam(unique('Escalations'))
    const added = await call(app, 'POST', `/api/v1/teams/${team.id}/members`, { token: admin.token, body: { user_id: agent.userId, is_lead: true } })
    expect(added.statusCode).toBe(201)
    expect(added.json.data).toMatchObject({ user_id: agent.userId, email: agent.email, role: 'agent', is_lead: true, is_active: true })
    expect((await call(app, 'POST', `/api/v1/teams/${team.id}/members`, { token: admin.token, body: { user_id: viewer.userId } })).statusCode).toBe(201)

    const detail = await call(app, 'GET', `/api/v1/teams/${team.id}`, { token: agent.token })
    expect(detail.json.data).toMatchObject({ member_count: 2 })
    expect((detail.json.data as any).members.map((m: any) => [m.user_id, m.role, m.is_lead])).toEqual([[agent.userId, 'agent', true], [viewer.userId, 'viewer', false]])
    const listed = await call(app, 'GET', `/api/v1/teams/${team.id}/members`, { token: viewer.token })
    expect(listed.statusCode).toBe(200)
    expect((listed.json.data as any[]).map((m) => m.user_id)).toEqual([agent.userId, viewer.userId])

    // adding again is not an error: it answers 200 and updates is_lead only when given
    const again = await call(app, 'POST', `/api/v1/teams/${team.id}/members`, { token: admin.token, body: { user_id: agent.userId } })
    expect(again.statusCode).toBe(200)
    expect(again.json.data).toMatchObject({ is_lead: true })
    const demoted = await call(app, 'POST', `/api/v1/teams/${team.id}/members`, { token: admin.token, body: { user_id: agent.userId, is_lead: false } })
    expect(demoted.statusCode).toBe(200)
    expect(demoted.json.data).toMatchObject({ is_lead: false })

    expect((await call(app, 'DELETE', `/api/v1/teams/${team.id}/members/${viewer.userId}`, { token: admin.token })).statusCode).toBe(200)
    expect((await call(app, 'DELETE', `/api/v1/teams/${team.id}/members/${viewer.userId}`, { token: admin.token })).statusCode).toBe(404)
    expect((await call(app, 'GET', `/api/v1/teams/${team.id}`, { token: admin.token })).json.data).toMatchObject({ member_count: 1 })
  })

  it('only takes staff members of this organization', async () => {
    const team = await newTeam(unique('Staff only'))
    const outsider = await call(app, 'POST', `/api/v1/teams/${team.id}/members`, { token: admin.token, body: { user_id: stranger.userId } })
    expect(outsider.statusCode).toBe(400)
    expect(outsider.json.error).toMatchObject({ code: 'validation_error', details: [expect.objectContaining({ field: 'user_id' })] })
    const cust = await call(app, 'POST', `/api/v1/teams/${team.id}/members`, { token: admin.token, body: { user_id: customer.userId } })
    expect(cust.statusCode).toBe(400)
    const missingTeam = await call(app, 'POST', '/api/v1/teams/00000000-0000-7000-8000-000000000000/members', { token: admin.token, body: { user_id: agent.userId } })
    expect(missingTeam.statusCode).toBe(404)
  })
})

describe('team access', () => {
  let team: any
  beforeAll(async () => {
    team = await newTeam(unique('Guarded'))
    await call(app, 'POST', `/api/v1/teams/${team.id}/members`, { token: admin.token, body: { user_id: agent.userId } })
  })

  const routes = () => [
    ['GET', '/api/v1/teams', undefined],
    ['POST', '/api/v1/teams', { name: unique('Nope') }],
    ['GET', `/api/v1/teams/${team.id}`, undefined],
    ['PATCH', `/api/v1/teams/${team.id}`, { name: unique('Nope') }],
    ['DELETE', `/api/v1/teams/${team.id}`, undefined],
    ['GET', `/api/v1/teams/${team.id}/members`, undefined],
    ['POST', `/api/v1/teams/${team.id}/members`, { user_id: viewer.userId }],
    ['DELETE', `/api/v1/teams/${team.id}/members/${agent.userId}`, undefined],
  ] as const

  it('answers 401 without a token on every route', async () => {
    for (const [method, url, body] of routes()) {
      expect((await call(app, method, url, { body })).statusCode, `${method} ${url}`).toBe(401)
    }
  })

  it('lets agents and viewers read but not change teams; customers see none', async () => {
    for (const [method, url, body] of routes()) {
      const write = method !== 'GET'
      for (const who of [agent, viewer]) {
        expect((await call(app, method, url, { token: who.token, body })).statusCode, `${method} ${url}`).toBe(write ? 403 : 200)
      }
      expect((await call(app, method, url, { token: customer.token, body })).statusCode, `${method} ${url}`).toBe(403)
    }
  })

  it("answers 404 to another organization's admin for this organization's ids", async () => {
    for (const [method, url, body] of routes()) {
      if (!url.includes(team.id)) continue
      const res = await call(app, method, url, { token: stranger.token, body })
      expect(res.statusCode, `${method} ${url}`).toBe(404)
    }
    expect((await call(app, 'GET', `/api/v1/teams/${team.id}`, { token: admin.token })).json.data).toMatchObject({ name: team.name, member_count: 1 })
  })

  it('lets a manager (teams:manage) change teams', async () => {
    const manager = await addMember(app, admin, 'manager')
    const made = await newTeam(unique('Managed'), {}, manager)
    expect((await call(app, 'DELETE', `/api/v1/teams/${made.id}`, { token: manager.token })).statusCode).toBe(200)
  })
})
