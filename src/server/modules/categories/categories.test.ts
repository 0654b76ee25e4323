import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { withTenant } from '../../platform/db/tenant.js'
import { uuidv7 } from '../../platform/ids.js'
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

const data = (res: { json: Record<string, unknown> }): any => res.json.data

async function newCategory(s: Session, name: string, extra: Record<string, unknown> = {}): Promise<any> {
  const res = await call(app, 'POST', '/api/v1/ticket-categories', { token: s.token, body: { name, ...extra } })
  expect(res.statusCode, res.body).toBe(201)
  return data(res)
}

async function list(s: Session, query = ''): Promise<any[]> {
  const res = await call(app, 'GET', `/api/v1/ticket-categories${query}`, { token: s.token })
  expect(res.statusCode, res.body).toBe(200)
  return data(res)
}

let ticketNumber = 1
async function insertTickets(s: Session, categoryId: string, n: number): Promise<string[]> {
  return withTenant(app.ctx.db, { tenantId: s.tenantId, userId: s.userId }, async (tx) => {
    const status = await tx.selectFrom('ticket_statuses').select('id').where('is_default', '=', true).executeTakeFirstOrThrow()
    const ids = Array.from({ length: n }, () => uuidv7())
    await tx.insertInto('tickets').values(ids.map((id) => ({ tenant_id: s.tenantId, id, number: ticketNumber++, subject: 'S', status_id: status.id, category_id: categoryId }))).execute()
    return ids
  })
}

