import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, call, createTestApp, login, registerOrg, uniqueEmail } from '../../../../test/helpers.js'
import { factories } from './test-support.js'

let app: App
let f: ReturnType<typeof factories>

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  f = factories(app)
})
afterAll(async () => { await app.close() })

describe('duplicate suggestions', () => {
  it('groups contacts sharing a phone, a name in one company, or a similar name in one company or email domain', async () => {
    const org = await registerOrg(app)
    const acme = await f.newCompany(org, { name: 'Acme' })
    const globex = await f.newCompany(org, { name: 'Globex' })
    const p1 = await f.newContact(org, { name: 'Phone One', phones: [{ type: 'work', number: '+1 (555) 010-2030' }] })
    const p2 = await f.newContact(org, { name: 'Someone Else', phones: [{ type: 'mobile', number: '555.010.2030' }] })
    const n1 = await f.newContact(org, { name: 'Sam Carter', company_id: acme.id })
    const n2 = await f.newContact(org, { name: 'sam carter', company_id: acme.id })
    // the same name in another company is somebody else
    await f.newContact(org, { name: 'Sam Carter', company_id: globex.id })
    const s1 = await f.newContact(org, { name: 'Jonathan Smithers', email: 'jon@initrode.example' })
    const s2 = await f.newContact(org, { name: 'Jonathon Smithers', email: 'j.smithers@initrode.example' })
    // similar, but neither the same company nor the same domain
    await f.newContact(org, { name: 'Jonathan Smithers', email: 'js@elsewhere.example' })
    await f.newContact(org, { name: 'Unrelated Person', email: 'x@initrode.example' })

    const res = await call(app, 'GET', '/api/v1/contacts/duplicates', { token: org.token })
    expect(res.statusCode, res.body).toBe(200)
    const groups = res.json.data as any[]
    const ids = (g: any) => g.contacts.map((c: any) => c.id).sort()
    const phone = groups.filter((g) => g.reason === 'phone')
    expect(phone.map(ids)).toEqual([[p1.id, p2.id].sort()])
    expect(phone[0].key).toBe('5550102030')
    const named = groups.filter((g) => g.reason === 'name_and_company')
    expect(named.map(ids)).toEqual([[n1.id, n2.id].sort()])
    expect(named[0].contacts[0].company).toEqual({ id: acme.id, name: 'Acme' })
    const similar = groups.filter((g) => g.reason === 'similar_name')
    expect(similar.map(ids)).toEqual([[s1.id, s2.id].sort()])
    expect(similar[0].similarity).toBeGreaterThan(0.6)

    const limited = await call(app, 'GET', '/api/v1/contacts/duplicates?limit=1', { token: org.token })
    expect(limited.json.data).toHaveLength(1)
    // another organization sees none of these
    const other = await registerOrg(app)
    expect((await call(app, 'GET', '/api/v1/contacts/duplicates', { token: other.token })).json.data).toEqual([])
  })
})

