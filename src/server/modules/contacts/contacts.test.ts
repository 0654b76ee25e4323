import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, call, createTestApp, registerOrg, uniqueEmail, type Session } from '../../../../test/helpers.js'

let app: App
let admin: Session
let agent: Session
let viewer: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  agent = await addMember(app, admin, 'agent')
  viewer = await addMember(app, admin, 'viewer')
})
afterAll(async () => { await app.close() })

async function newContact(body: Record<string, unknown>, as: Session = admin): Promise<any> {
  const res = await call(app, 'POST', '/api/v1/contacts', { token: as.token, body })
  expect(res.statusCode, res.body).toBe(201)
  return res.json.data
}

async function newCompany(body: Record<string, unknown>, as: Session = admin): Promise<any> {
  const res = await call(app, 'POST', '/api/v1/companies', { token: as.token, body })
  expect(res.statusCode, res.body).toBe(201)
  return res.json.data
}

describe('contacts', () => {
  it('creates, reads, updates and soft-deletes a contact with all its fields', async () => {
    const company = await newCompany({ name: 'Acme Corp' })
    const email = uniqueEmail('ada')
    const created = await newContact({
      name: '  Ada Lovelace ', email, phones: [{ type: 'mobile', number: '+44 20 7946 0018' }], company_id: company.id,
      time_zone: 'Europe/London', language: 'en-gb', address: { street: '12 St James Sq', city: 'London', country: 'UK' },
      tags: ['VIP', 'math', 'vip'], is_vip: true, can_see_company_tickets: true,
    }, agent)
    expect(created).toMatchObject({
      name: 'Ada Lovelace', email, phones: [{ type: 'mobile', number: '+44 20 7946 0018' }], company_id: company.id,
      company: { id: company.id, name: 'Acme Corp' }, time_zone: 'Europe/London', language: 'en-GB',
      address: { street: '12 St James Sq', city: 'London', country: 'UK' }, tags: ['vip', 'math'],
      is_vip: true, is_blocked: false, can_see_company_tickets: true, has_portal_access: false, user_id: null, custom_fields: {},
    })
    const got = await call(app, 'GET', `/api/v1/contacts/${created.id}`, { token: viewer.token })
    expect(got.statusCode).toBe(200)
    expect(got.json.data).toEqual(created)

    const patched = await call(app, 'PATCH', `/api/v1/contacts/${created.id}`, { token: agent.token, body: { name: 'Augusta Ada King', company_id: null, is_blocked: true, address: {} } })
    expect(patched.statusCode, patched.body).toBe(200)
    expect(patched.json.data).toMatchObject({ name: 'Augusta Ada King', company: null, company_id: null, is_blocked: true, address: {}, email, tags: ['vip', 'math'] })

    expect((await call(app, 'DELETE', `/api/v1/contacts/${created.id}`, { token: agent.token })).statusCode).toBe(200)
    expect((await call(app, 'GET', `/api/v1/contacts/${created.id}`, { token: admin.token })).statusCode).toBe(404)
    expect((await call(app, 'PATCH', `/api/v1/contacts/${created.id}`, { token: admin.token, body: { name: 'x' } })).statusCode).toBe(404)
    expect((await call(app, 'DELETE', `/api/v1/contacts/${created.id}`, { token: admin.token })).statusCode).toBe(404)
    // the email is free again once the contact is deleted
    await newContact({ name: 'Ada again', email: email.toUpperCase() })
  })

  it('keeps emails unique per organization whatever their letter case (409 naming email)', async () => {
    const email = uniqueEmail('grace')
    const first = await newContact({ name: 'Grace', email })
    const dup = await call(app, 'POST', '/api/v1/contacts', { token: admin.token, body: { name: 'Grace H', email: email.toUpperCase() } })
    expect(dup.statusCode).toBe(409)
    expect(dup.json.error).toMatchObject({ code: 'conflict', details: [expect.objectContaining({ field: 'email' })] })
    const other = await newContact({ name: 'Other' })
    const rename = await call(app, 'PATCH', `/api/v1/contacts/${other.id}`, { token: admin.token, body: { email: email.replace('grace', 'GRACE') } })
    expect(rename.statusCode).toBe(409)
    // changing one's own email's letter case is fine, and another organization may use the address
    expect((await call(app, 'PATCH', `/api/v1/contacts/${first.id}`, { token: admin.token, body: { email: email.toUpperCase() } })).statusCode).toBe(200)
    const stranger = await registerOrg(app)
    await newContact({ name: 'Grace elsewhere', email }, stranger)
  })

  it('settles concurrent creates of one email on a single contact (the unique index decides)', async () => {
    const email = uniqueEmail('race')
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) =>
      call(app, 'POST', '/api/v1/contacts', { token: admin.token, body: { name: `Racer ${i}`, email } })))
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409])
  })

  it('joins a new contact to the company that lists its email domain, unless a company is given', async () => {
    const domain = `initech-${Date.now()}.example`
    const initech = await newCompany({ name: 'Initech', domains: [domain.toUpperCase()] })
    expect(initech.domains).toEqual([domain])
    const peter = await newContact({ name: 'Peter', email: `peter@${domain.toUpperCase()}` })
    expect(peter.company).toEqual({ id: initech.id, name: 'Initech' })
    const other = await newCompany({ name: 'Other' })
    const milton = await newContact({ name: 'Milton', email: `milton@${domain}`, company_id: other.id })
    expect(milton.company_id).toBe(other.id)
    const loner = await newContact({ name: 'Loner', email: `loner@${domain}`, company_id: null })
    expect(loner.company_id).toBeNull()
    // a contact without a company that changes to a matching email joins too
    const bob = await newContact({ name: 'Bob', email: uniqueEmail('bob') })
    const moved = await call(app, 'PATCH', `/api/v1/contacts/${bob.id}`, { token: admin.token, body: { email: `bob@${domain}` } })
    expect(moved.json.data).toMatchObject({ company_id: initech.id })
  })

  it('validates input and names the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'X', time_zone: 'Mars/Olympus' }, 'time_zone'],
      [{ name: 'X', time_zone: '+01:00' }, 'time_zone'],
      [{ name: 'X', language: 'english!' }, 'language'],
      [{ name: 'X', email: 'not-an-email' }, 'email'],
      [{ name: 'X', phones: [{ type: 'pager', number: '123' }] }, 'phones.0.type'],
      [{ name: 'X', phones: [{ type: 'work', number: 'call me' }] }, 'phones.0.number'],
      [{ name: 'X', address: { planet: 'Earth' } }, 'address.planet'],
      [{ name: 'X', company_id: '00000000-0000-7000-8000-000000000000' }, 'company_id'],
      [{ name: '   ' }, 'name'],
      [{ name: 'X', custom_fields: { nope: 1 } }, 'custom_fields.nope'],
      [{ name: 'X', colour: 'red' }, 'colour'],
    ]
    for (const [body, field] of cases) {
      const res = await call(app, 'POST', '/api/v1/contacts', { token: admin.token, body })
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
      expect(res.json.error, JSON.stringify(body)).toMatchObject({ details: expect.arrayContaining([expect.objectContaining({ field })]) })
    }
  })

  it('validates and stores custom fields through the shared validator', async () => {
    const defined = await call(app, 'POST', '/api/v1/custom-fields', { token: admin.token, body: { entity: 'contact', label: 'Plan', key: 'plan', type: 'select', options: [{ value: 'free', label: 'Free' }, { value: 'pro', label: 'Pro' }] } })
    expect(defined.statusCode, defined.body).toBe(201)
    const c = await newContact({ name: 'Custom', custom_fields: { plan: 'pro' } })
    expect(c.custom_fields).toEqual({ plan: 'pro' })
    const bad = await call(app, 'PATCH', `/api/v1/contacts/${c.id}`, { token: admin.token, body: { custom_fields: { plan: 'gold' } } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'custom_fields.plan' })] })
    const filtered = await call(app, 'GET', '/api/v1/contacts?custom_fields.plan=pro', { token: admin.token })
    expect((filtered.json.data as any[]).map((x) => x.id)).toEqual([c.id])
    expect((await call(app, 'GET', '/api/v1/contacts?custom_fields.nope=1', { token: admin.token })).statusCode).toBe(400)
  })
})

