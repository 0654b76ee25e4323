import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { withTenant } from '../../platform/db/tenant.js'
import { addMember, call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { factories } from '../contacts/test-support.js'

let app: App
let admin: Session
let agent: Session
let f: ReturnType<typeof factories>

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  agent = await addMember(app, admin, 'agent')
  f = factories(app)
})
afterAll(async () => { await app.close() })

let n = 0
const domain = (base: string) => `${base}-${++n}-${Date.now().toString(36)}.example`

describe('companies', () => {
  it('creates, reads, updates and soft-deletes a company', async () => {
    const d = domain('umbrella')
    const created = await f.newCompany(agent, { name: 'Umbrella', domains: [d, `@${d.toUpperCase()}`], phone: '+1 555 0100', website: 'umbrella.example', tags: ['Pharma'] })
    expect(created).toMatchObject({
      name: 'Umbrella', domains: [d], phone: '+1 555 0100', website: 'https://umbrella.example/', tags: ['pharma'],
      parent: null, contact_count: 0, open_ticket_count: 0, custom_fields: {},
    })
    const got = await call(app, 'GET', `/api/v1/companies/${created.id}`, { token: agent.token })
    expect(got.json.data).toEqual(created)
    const patched = await call(app, 'PATCH', `/api/v1/companies/${created.id}`, { token: agent.token, body: { name: 'Umbrella Corp', website: null, phone: null } })
    expect(patched.statusCode, patched.body).toBe(200)
    expect(patched.json.data).toMatchObject({ name: 'Umbrella Corp', website: null, phone: null, domains: [d] })
    expect((await call(app, 'DELETE', `/api/v1/companies/${created.id}`, { token: agent.token })).statusCode).toBe(200)
    expect((await call(app, 'GET', `/api/v1/companies/${created.id}`, { token: agent.token })).statusCode).toBe(404)
    // a deleted company's domains are free and no longer match new contacts
    const c = await f.newContact(admin, { name: 'After', email: `x@${d}` })
    expect(c.company_id).toBeNull()
    await f.newCompany(admin, { name: 'Umbrella 2', domains: [d] })
  })

  it('validates domains, website and phone', async () => {
    for (const [body, field] of [
      [{ name: 'X', domains: ['not a domain'] }, 'domains.0'],
      [{ name: 'X', domains: ['ok.example', 'localhost'] }, 'domains.1'],
      [{ name: 'X', website: 'ftp://files.example' }, 'website'],
      [{ name: 'X', phone: 'call me' }, 'phone'],
      [{ name: 'X', parent_id: '00000000-0000-7000-8000-000000000000' }, 'parent_id'],
    ] as const) {
      const res = await call(app, 'POST', '/api/v1/companies', { token: admin.token, body })
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
      expect(res.json.error).toMatchObject({ details: [expect.objectContaining({ field })] })
    }
  })

  it('keeps a domain on one company only (409 naming domains)', async () => {
    const d = domain('shared')
    const first = await f.newCompany(admin, { name: 'First', domains: [d] })
    const dup = await call(app, 'POST', '/api/v1/companies', { token: admin.token, body: { name: 'Second', domains: [d.toUpperCase()] } })
    expect(dup.statusCode).toBe(409)
    expect(dup.json.error).toMatchObject({ code: 'conflict', details: [expect.objectContaining({ field: 'domains' })] })
    const second = await f.newCompany(admin, { name: 'Second' })
    expect((await call(app, 'PATCH', `/api/v1/companies/${second.id}`, { token: admin.token, body: { domains: [d] } })).statusCode).toBe(409)
    // a company may keep its own domains when edited
    expect((await call(app, 'PATCH', `/api/v1/companies/${first.id}`, { token: admin.token, body: { domains: [d, domain('more')] } })).statusCode).toBe(200)
    // concurrent claims of one domain: exactly one wins
    const contested = domain('race')
    const results = await Promise.all([1, 2, 3].map((i) => call(app, 'POST', '/api/v1/companies', { token: admin.token, body: { name: `Racer ${i}`, domains: [contested] } })))
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409])
  })

  it('moves existing contacts to a new domain only with assign_contacts=1', async () => {
    const d = domain('hooli')
    const gavin = await f.newContact(admin, { name: 'Gavin', email: `gavin@${d}` })
    const company = await f.newCompany(admin, { name: 'Hooli' })
    const added = await call(app, 'PATCH', `/api/v1/companies/${company.id}`, { token: admin.token, body: { domains: [d] } })
    expect(added.json.data).toMatchObject({ contact_count: 0 })
    expect((added.json.data as any).assigned_contacts).toBeUndefined()
    expect((await call(app, 'GET', `/api/v1/contacts/${gavin.id}`, { token: admin.token })).json.data).toMatchObject({ company_id: null })

    const d2 = domain('hooli-xyz')
    const belson = await f.newContact(admin, { name: 'Belson', email: `gb@${d2.toUpperCase()}` })
    const assigned = await call(app, 'PATCH', `/api/v1/companies/${company.id}?assign_contacts=1`, { token: admin.token, body: { domains: [d, d2] } })
    expect(assigned.statusCode, assigned.body).toBe(200)
    expect(assigned.json.data).toMatchObject({ assigned_contacts: 1, contact_count: 1 })
    expect((await call(app, 'GET', `/api/v1/contacts/${belson.id}`, { token: admin.token })).json.data).toMatchObject({ company_id: company.id })
    expect((await call(app, 'GET', `/api/v1/contacts/${gavin.id}`, { token: admin.token })).json.data).toMatchObject({ company_id: null })

    const d3 = domain('pied-piper')
    const richard = await f.newContact(admin, { name: 'Richard', email: `richard@${d3}` })
    const created = await call(app, 'POST', '/api/v1/companies?assign_contacts=1', { token: admin.token, body: { name: 'Pied Piper', domains: [d3] } })
    expect(created.json.data).toMatchObject({ assigned_contacts: 1, contact_count: 1 })
    const contacts = await call(app, 'GET', `/api/v1/companies/${(created.json.data as any).id}/contacts`, { token: agent.token })
    expect((contacts.json.data as any[]).map((c) => c.id)).toEqual([richard.id])
  })

  it('nests companies and rejects cycles (itself: 400, a subsidiary: 409)', async () => {
    const a = await f.newCompany(admin, { name: 'Holding' })
    const b = await f.newCompany(admin, { name: 'Subsidiary', parent_id: a.id })
    const c = await f.newCompany(admin, { name: 'Sub-subsidiary', parent_id: b.id })
    expect(b.parent).toEqual({ id: a.id, name: 'Holding' })
    expect((await call(app, 'PATCH', `/api/v1/companies/${a.id}`, { token: admin.token, body: { parent_id: a.id } })).statusCode).toBe(400)
    const cycle = await call(app, 'PATCH', `/api/v1/companies/${a.id}`, { token: admin.token, body: { parent_id: c.id } })
    expect(cycle.statusCode).toBe(409)
    expect(cycle.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'parent_id' })] })
    const list = await call(app, 'GET', `/api/v1/companies?parent_id=${a.id}`, { token: agent.token })
    expect((list.json.data as any[]).map((x) => x.id)).toEqual([b.id])
    const moved = await call(app, 'PATCH', `/api/v1/companies/${c.id}`, { token: admin.token, body: { parent_id: a.id } })
    expect(moved.json.data).toMatchObject({ parent_id: a.id })
    const stranger = await registerOrg(app)
    const theirs = await f.newCompany(stranger, { name: 'Theirs' })
    expect((await call(app, 'PATCH', `/api/v1/companies/${c.id}`, { token: admin.token, body: { parent_id: theirs.id } })).statusCode).toBe(400)
  })

  it('lists with contact and open ticket counts, filters and sorts in a fixed number of statements', async () => {
    const org = await registerOrg(app)
    const d = domain('list')
    const alpha = await f.newCompany(org, { name: 'alpha', domains: [d], tags: ['gold'] })
    const beta = await f.newCompany(org, { name: 'Beta', tags: ['gold', 'eu'] })
    await f.newCompany(org, { name: 'Gamma' })
    const c1 = await f.newContact(org, { name: 'A1', company_id: alpha.id })
    await f.newContact(org, { name: 'A2', company_id: alpha.id })
    await f.newTicket(org, { requester_id: c1.id, company_id: alpha.id, category: 'open' })
    await f.newTicket(org, { requester_id: c1.id, company_id: alpha.id, category: 'new' })
    await f.newTicket(org, { requester_id: c1.id, company_id: alpha.id, category: 'closed' })
    const list = async (q: string) => {
      const res = await call(app, 'GET', `/api/v1/companies${q}`, { token: org.token })
      expect(res.statusCode, res.body).toBe(200)
      return res.json as any
    }
    const all = await list('')
    expect(all.data.map((x: any) => x.name)).toEqual(['alpha', 'Beta', 'Gamma'])
    expect(all.meta).toEqual({ page: 1, limit: 25, total: 3 })
    expect(all.data[0]).toMatchObject({ contact_count: 2, open_ticket_count: 2 })
    expect((await list('?sort=-name')).data.map((x: any) => x.name)).toEqual(['Gamma', 'Beta', 'alpha'])
    expect((await list('?sort=-created_at&limit=1')).data.map((x: any) => x.name)).toEqual(['Gamma'])
    expect((await list('?q=ET')).data.map((x: any) => x.id)).toEqual([beta.id])
    expect((await list(`?domain=${d.toUpperCase()}`)).data.map((x: any) => x.id)).toEqual([alpha.id])
    expect((await list('?tag=gold')).data.map((x: any) => x.name)).toEqual(['alpha', 'Beta'])
    const tickets = await call(app, 'GET', `/api/v1/companies/${alpha.id}/tickets`, { token: org.token })
    expect(tickets.json.meta).toMatchObject({ total: 3 })

    let statements = 0
    let proto = Object.getPrototypeOf(app.ctx.db.getExecutor())
    while (proto && !Object.hasOwn(proto, 'executeQuery')) proto = Object.getPrototypeOf(proto)
    const original = proto.executeQuery
    proto.executeQuery = function (...args: unknown[]) { statements++; return original.apply(this, args) }
    try {
      await list('?limit=100')
      const few = statements
      for (let i = 0; i < 5; i++) {
        const co = await f.newCompany(org, { name: `More ${i}`, parent_id: beta.id })
        await f.newContact(org, { name: `M${i}`, company_id: co.id })
      }
      statements = 0
      await list('?limit=100')
      expect(statements).toBe(few)
    } finally {
      proto.executeQuery = original
    }
  })

  it('merges companies: domains unioned; contacts, tickets, notes and subsidiaries moved; sources retired', async () => {
    const d1 = domain('target')
    const d2 = domain('source')
    const target = await f.newCompany(admin, { name: 'Target Inc', domains: [d1], tags: ['a'] })
    const source = await f.newCompany(admin, { name: 'Source LLC', domains: [d2], phone: '+1 555 0101', tags: ['b'] })
    const child = await f.newCompany(admin, { name: 'Child of source', parent_id: source.id })
    const contact = await f.newContact(admin, { name: 'Worker', email: `w@${d2}` })
    expect(contact.company_id).toBe(source.id)
    const ticket = await f.newTicket(admin, { requester_id: contact.id, company_id: source.id })
    await call(app, 'POST', `/api/v1/companies/${source.id}/notes`, { token: admin.token, body: { body: 'Source note' } })

    const res = await call(app, 'POST', `/api/v1/companies/${target.id}/merge`, { token: admin.token, body: { source_ids: [source.id] } })
    expect(res.statusCode, res.body).toBe(200)
    const data = res.json.data as any
    expect(data.moved).toEqual({ contacts: 1, tickets: 1, notes: 1, child_companies: 1 })
    expect(data.company).toMatchObject({ id: target.id, domains: [d1, d2], tags: ['a', 'b'], phone: '+1 555 0101', contact_count: 1, open_ticket_count: 1 })
    expect((await call(app, 'GET', `/api/v1/companies/${source.id}`, { token: admin.token })).statusCode).toBe(404)
    expect((await call(app, 'GET', `/api/v1/companies/${child.id}`, { token: admin.token })).json.data).toMatchObject({ parent_id: target.id })
    expect((await call(app, 'GET', `/api/v1/contacts/${contact.id}`, { token: admin.token })).json.data).toMatchObject({ company_id: target.id })
    const row = await withTenant(app.ctx.db, { tenantId: admin.tenantId }, (tx) => tx.selectFrom('tickets').select('company_id').where('id', '=', ticket).executeTakeFirstOrThrow())
    expect(row.company_id).toBe(target.id)
    const notes = await call(app, 'GET', `/api/v1/companies/${target.id}/notes`, { token: admin.token })
    expect((notes.json.data as any[]).map((x) => x.body)).toEqual(['Source note'])
    const merged = await withTenant(app.ctx.db, { tenantId: admin.tenantId }, (tx) => tx.selectFrom('companies').select(['merged_into_id', 'deleted_at']).where('id', '=', source.id).executeTakeFirstOrThrow())
    expect(merged).toMatchObject({ merged_into_id: target.id, deleted_at: expect.any(String) })
    // a new contact of the source's domain now joins the target
    expect((await f.newContact(admin, { name: 'Later', email: `later@${d2}` })).company_id).toBe(target.id)
  })

  it('keeps the tree a tree when the target sits below a source', async () => {
    const top = await f.newCompany(admin, { name: 'Top' })
    const source = await f.newCompany(admin, { name: 'Middle', parent_id: top.id })
    const between = await f.newCompany(admin, { name: 'Between', parent_id: source.id })
    const target = await f.newCompany(admin, { name: 'Bottom', parent_id: between.id })
    const res = await call(app, 'POST', `/api/v1/companies/${target.id}/merge`, { token: admin.token, body: { source_ids: [source.id] } })
    expect(res.statusCode, res.body).toBe(200)
    // Between was the source's subsidiary and above the target: it takes the source's place
    expect((await call(app, 'GET', `/api/v1/companies/${between.id}`, { token: admin.token })).json.data).toMatchObject({ parent_id: top.id })
    expect((res.json.data as any).company).toMatchObject({ parent_id: between.id })
    expect((await call(app, 'POST', `/api/v1/companies/${target.id}/merge`, { token: admin.token, body: { source_ids: [target.id] } })).statusCode).toBe(400)
  })

  it('keeps notes on companies, pinned first', async () => {
    const co = await f.newCompany(admin, { name: 'Noted Co' })
    const a = (await call(app, 'POST', `/api/v1/companies/${co.id}/notes`, { token: agent.token, body: { body: 'a' } })).json.data as any
    const b = (await call(app, 'POST', `/api/v1/companies/${co.id}/notes`, { token: agent.token, body: { body: 'b' } })).json.data as any
    await call(app, 'PATCH', `/api/v1/companies/${co.id}/notes/${a.id}`, { token: agent.token, body: { is_pinned: true } })
    const listed = await call(app, 'GET', `/api/v1/companies/${co.id}/notes`, { token: agent.token })
    expect((listed.json.data as any[]).map((x) => x.id)).toEqual([a.id, b.id])
    expect((await call(app, 'DELETE', `/api/v1/companies/${co.id}/notes/${b.id}`, { token: agent.token })).statusCode).toBe(200)
  })
})
