import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, createTestApp, registerOrg, uniqueEmail, type Session } from '../../../../test/helpers.js'
import { api, asTenant, historyRows, newApiKey, newCategory, newCompany, newContact, newCustomField, newTeam, openTicket, outboxEvents, statusIds } from './test-support.js'

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

const post = (token: string, body: Record<string, unknown>) => api(app, 'POST', '/api/v1/tickets', { token, body })

describe('creating tickets as staff', () => {
  it('opens a ticket for a new requester: the contact is created and joins the company of its email domain', async () => {
    const company = await newCompany(app, admin, 'Initech', ['initech.example'])
    const email = `peter.${Date.now()}@Initech.example`
    const ticket = await openTicket(app, agent.token, {
      subject: '  TPS report cover sheets  ', description: '<p>Did you get the <b>memo</b>?</p><script>alert(1)</script>',
      priority: 'high', requester: { email, name: 'Peter Gibbons' }, tags: [' Billing ', 'billing', 'URGENT'],
    })
    expect(ticket).toMatchObject({
      subject: 'TPS report cover sheets', description: '<p>Did you get the <b>memo</b>?</p>', priority: 'high', source: 'web_form',
      status: { name: 'New', category: 'new' }, requester: { name: 'Peter Gibbons', email }, company: { id: company, name: 'Initech' },
      assignee: null, team: null, tags: ['billing', 'urgent'], is_spam: false, deleted_at: null, resolved_at: null, closed_at: null,
      abilities: { update: true, assign: true, delete: false, close: true, comment: true, comment_internal: true },
    })
    expect(ticket.ticket_number).toMatch(/^TKT-\d{6}$/)
    const contact = await asTenant(app, admin, (tx) => tx.selectFrom('contacts').select(['id', 'company_id', 'user_id']).where('id', '=', ticket.requester.id).executeTakeFirstOrThrow())
    expect(contact).toMatchObject({ company_id: company, user_id: null })
    const stored = await asTenant(app, admin, (tx) => tx.selectFrom('tickets').select(['description_text', 'created_by']).where('id', '=', ticket.id).executeTakeFirstOrThrow())
    expect(stored).toEqual({ description_text: 'Did you get the memo?', created_by: agent.userId })

    // the same requester again is the same contact, whatever the letter case
    const again = await openTicket(app, agent.token, { requester: { email: email.toUpperCase() } })
    expect(again.requester.id).toBe(ticket.requester.id)
  })

  it('records a created history entry and emits ticket.created', async () => {
    const ticket = await openTicket(app, agent.token, { requester: { email: uniqueEmail('rq') } })
    expect(await historyRows(app, admin, ticket.id)).toEqual([expect.objectContaining({
      field: 'created', old_value: null, actor_id: agent.userId, actor_kind: 'user',
      new_value: { number: ticket.number, subject: 'Printer on fire', status: expect.objectContaining({ category: 'new' }) },
    })])
    expect(await outboxEvents(app, admin.tenantId, 'ticket.created', ticket.id)).toEqual([{ ticket_id: ticket.id, number: ticket.number, actor_id: agent.userId, assignee_id: null }])
  })

  it('takes a requester by id, a plain-text description, a status by id or name, a category, assignee, team, due date and source', async () => {
    const contact = await newContact(app, admin, uniqueEmail('known'))
    const category = await newCategory(app, admin, `Hardware ${Date.now()}`)
    const team = await newTeam(app, admin, [agent])
    const statuses = await statusIds(app, admin)
    const ticket = await openTicket(app, admin.token, {
      requester_id: contact, description_text: 'Line one\nline two\n\nNew <para>', status_id: statuses.open, category_id: category,
      assignee_id: agent.userId, team_id: team, due_at: '2030-01-02T03:04:05Z', source: 'phone',
    })
    expect(ticket).toMatchObject({
      requester: { id: contact }, description: '<p>Line one<br>line two</p><p>New &lt;para&gt;</p>', status: { id: statuses.open, category: 'open' },
      category: { id: category }, assignee: { id: agent.userId }, team: { id: team }, source: 'phone', is_overdue: false,
    })
    expect(Date.parse(ticket.due_at)).toBe(Date.parse('2030-01-02T03:04:05Z'))
    const byName = await openTicket(app, admin.token, { status: 'pending' })
    expect(byName.status).toMatchObject({ id: statuses.pending, name: 'Pending' })
    const byStatusName = await openTicket(app, admin.token, { status: 'ON HOLD' })
    expect(byStatusName.status).toMatchObject({ category: 'on_hold' })
  })

  it('stamps resolved_at and closed_at when a ticket is opened in a closed status', async () => {
    const statuses = await statusIds(app, admin)
    const closed = await openTicket(app, admin.token, { status_id: statuses.closed })
    expect(closed.closed_at).not.toBeNull()
    expect(closed.resolved_at).not.toBeNull()
  })

  it('takes the company given over the requester’s', async () => {
    const domainCompany = await newCompany(app, admin, 'Domain Co', ['domain-co.example'])
    const other = await newCompany(app, admin, 'Other Co')
    const withOther = await openTicket(app, agent.token, { requester: { email: 'x@domain-co.example' }, company_id: other })
    expect(withOther.company).toMatchObject({ id: other })
    const without = await openTicket(app, agent.token, { requester: { email: 'y@domain-co.example' }, company_id: null })
    expect(without.company).toBeNull()
    // an existing contact without a company still gets the company of its domain
    const loose = await newContact(app, admin, 'z@domain-co.example')
    expect((await openTicket(app, agent.token, { requester_id: loose })).company).toMatchObject({ id: domainCompany })
  })

  it('opens tickets through an API key with source api by default', async () => {
    const key = await newApiKey(app, admin)
    const ticket = await openTicket(app, key, { requester: { email: uniqueEmail('api') } })
    expect(ticket).toMatchObject({ source: 'api' })
    expect(await historyRows(app, admin, ticket.id)).toEqual([expect.objectContaining({ field: 'created', actor_id: null, actor_kind: 'api_key' })])
    expect((await openTicket(app, key, { source: 'email' })).source).toBe('email')
  })

  it('validates custom fields: values are checked, unknown keys and missing required fields refused', async () => {
    const org = await registerOrg(app)
    await newCustomField(app, org, 'plan', 'select', { options: ['free', 'pro'] })
    await newCustomField(app, org, 'seats', 'number', { is_required: true })
    const ok = await openTicket(app, org.token, { custom_fields: { plan: 'pro', seats: 3 } })
    expect(ok.custom_fields).toEqual({ plan: 'pro', seats: 3 })
    const bad = await post(org.token, { subject: 'x', custom_fields: { plan: 'enterprise', seats: 1 } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json.error).toMatchObject({ code: 'validation_error', details: [expect.objectContaining({ field: 'custom_fields.plan' })] })
    const unknown = await post(org.token, { subject: 'x', custom_fields: { seats: 1, colour: 'red' } })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json.error.details).toEqual([expect.objectContaining({ field: 'custom_fields.colour' })])
    const missing = await post(org.token, { subject: 'x' })
    expect(missing.statusCode).toBe(422)
    expect(missing.json.error.details).toEqual([expect.objectContaining({ field: 'custom_fields.seats' })])
  })
})