describe('contact list', () => {
  let org: Session
  const ids: Record<string, string> = {}
  beforeAll(async () => {
    org = await registerOrg(app)
    const acme = await newCompany({ name: 'Acme', domains: ['acme.example'] }, org)
    ids.acme = acme.id
    for (const [name, email, extra] of [
      ['Charlie Brown', 'charlie@acme.example', { tags: ['gold'] }],
      ['alice Smith', 'alice@elsewhere.example', { is_vip: true }],
      ['Bob Jones', 'bob@acme.example', { is_blocked: true, tags: ['gold', 'beta'] }],
      ['Dora 100%', null, {}],
    ] as const) {
      ids[name] = (await newContact({ name, ...(email ? { email } : {}), ...extra }, org)).id
    }
  })

  const list = async (query: string) => {
    const res = await call(app, 'GET', `/api/v1/contacts${query}`, { token: org.token })
    expect(res.statusCode, res.body).toBe(200)
    return { names: (res.json.data as any[]).map((c) => c.name), meta: res.json.meta as any, data: res.json.data as any[] }
  }

  it('lists newest first by default, pages with a total, and sorts by name or email', async () => {
    expect((await list('')).names).toEqual(['Dora 100%', 'Bob Jones', 'alice Smith', 'Charlie Brown'])
    const page = await list('?limit=2&page=2')
    expect(page.names).toEqual(['alice Smith', 'Charlie Brown'])
    expect(page.meta).toEqual({ page: 2, limit: 2, total: 4 })
    expect((await list('?sort=name')).names).toEqual(['alice Smith', 'Bob Jones', 'Charlie Brown', 'Dora 100%'])
    expect((await list('?sort=-name')).names).toEqual(['Dora 100%', 'Charlie Brown', 'Bob Jones', 'alice Smith'])
    expect((await list('?sort=email')).names).toEqual(['alice Smith', 'Bob Jones', 'Charlie Brown', 'Dora 100%'])
  })

  it('filters by q (name or email), company, tag, flags and creation time', async () => {
    expect((await list('?q=ACME')).names.sort()).toEqual(['Bob Jones', 'Charlie Brown'])
    expect((await list('?q=smi')).names).toEqual(['alice Smith'])
    expect((await list(`?q=${encodeURIComponent('0%')}`)).names).toEqual(['Dora 100%'])
    expect((await list(`?company_id=${ids.acme}`)).names.sort()).toEqual(['Bob Jones', 'Charlie Brown'])
    expect((await list('?tag=GOLD')).names.sort()).toEqual(['Bob Jones', 'Charlie Brown'])
    expect((await list('?is_vip=true')).names).toEqual(['alice Smith'])
    expect((await list('?is_blocked=1')).names).toEqual(['Bob Jones'])
    expect((await list('?is_blocked=false&tag=gold')).names).toEqual(['Charlie Brown'])
    expect((await list(`?created_after=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).names).toEqual([])
    expect((await list(`?created_before=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).meta.total).toBe(4)
    const withCompany = await list('?q=charlie')
    expect(withCompany.data[0]).toMatchObject({ company: { id: ids.acme, name: 'Acme' } })
    expect((await call(app, 'GET', '/api/v1/contacts?sort=phone', { token: org.token })).statusCode).toBe(400)
    expect((await call(app, 'GET', '/api/v1/contacts?limit=101', { token: org.token })).statusCode).toBe(400)
  })

  it('lists in a fixed number of statements however many contacts and companies (no N+1)', async () => {
    const fresh = await registerOrg(app)
    const counts: number[] = []
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5; i++) {
        const co = await newCompany({ name: `Co ${round}-${i}` }, fresh)
        await newContact({ name: `P ${round}-${i}`, company_id: co.id }, fresh)
      }
      const before = statements
      const res = await call(app, 'GET', '/api/v1/contacts?limit=100', { token: fresh.token })
      expect((res.json.data as any[]).every((c) => c.company !== null)).toBe(true)
      counts.push(statements - before)
    }
    expect(counts[0]).toBe(counts[1])
  })
})

