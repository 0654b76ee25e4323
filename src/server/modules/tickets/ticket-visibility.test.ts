import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, createTestApp, registerOrg, uniqueEmail, type Session } from '../../../../test/helpers.js'
import { api, asTenant, newApiKey, newCompany, newCustomField, newTeam, openTicket, setOrganization } from './test-support.js'

let app: App
let admin: Session
let manager: Session
let agent: Session
let colleague: Session
let viewer: Session
let customer: Session
let otherCustomer: Session
let stranger: Session
let myTeam: string
let otherTeam: string

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  manager = await addMember(app, admin, 'manager')
  agent = await addMember(app, admin, 'agent')
  colleague = await addMember(app, admin, 'agent')
  viewer = await addMember(app, admin, 'viewer')
  customer = await addMember(app, admin, 'customer')
  otherCustomer = await addMember(app, admin, 'customer')
  stranger = await registerOrg(app)
  myTeam = await newTeam(app, admin, [agent, viewer])
  otherTeam = await newTeam(app, admin, [colleague])
})
afterAll(async () => { await app.close() })

const get = (token: string, id: string) => api(app, 'GET', `/api/v1/tickets/${id}`, { token })

describe('who sees a ticket', () => {
  it('agents see their own, their teams’ and unassigned tickets, not another team’s (404)', async () => {
    const mine = await openTicket(app, admin.token, { assignee_id: agent.userId, team_id: otherTeam })
    const teams = await openTicket(app, admin.token, { team_id: myTeam })
    const unassigned = await openTicket(app, admin.token)
    const theirs = await openTicket(app, admin.token, { team_id: otherTeam })
    const theirsAssigned = await openTicket(app, admin.token, { assignee_id: colleague.userId })
    for (const t of [mine, teams, unassigned]) expect((await get(agent.token, t.id)).statusCode).toBe(200)
    for (const t of [theirs, theirsAssigned]) {
      const res = await get(agent.token, t.id)
      expect(res.statusCode).toBe(404)
      expect(res.json.error.code).toBe('not_found')
    }
    // not editable either: the same 404 on every route
    expect((await api(app, 'PATCH', `/api/v1/tickets/${theirs.id}`, { token: agent.token, body: { priority: 'low' } })).statusCode).toBe(404)
    expect((await api(app, 'GET', `/api/v1/tickets/${theirs.id}/history`, { token: agent.token })).statusCode).toBe(404)
    for (const s of [admin, manager]) expect((await get(s.token, theirs.id)).statusCode).toBe(200)
    expect((await get(await newApiKey(app, admin), theirs.id)).statusCode).toBe(200)
  })

  it('the organization setting agent_ticket_scope "all" lets agents see every ticket', async () => {
    const org = await registerOrg(app)
    const a = await addMember(app, org, 'agent')
    const b = await addMember(app, org, 'agent')
    const ticket = await openTicket(app, org.token, { assignee_id: b.userId })
    expect((await get(a.token, ticket.id)).statusCode).toBe(404)
    await setOrganization(app, org, { settings: { agent_ticket_scope: 'all' } })
    expect((await get(a.token, ticket.id)).statusCode).toBe(200)
  })

  it('viewers read what agents would, and get 403 on every write', async () => {
    const ticket = await openTicket(app, admin.token, { team_id: myTeam })
    const read = await get(viewer.token, ticket.id)
    expect(read.statusCode).toBe(200)
    expect(read.json.data.abilities).toEqual({ update: false, assign: false, delete: false, close: false, comment: false, comment_internal: false })
    expect((await api(app, 'GET', `/api/v1/tickets/${ticket.id}/history`, { token: viewer.token })).statusCode).toBe(200)
    const writes: Array<[string, string, Record<string, unknown> | undefined]> = [
      ['POST', '/api/v1/tickets', { subject: 'x' }],
      ['PATCH', `/api/v1/tickets/${ticket.id}`, { subject: 'x' }],
      ['DELETE', `/api/v1/tickets/${ticket.id}`, undefined],
      ['POST', `/api/v1/tickets/${ticket.id}/restore`, undefined],
      ['POST', `/api/v1/tickets/${ticket.id}/assign`, { assignee_id: null }],
      ['POST', `/api/v1/tickets/${ticket.id}/take`, undefined],
      ['POST', `/api/v1/tickets/${ticket.id}/spam`, { is_spam: true }],
      ['POST', `/api/v1/tickets/${ticket.id}/close`, undefined],
    ]
    for (const [method, url, body] of writes) {
      const res = await api(app, method as 'POST', url, { token: viewer.token, ...(body ? { body } : {}) })
      expect(res.statusCode, `${method} ${url}`).toBe(403)
      expect(res.json.error.code).toBe('forbidden')
    }
  })

  it('customers see only the tickets they requested (another customer’s is 404), in the portal projection', async () => {
    await newCustomField(app, admin, 'internal_score', 'number', { is_internal: true })
    const own = await openTicket(app, customer.token, { subject: 'Mine' })
    const others = await openTicket(app, otherCustomer.token, { subject: 'Not yours' })
    const staffOnly = await openTicket(app, admin.token, { requester: { email: uniqueEmail('someone') } })
    await api(app, 'POST', `/api/v1/tickets/${own.id}/assign`, { token: admin.token, body: { assignee_id: agent.userId, team_id: myTeam } })
    await api(app, 'PATCH', `/api/v1/tickets/${own.id}`, { token: admin.token, body: { custom_fields: { internal_score: 7 } } })
    await api(app, 'POST', `/api/v1/tickets/${own.id}/spam`, { token: admin.token, body: { is_spam: true } })

    const res = await get(customer.token, own.id)
    expect(res.statusCode).toBe(200)
    expect(res.json.data).toMatchObject({ subject: 'Mine', assignee: { id: agent.userId }, team: null, custom_fields: {} })
    expect(res.json.data).not.toHaveProperty('is_spam')
    expect(res.json.data).not.toHaveProperty('deleted_at')
    expect(res.body).not.toContain(myTeam)
    expect(res.body).not.toContain('internal_score')
    for (const t of [others, staffOnly]) expect((await get(customer.token, t.id)).statusCode).toBe(404)
    expect((await api(app, 'GET', `/api/v1/tickets/${others.id}/history`, { token: customer.token })).statusCode).toBe(404)
    expect((await api(app, 'POST', `/api/v1/tickets/${others.id}/close`, { token: customer.token })).statusCode).toBe(404)

    // deleted tickets are gone for the customer
    await api(app, 'DELETE', `/api/v1/tickets/${own.id}`, { token: admin.token })
    expect((await get(customer.token, own.id)).statusCode).toBe(404)
  })

  it('customers see their company’s tickets only when both the organization and their contact allow it', async () => {
    const org = await registerOrg(app)
    const company = await newCompany(app, org, 'Shared Co', ['shared.example'])
    const alice = await addMember(app, org, 'customer', `alice.${Date.now()}@shared.example`)
    const bob = await addMember(app, org, 'customer', `bob.${Date.now()}@shared.example`)
    const bobs = await openTicket(app, bob.token)
    expect(bobs.company).toMatchObject({ id: company })
    await openTicket(app, alice.token)
    expect((await get(alice.token, bobs.id)).statusCode).toBe(404)
    await setOrganization(app, org, { settings: { customers_see_company_tickets: true } })
    await asTenant(app, org, (tx) => tx.updateTable('contacts').set({ can_see_company_tickets: true }).where('user_id', '=', alice.userId).execute())
    const seen = await get(alice.token, bobs.id)
    expect(seen.statusCode).toBe(200)
    // seen, but not hers to close
    expect(seen.json.data.abilities.close).toBe(false)
    expect((await api(app, 'POST', `/api/v1/tickets/${bobs.id}/close`, { token: alice.token })).statusCode).toBe(403)
  })
})