describe('ticket categories', () => {
  it('lists a hierarchy flat (parents before children, with depth) or as a tree', async () => {
    const org = await registerOrg(app)
    const hardware = await newCategory(org, 'Hardware')
    await newCategory(org, 'Billing', { position: 0 })
    await call(app, 'PATCH', `/api/v1/ticket-categories/${hardware.id}`, { token: org.token, body: { position: 1 } })
    const laptops = await newCategory(org, 'Laptops', { parent_id: hardware.id })
    const batteries = await newCategory(org, 'Batteries', { parent_id: laptops.id })
    const printers = await newCategory(org, 'Printers', { parent_id: hardware.id })
    expect(laptops).toMatchObject({ parent_id: hardware.id, depth: 1 })
    expect(batteries).toMatchObject({ parent_id: laptops.id, depth: 2 })

    const flat = await list(org)
    expect(flat.map((c) => [c.name, c.depth, c.parent_id])).toEqual([
      ['Billing', 0, null], ['Hardware', 0, null], ['Laptops', 1, hardware.id], ['Batteries', 2, laptops.id], ['Printers', 1, hardware.id],
    ])
    const tree = await list(org, '?tree=1')
    expect(tree.map((c) => c.name)).toEqual(['Billing', 'Hardware'])
    expect(tree[1].children.map((c: any) => c.name)).toEqual(['Laptops', 'Printers'])
    expect(tree[1].children[0].children).toEqual([expect.objectContaining({ id: batteries.id, name: 'Batteries', depth: 2, children: [] })])
    expect(flat.every((c) => c.children === undefined)).toBe(true)
    expect(printers.depth).toBe(1)
  })

  it('keeps names unique among siblings in any letter case, but not across levels', async () => {
    const org = await registerOrg(app)
    const a = await newCategory(org, 'Accounts')
    const b = await newCategory(org, 'Bugs')
    await newCategory(org, 'Access', { parent_id: a.id })
    const dup = await call(app, 'POST', '/api/v1/ticket-categories', { token: org.token, body: { name: 'ACCESS', parent_id: a.id } })
    expect(dup.statusCode).toBe(409)
    expect(dup.json.error).toMatchObject({ code: 'conflict', details: [expect.objectContaining({ field: 'name' })] })
    expect((await call(app, 'POST', '/api/v1/ticket-categories', { token: org.token, body: { name: 'accounts' } })).statusCode).toBe(409)
    const access2 = await newCategory(org, 'Access', { parent_id: b.id })
    await newCategory(org, 'Access')
    // moving into a level where the name is taken is a 409 too
    const move = await call(app, 'PATCH', `/api/v1/ticket-categories/${access2.id}`, { token: org.token, body: { parent_id: a.id } })
    expect(move.statusCode).toBe(409)
    const toTop = await call(app, 'PATCH', `/api/v1/ticket-categories/${access2.id}`, { token: org.token, body: { parent_id: null } })
    expect(toTop.statusCode).toBe(409)
    // the same name in another organization is fine
    await newCategory(stranger, 'Accounts')
  })

  it('rejects cycles: itself as parent (400), a descendant as parent (409); a legal move works', async () => {
    const org = await registerOrg(app)
    const a = await newCategory(org, 'A')
    const b = await newCategory(org, 'B', { parent_id: a.id })
    const c = await newCategory(org, 'C', { parent_id: b.id })
    const self = await call(app, 'PATCH', `/api/v1/ticket-categories/${a.id}`, { token: org.token, body: { parent_id: a.id } })
    expect(self.statusCode).toBe(400)
    expect(self.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'parent_id' })] })
    for (const target of [b.id, c.id]) {
      const res = await call(app, 'PATCH', `/api/v1/ticket-categories/${a.id}`, { token: org.token, body: { parent_id: target } })
      expect(res.statusCode).toBe(409)
      expect(res.json.error).toMatchObject({ code: 'conflict', details: [expect.objectContaining({ field: 'parent_id' })] })
    }
    const moved = await call(app, 'PATCH', `/api/v1/ticket-categories/${c.id}`, { token: org.token, body: { parent_id: a.id, name: 'C2' } })
    expect(data(moved)).toMatchObject({ parent_id: a.id, depth: 1, name: 'C2' })
    const theirs = await newCategory(stranger, 'Theirs')
    const foreign = await call(app, 'PATCH', `/api/v1/ticket-categories/${c.id}`, { token: org.token, body: { parent_id: theirs.id } })
    expect(foreign.statusCode).toBe(400)
    expect((await call(app, 'POST', '/api/v1/ticket-categories', { token: org.token, body: { name: 'X', parent_id: theirs.id } })).statusCode).toBe(400)
  })

  it('shows customers only active categories under active parents, without settings fields', async () => {
    const top = await newCategory(admin, 'Portal top')
    const hidden = await newCategory(admin, 'Retired')
    await newCategory(admin, 'Under retired', { parent_id: hidden.id })
    await newCategory(admin, 'Portal child', { parent_id: top.id })
    await call(app, 'PATCH', `/api/v1/ticket-categories/${hidden.id}`, { token: admin.token, body: { is_active: false } })
    const seen = await list(customer)
    expect(seen.map((c) => c.name)).toEqual(expect.arrayContaining(['Portal top', 'Portal child']))
    expect(seen.map((c) => c.name)).not.toContain('Retired')
    expect(seen.map((c) => c.name)).not.toContain('Under retired')
    expect(Object.keys(seen[0]).sort()).toEqual(['depth', 'id', 'name', 'parent_id', 'position'])
    const staff = await list(viewer)
    expect(staff.find((c) => c.id === hidden.id)).toMatchObject({ is_active: false })
  })

  it('validates input, naming the field', async () => {
    for (const [body, field] of [[{ name: '' }, 'name'], [{ name: '  ' }, 'name'], [{ name: 'x'.repeat(101) }, 'name'], [{ name: 'X', parent_id: 'nope' }, 'parent_id'], [{ name: 'X', color: 1 }, 'color']] as const) {
      const res = await call(app, 'POST', '/api/v1/ticket-categories', { token: admin.token, body })
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
      expect(res.json.error).toMatchObject({ details: expect.arrayContaining([expect.objectContaining({ field })]) })
    }
    expect((await call(app, 'GET', '/api/v1/ticket-categories?tree=yes', { token: admin.token })).statusCode).toBe(400)
  })
})