describe('portal access', () => {
  it('makes a contact a customer user who can sign in after choosing a password, and sees only their tickets', async () => {
    const org = await registerOrg(app)
    const email = uniqueEmail('portal')
    const contact = await f.newContact(org, { name: 'Portal Pat', email })
    const mine = await f.newTicket(org, { requester_id: contact.id, subject: 'My printer' })
    const someoneElses = await f.newContact(org, { name: 'Other' })
    await f.newTicket(org, { requester_id: someoneElses.id })

    const res = await call(app, 'POST', `/api/v1/contacts/${contact.id}/portal-access`, { token: org.token })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json.data).toMatchObject({ id: contact.id, has_portal_access: true, user_id: expect.any(String) })
    const again = await call(app, 'POST', `/api/v1/contacts/${contact.id}/portal-access`, { token: org.token })
    expect(again.statusCode).toBe(409)

    await app.ctx.outbox.drain({ tenantId: org.tenantId })
    const mail = app.ctx.mailer.recent.find((m) => m.to === email)
    expect(mail, 'a set-password mail').toBeDefined()
    const token = decodeURIComponent(/reset-password\?token=([^\s&]+)/.exec(mail!.text)![1]!)
    const set = await call(app, 'POST', '/api/v1/auth/reset-password', { body: { token, password: 'portal password 123' } })
    expect(set.statusCode, set.body).toBe(200)
    const customer = await login(app, email, 'portal password 123', org.tenantId)
    expect(customer.userId).toBe((res.json.data as any).user_id)
    const me = await call(app, 'GET', '/api/v1/auth/me', { token: customer.token })
    expect(JSON.stringify(me.json.data)).toContain('customer')

    // the customer cannot read contacts, but staff see the contact's tickets in its timeline
    expect((await call(app, 'GET', `/api/v1/contacts/${contact.id}/tickets`, { token: customer.token })).statusCode).toBe(403)
    const timeline = await call(app, 'GET', `/api/v1/contacts/${contact.id}/tickets`, { token: org.token })
    expect((timeline.json.data as any[]).map((t) => t.id)).toEqual([mine])
    expect((timeline.json.data as any[])[0]).toMatchObject({ subject: 'My printer', requester: { id: contact.id, email } })
  })

  it('links an existing member instead of adding them again, and refuses contacts without email', async () => {
    const org = await registerOrg(app)
    // a staff member who is also a contact: linked, keeping their role
    const agent = await addMember(app, org, 'agent')
    const contact = await f.newContact(org, { name: 'Known', email: agent.email.toUpperCase() })
    const res = await call(app, 'POST', `/api/v1/contacts/${contact.id}/portal-access`, { token: org.token })
    expect(res.statusCode, res.body).toBe(200)
    expect((res.json.data as any).user_id).toBe(agent.userId)
    const me = await call(app, 'GET', '/api/v1/auth/me', { token: agent.token })
    expect(JSON.stringify(me.json.data)).toContain('agent')
    // a customer member is linked to their contact when added, so it already has portal access
    const customer = await addMember(app, org, 'customer')
    const theirs = ((await call(app, 'GET', `/api/v1/contacts?q=${encodeURIComponent(customer.email)}`, { token: org.token })).json.data as any[])[0]
    expect(theirs).toMatchObject({ user_id: customer.userId, has_portal_access: true })
    expect((await call(app, 'POST', `/api/v1/contacts/${theirs.id}/portal-access`, { token: org.token })).statusCode).toBe(409)
    const noEmail = await f.newContact(org, { name: 'No Email' })
    const refused = await call(app, 'POST', `/api/v1/contacts/${noEmail.id}/portal-access`, { token: org.token })
    expect(refused.statusCode).toBe(400)
    expect(refused.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'email' })] })
    // a manager may manage contacts but not users
    const manager = await addMember(app, org, 'manager')
    const other = await f.newContact(org, { name: 'Other', email: uniqueEmail('other') })
    expect((await call(app, 'POST', `/api/v1/contacts/${other.id}/portal-access`, { token: manager.token })).statusCode).toBe(403)
  })
})

describe('ticket timeline', () => {
  it("shows an agent only the contact's tickets they may see, newest first, paged", async () => {
    const org = await registerOrg(app)
    const agent = await addMember(app, org, 'agent')
    const other = await addMember(app, org, 'agent')
    const c = await f.newContact(org, { name: 'Requester' })
    const unassigned = await f.newTicket(org, { requester_id: c.id })
    const assignedToOther = await f.newTicket(org, { requester_id: c.id, assignee_id: other.userId })
    const mine = await f.newTicket(org, { requester_id: c.id, assignee_id: agent.userId })
    const asAdmin = await call(app, 'GET', `/api/v1/contacts/${c.id}/tickets?limit=2`, { token: org.token })
    expect((asAdmin.json.data as any[]).map((t) => t.id)).toEqual([mine, assignedToOther])
    expect(asAdmin.json.meta).toEqual({ page: 1, limit: 2, total: 3 })
    const asAgent = await call(app, 'GET', `/api/v1/contacts/${c.id}/tickets`, { token: agent.token })
    expect((asAgent.json.data as any[]).map((t) => t.id)).toEqual([mine, unassigned])
    expect(asAgent.json.meta).toMatchObject({ total: 2 })
  })
})