describe('tenancy and authentication', () => {
  it('answers 404 for another organization’s ticket on every route, for every role that may call it', async () => {
    const theirs = await openTicket(app, stranger.token, { subject: 'Secret plans' })
    const routes: Array<[string, string, Record<string, unknown> | undefined]> = [
      ['GET', '', undefined], ['PATCH', '', { subject: 'x' }], ['DELETE', '', undefined], ['POST', '/restore', undefined],
      ['POST', '/assign', { assignee_id: null }], ['POST', '/take', undefined], ['POST', '/close', undefined],
      ['POST', '/spam', { is_spam: true }], ['GET', '/history', undefined],
    ]
    for (const [method, suffix, body] of routes) {
      const res = await api(app, method as 'GET', `/api/v1/tickets/${theirs.id}${suffix}`, { token: admin.token, ...(body ? { body } : {}) })
      expect(res.statusCode, `${method} ${suffix}`).toBe(404)
      expect(res.body).not.toContain('Secret plans')
    }
    for (const s of [agent, viewer, customer]) expect((await get(s.token, theirs.id)).statusCode).toBe(404)
    expect((await get(await newApiKey(app, admin), theirs.id)).statusCode).toBe(404)
    expect((await get(stranger.token, theirs.id)).statusCode).toBe(200)
  })

  it('answers 401 without or with a bad token on every route, before validating the body', async () => {
    const id = '00000000-0000-7000-8000-000000000000'
    const routes: Array<[string, string]> = [
      ['POST', '/api/v1/tickets'], ['GET', `/api/v1/tickets/${id}`], ['PATCH', `/api/v1/tickets/${id}`], ['DELETE', `/api/v1/tickets/${id}`],
      ['POST', `/api/v1/tickets/${id}/restore`], ['POST', `/api/v1/tickets/${id}/assign`], ['POST', `/api/v1/tickets/${id}/take`],
      ['POST', `/api/v1/tickets/${id}/close`], ['POST', `/api/v1/tickets/${id}/spam`], ['GET', `/api/v1/tickets/${id}/history`],
    ]
    for (const [method, url] of routes) {
      expect((await api(app, method as 'GET', url, { body: method === 'GET' || method === 'DELETE' ? undefined : { bogus: true } })).statusCode, `${method} ${url}`).toBe(401)
      expect((await api(app, method as 'GET', url, { token: 'not-a-token' })).statusCode, `${method} ${url}`).toBe(401)
    }
  })

  it('answers 403 to roles without the permission, before validating the body', async () => {
    const ticket = await openTicket(app, admin.token)
    const cases: Array<[Session, string, string, Record<string, unknown> | undefined]> = [
      [agent, 'DELETE', '', undefined], [agent, 'POST', '/restore', undefined],
      [customer, 'PATCH', '', { bogus: 1 }], [customer, 'POST', '/assign', { bogus: 1 }], [customer, 'POST', '/spam', { bogus: 1 }],
      [customer, 'DELETE', '', undefined], [customer, 'POST', '/take', undefined],
    ]
    for (const [who, method, suffix, body] of cases) {
      const res = await api(app, method as 'POST', `/api/v1/tickets/${ticket.id}${suffix}`, { token: who.token, ...(body ? { body } : {}) })
      expect(res.statusCode, `${method} ${suffix}`).toBe(403)
    }
  })
})