let statements = 0
beforeAll(() => {
  let proto = Object.getPrototypeOf(app.ctx.db.getExecutor())
  while (proto && !Object.hasOwn(proto, 'executeQuery')) proto = Object.getPrototypeOf(proto)
  const original = proto.executeQuery
  proto.executeQuery = function (...args: unknown[]) {
    statements++
    return original.apply(this, args)
  }
})

describe('contact notes', () => {
  it('adds, lists pinned first, edits, pins and deletes notes', async () => {
    const c = await newContact({ name: 'Noted' })
    const add = async (body: string, is_pinned?: boolean) => {
      const res = await call(app, 'POST', `/api/v1/contacts/${c.id}/notes`, { token: agent.token, body: { body, ...(is_pinned !== undefined ? { is_pinned } : {}) } })
      expect(res.statusCode, res.body).toBe(201)
      return res.json.data as any
    }
    const first = await add('First call')
    const pinned = await add('Prefers email', true)
    const third = await add('Renewal in May')
    expect(first).toMatchObject({ body: 'First call', is_pinned: false, author: { id: agent.userId } })
    const listed = await call(app, 'GET', `/api/v1/contacts/${c.id}/notes`, { token: viewer.token })
    expect((listed.json.data as any[]).map((n) => n.id)).toEqual([pinned.id, third.id, first.id])
    expect(listed.json.meta).toMatchObject({ total: 3 })

    const pin = await call(app, 'PATCH', `/api/v1/contacts/${c.id}/notes/${first.id}`, { token: agent.token, body: { is_pinned: true, body: 'First call (edited)' } })
    expect(pin.json.data).toMatchObject({ is_pinned: true, body: 'First call (edited)' })
    const after = await call(app, 'GET', `/api/v1/contacts/${c.id}/notes`, { token: viewer.token })
    expect((after.json.data as any[]).map((n) => n.id)).toEqual([pinned.id, first.id, third.id])

    expect((await call(app, 'DELETE', `/api/v1/contacts/${c.id}/notes/${third.id}`, { token: agent.token })).statusCode).toBe(200)
    expect((await call(app, 'DELETE', `/api/v1/contacts/${c.id}/notes/${third.id}`, { token: agent.token })).statusCode).toBe(404)
    // a note is reached only through its own contact
    const other = await newContact({ name: 'Other' })
    expect((await call(app, 'PATCH', `/api/v1/contacts/${other.id}/notes/${first.id}`, { token: agent.token, body: { is_pinned: false } })).statusCode).toBe(404)
    expect((await call(app, 'POST', `/api/v1/contacts/${c.id}/notes`, { token: agent.token, body: { body: '  ' } })).statusCode).toBe(400)
  })
})