describe('creating tickets as a customer', () => {
  it('opens a ticket for themselves: their contact is found or created by their email and linked to their user', async () => {
    const ticket = await openTicket(app, customer.token, { subject: 'My order', description: '<p>Where is it?</p>', priority: 'low' })
    expect(ticket).toMatchObject({ subject: 'My order', priority: 'low', source: 'web_form', requester: { email: customer.email } })
    expect(ticket).not.toHaveProperty('is_spam')
    expect(ticket).not.toHaveProperty('deleted_at')
    expect(ticket.abilities).toEqual({ update: false, assign: false, delete: false, close: true, comment: true, comment_internal: false })
    const contact = await asTenant(app, admin, (tx) => tx.selectFrom('contacts').select(['user_id']).where('id', '=', ticket.requester.id).executeTakeFirstOrThrow())
    expect(contact.user_id).toBe(customer.userId)
    const second = await openTicket(app, customer.token, { subject: 'Another' })
    expect(second.requester.id).toBe(ticket.requester.id)
    expect((await api(app, 'GET', `/api/v1/tickets/${ticket.id}`, { token: customer.token })).statusCode).toBe(200)
  })

  it('shows a customer the tickets staff opened for their email, from their first sign-in', async () => {
    const person = await addMember(app, admin, 'customer')
    const existing = await openTicket(app, agent.token, { requester: { email: person.email } })
    expect((await api(app, 'GET', `/api/v1/tickets/${existing.id}`, { token: person.token })).statusCode).toBe(200)
    const own = await openTicket(app, person.token, { subject: 'Mine' })
    expect(own.requester.id).toBe(existing.requester.id)
  })

  it('links the contact staff made before the person became a customer', async () => {
    const email = uniqueEmail('later-customer')
    const existing = await openTicket(app, agent.token, { requester: { email } })
    const person = await addMember(app, admin, 'customer', email)
    expect((await api(app, 'GET', `/api/v1/tickets/${existing.id}`, { token: person.token })).statusCode).toBe(200)
  })

  it('refuses staff-only fields from customers with 400 naming each', async () => {
    const statuses = await statusIds(app, admin)
    const res = await post(customer.token, { subject: 'x', status_id: statuses.open, assignee_id: agent.userId, requester: { email: 'someone@else.example' }, source: 'email' })
    expect(res.statusCode).toBe(400)
    expect(res.json.error.details.map((d: any) => d.field).sort()).toEqual(['assignee_id', 'requester', 'source', 'status_id'])
    for (const body of [{ team_id: null }, { requester_id: agent.userId }, { tags: ['a'] }, { company_id: null }, { due_at: null }]) {
      const r = await post(customer.token, { subject: 'x', ...body })
      expect(r.statusCode, JSON.stringify(body)).toBe(400)
      expect(r.json.error.details[0].field).toBe(Object.keys(body)[0])
    }
  })

  it('keeps internal custom fields away from customers', async () => {
    const org = await registerOrg(app)
    const person = await addMember(app, org, 'customer')
    await newCustomField(app, org, 'mood', 'text')
    await newCustomField(app, org, 'risk', 'text', { is_internal: true, is_required: true })
    const res = await post(person.token, { subject: 'x', custom_fields: { risk: 'low' } })
    expect(res.statusCode).toBe(400)
    expect(res.json.error.details).toEqual([expect.objectContaining({ field: 'custom_fields.risk' })])
    const ticket = await openTicket(app, person.token, { custom_fields: { mood: 'fine' } })
    await api(app, 'PATCH', `/api/v1/tickets/${ticket.id}`, { token: org.token, body: { custom_fields: { risk: 'high' } } })
    const seen = await api(app, 'GET', `/api/v1/tickets/${ticket.id}`, { token: person.token })
    expect(seen.json.data.custom_fields).toEqual({ mood: 'fine' })
    expect(seen.body).not.toContain('risk')
    const staff = await api(app, 'GET', `/api/v1/tickets/${ticket.id}`, { token: org.token })
    expect(staff.json.data.custom_fields).toEqual({ mood: 'fine', risk: 'high' })
  })
})