describe('deleting a category', () => {
  it('moves sub-categories up a level and refuses when one would clash by name', async () => {
    const org = await registerOrg(app)
    const top = await newCategory(org, 'Top')
    const mid = await newCategory(org, 'Mid', { parent_id: top.id })
    const leaf = await newCategory(org, 'Leaf', { parent_id: mid.id })
    const clashing = await newCategory(org, 'Leaf', { parent_id: top.id })
    const refused = await call(app, 'DELETE', `/api/v1/ticket-categories/${mid.id}`, { token: org.token })
    expect(refused.statusCode).toBe(409)
    expect((refused.json.error as any).message).toContain('"Leaf"')
    await call(app, 'PATCH', `/api/v1/ticket-categories/${clashing.id}`, { token: org.token, body: { name: 'Other leaf' } })
    const res = await call(app, 'DELETE', `/api/v1/ticket-categories/${mid.id}`, { token: org.token })
    expect(res.statusCode, res.body).toBe(200)
    expect(data(res)).toEqual({ id: mid.id, tickets_moved: 0, children_moved: 1 })
    expect((await list(org)).find((c) => c.id === leaf.id)).toMatchObject({ parent_id: top.id, depth: 1 })
    expect((await call(app, 'DELETE', `/api/v1/ticket-categories/${mid.id}`, { token: org.token })).statusCode).toBe(404)
  })

  it('refuses a category in use without replace_with, then moves its tickets with history', async () => {
    const org = await registerOrg(app)
    const old = await newCategory(org, 'Old')
    const fresh = await newCategory(org, 'New home')
    const tickets = await insertTickets(org, old.id, 2)
    const refused = await call(app, 'DELETE', `/api/v1/ticket-categories/${old.id}`, { token: org.token })
    expect(refused.statusCode).toBe(409)
    expect((refused.json.error as any).message).toContain('2 tickets')
    const theirs = await newCategory(stranger, `Theirs ${Math.random()}`)
    expect((await call(app, 'DELETE', `/api/v1/ticket-categories/${old.id}?replace_with=${theirs.id}`, { token: org.token })).statusCode).toBe(400)
    const res = await call(app, 'DELETE', `/api/v1/ticket-categories/${old.id}?replace_with=${fresh.id}`, { token: org.token })
    expect(res.statusCode, res.body).toBe(200)
    expect(data(res)).toMatchObject({ tickets_moved: 2 })
    await withTenant(app.ctx.db, { tenantId: org.tenantId, userId: org.userId }, async (tx) => {
      const rows = await tx.selectFrom('tickets').select('category_id').where('id', 'in', tickets).execute()
      expect(rows.map((r) => r.category_id)).toEqual([fresh.id, fresh.id])
      const history = await tx.selectFrom('ticket_history').selectAll().where('ticket_id', 'in', tickets).execute()
      expect(history.map((h) => [h.field, h.old_value, h.new_value, h.actor_id])).toEqual([
        ['category', { id: old.id, name: 'Old' }, { id: fresh.id, name: 'New home' }, org.userId],
        ['category', { id: old.id, name: 'Old' }, { id: fresh.id, name: 'New home' }, org.userId],
      ])
      const audit = await tx.selectFrom('audit_events').select('action').where('action', 'like', 'ticket_category.%').orderBy('created_at').orderBy('id').execute()
      expect(audit.map((a) => a.action)).toEqual(['ticket_category.created', 'ticket_category.created', 'ticket_category.deleted'])
    })
  })
})

describe('ticket category authorization', () => {
  it('answers 401 without a token, 403 to roles without settings:manage, 404 to another organization for every route', async () => {
    const mine = await newCategory(admin, `Mine ${Math.random()}`)
    const routes: Array<{ method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; body?: Record<string, unknown>; write: boolean; byId: boolean }> = [
      { method: 'GET', url: '/api/v1/ticket-categories', write: false, byId: false },
      { method: 'POST', url: '/api/v1/ticket-categories', body: { name: `X ${Math.random()}` }, write: true, byId: false },
      { method: 'PATCH', url: `/api/v1/ticket-categories/${mine.id}`, body: { position: 3 }, write: true, byId: true },
      { method: 'DELETE', url: `/api/v1/ticket-categories/${mine.id}`, write: true, byId: true },
    ]
    for (const r of routes) {
      const label = `${r.method} ${r.url}`
      expect((await call(app, r.method, r.url, { body: r.body })).statusCode, label).toBe(401)
      for (const s of [agent, viewer, customer]) {
        expect((await call(app, r.method, r.url, { token: s.token, body: r.body })).statusCode, label).toBe(r.write ? 403 : 200)
      }
      if (r.byId) expect((await call(app, r.method, r.url, { token: stranger.token, body: r.body })).statusCode, label).toBe(404)
    }
    expect((await list(stranger)).some((c) => c.id === mine.id)).toBe(false)
    expect((await list(admin)).find((c) => c.id === mine.id)).toMatchObject({ position: mine.position })
  })
})