describe('validation', () => {
  it('answers 400 naming the field for an oversize subject, unknown priority, source, status or field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ subject: 'x'.repeat(501) }, 'subject'],
      [{ subject: '   ' }, 'subject'],
      [{ subject: 'x', priority: 'critical' }, 'priority'],
      [{ subject: 'x', source: 'pigeon' }, 'source'],
      [{ subject: 'x', status_id: '00000000-0000-7000-8000-000000000000' }, 'status_id'],
      [{ subject: 'x', status: 'Waiting for Godot' }, 'status'],
      [{ subject: 'x', color: 'red' }, 'color'],
      [{ subject: 'x', tags: ['x'.repeat(51)] }, 'tags.0'],
      [{ subject: 'x', tags: Array.from({ length: 31 }, (_, i) => `t${i}`) }, 'tags'],
      [{ subject: 'x', tags: ['  '] }, 'tags'],
      [{ subject: 'x', due_at: 'tomorrow' }, 'due_at'],
      [{ subject: 'x', requester: { email: 'not-an-email' } }, 'requester.email'],
      [{ subject: 'x', description: 'a', description_text: 'b' }, 'description_text'],
      [{ subject: 'x', requester: { email: 'a@b.example' }, requester_id: '00000000-0000-7000-8000-000000000000' }, 'requester_id'],
      [{ subject: 'x', assignee_id: '00000000-0000-7000-8000-000000000000' }, 'assignee_id'],
      [{ subject: 'x', assignee_id: customer.userId }, 'assignee_id'],
      [{ subject: 'x', team_id: '00000000-0000-7000-8000-000000000000' }, 'team_id'],
      [{ subject: 'x', category_id: '00000000-0000-7000-8000-000000000000' }, 'category_id'],
      [{ subject: 'x', company_id: '00000000-0000-7000-8000-000000000000' }, 'company_id'],
      [{ subject: 'x', requester_id: '00000000-0000-7000-8000-000000000000' }, 'requester_id'],
    ]
    for (const [body, field] of cases) {
      const res = await post(admin.token, body)
      expect(res.statusCode, `${JSON.stringify(body).slice(0, 80)}: ${res.body}`).toBe(400)
      expect(res.json.error.code).toBe('validation_error')
      expect(res.json.error.details[0].field, JSON.stringify(body).slice(0, 80)).toBe(field)
    }
    const subject500 = await post(admin.token, { subject: 'y'.repeat(500) })
    expect(subject500.statusCode).toBe(201)
  })

  it('refuses a deactivated assignee and an inactive category', async () => {
    const leaver = await addMember(app, admin, 'agent')
    expect((await api(app, 'DELETE', `/api/v1/users/${leaver.userId}`, { token: admin.token })).statusCode).toBe(200)
    const res = await post(admin.token, { subject: 'x', assignee_id: leaver.userId })
    expect(res.statusCode).toBe(400)
    expect(res.json.error.details[0]).toMatchObject({ field: 'assignee_id' })
    const retired = await newCategory(app, admin, `Retired ${Date.now()}`, false)
    expect((await post(admin.token, { subject: 'x', category_id: retired })).json.error.details[0]).toMatchObject({ field: 'category_id' })
  })

  it('answers 400 (never a leak) for another organization’s ids', async () => {
    const theirTeam = await newTeam(app, stranger)
    const theirCategory = await newCategory(app, stranger, 'Theirs')
    const theirCompany = await newCompany(app, stranger, 'Theirs Inc')
    const theirContact = await newContact(app, stranger, uniqueEmail('theirs'))
    const theirStatus = (await statusIds(app, stranger)).open
    const cases: Array<[string, string]> = [
      ['team_id', theirTeam], ['category_id', theirCategory], ['company_id', theirCompany], ['requester_id', theirContact],
      ['status_id', theirStatus], ['assignee_id', stranger.userId],
    ]
    for (const [field, id] of cases) {
      const res = await post(admin.token, { subject: 'x', [field]: id })
      expect(res.statusCode, field).toBe(400)
      expect(res.json.error.details[0].field).toBe(field)
      expect(res.body).not.toContain('Theirs')
    }
  })

  it('answers 401 without a token and 403 to roles that may not create', async () => {
    expect((await post('', { subject: 'x' })).statusCode).toBe(401)
    const viewer = await addMember(app, admin, 'viewer')
    const res = await post(viewer.token, { subject: 'x'.repeat(600) })
    expect(res.statusCode).toBe(403)
  })
})
