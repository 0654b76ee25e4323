import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, call, createTestApp, registerOrg, uniqueEmail, type Session } from '../../../../test/helpers.js'
import { factories } from './test-support.js'

/**
 * Every contact and company route: no token → 401; a role without the permission → 403 (viewers
 * on writes, customers on everything); another organization's admin → 404 for this
 * organization's ids, and lists without them.
 */
let app: App
let admin: Session
let agent: Session
let viewer: Session
let customer: Session
let stranger: Session
let ids: { contact: string; source: string; company: string; source_company: string; contact_note: string; company_note: string }

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  agent = await addMember(app, admin, 'agent')
  viewer = await addMember(app, admin, 'viewer')
  customer = await addMember(app, admin, 'customer')
  stranger = await registerOrg(app)
  const f = factories(app)
  const company = await f.newCompany(admin, { name: 'Guarded Co' })
  const sourceCompany = await f.newCompany(admin, { name: 'Guarded Source' })
  const contact = await f.newContact(admin, { name: 'Guarded', email: uniqueEmail('guarded'), company_id: company.id })
  const source = await f.newContact(admin, { name: 'Guarded source' })
  const note = (await call(app, 'POST', `/api/v1/contacts/${contact.id}/notes`, { token: admin.token, body: { body: 'n' } })).json.data as any
  const cnote = (await call(app, 'POST', `/api/v1/companies/${company.id}/notes`, { token: admin.token, body: { body: 'n' } })).json.data as any
  ids = { contact: contact.id, source: source.id, company: company.id, source_company: sourceCompany.id, contact_note: note.id, company_note: cnote.id }
})
afterAll(async () => { await app.close() })

type Route = [method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body: unknown, write: boolean]

const routes = (): Route[] => [
  ['GET', '/api/v1/contacts', undefined, false],
  ['POST', '/api/v1/contacts', { name: 'Nope' }, true],
  ['GET', '/api/v1/contacts/duplicates', undefined, false],
  ['GET', '/api/v1/contacts/export', undefined, false],
  ['POST', '/api/v1/contacts/import', 'name\nNope\n', true],
  ['GET', `/api/v1/contacts/${ids.contact}`, undefined, false],
  ['PATCH', `/api/v1/contacts/${ids.contact}`, { name: 'Nope' }, true],
  ['GET', `/api/v1/contacts/${ids.contact}/tickets`, undefined, false],
  ['POST', `/api/v1/contacts/${ids.contact}/portal-access`, undefined, true],
  ['GET', `/api/v1/contacts/${ids.contact}/merge-preview?source_ids=${ids.source}`, undefined, false],
  ['POST', `/api/v1/contacts/${ids.contact}/merge`, { source_ids: [ids.source], strategy: 'keep_primary' }, true],
  ['GET', `/api/v1/contacts/${ids.contact}/notes`, undefined, false],
  ['POST', `/api/v1/contacts/${ids.contact}/notes`, { body: 'Nope' }, true],
  ['PATCH', `/api/v1/contacts/${ids.contact}/notes/${ids.contact_note}`, { is_pinned: true }, true],
  ['DELETE', `/api/v1/contacts/${ids.contact}/notes/${ids.contact_note}`, undefined, true],
  ['DELETE', `/api/v1/contacts/${ids.contact}`, undefined, true],
  ['GET', '/api/v1/companies', undefined, false],
  ['POST', '/api/v1/companies', { name: 'Nope' }, true],
  ['GET', '/api/v1/companies/export', undefined, false],
  ['POST', '/api/v1/companies/import', 'name\nNope\n', true],
  ['GET', `/api/v1/companies/${ids.company}`, undefined, false],
  ['PATCH', `/api/v1/companies/${ids.company}`, { name: 'Nope' }, true],
  ['GET', `/api/v1/companies/${ids.company}/contacts`, undefined, false],
  ['GET', `/api/v1/companies/${ids.company}/tickets`, undefined, false],
  ['POST', `/api/v1/companies/${ids.company}/merge`, { source_ids: [ids.source_company] }, true],
  ['GET', `/api/v1/companies/${ids.company}/notes`, undefined, false],
  ['POST', `/api/v1/companies/${ids.company}/notes`, { body: 'Nope' }, true],
  ['PATCH', `/api/v1/companies/${ids.company}/notes/${ids.company_note}`, { is_pinned: true }, true],
  ['DELETE', `/api/v1/companies/${ids.company}/notes/${ids.company_note}`, undefined, true],
  ['DELETE', `/api/v1/companies/${ids.company}`, undefined, true],
]

async function send(method: Route[0], url: string, body: unknown, token?: string) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
  if (typeof body === 'string') headers['content-type'] = 'text/csv'
  return app.inject({ method, url, headers, ...(body !== undefined ? { payload: body as string } : {}) })
}

describe('contact and company access', () => {
  it('answers 401 without a token on every route', async () => {
    for (const [method, url, body] of routes()) {
      expect((await send(method, url, body)).statusCode, `${method} ${url}`).toBe(401)
    }
  })

  it('refuses viewers on writes and customers everywhere (403); agents and viewers may read', async () => {
    for (const [method, url, body, write] of routes()) {
      const asCustomer = await send(method, url, body, customer.token)
      expect(asCustomer.statusCode, `customer ${method} ${url}`).toBe(403)
      if (write) {
        expect((await send(method, url, body, viewer.token)).statusCode, `viewer ${method} ${url}`).toBe(403)
      } else {
        expect((await send(method, url, body, viewer.token)).statusCode, `viewer ${method} ${url}`).toBe(200)
      }
    }
    // portal access needs users:manage, which agents lack
    expect((await send('POST', `/api/v1/contacts/${ids.contact}/portal-access`, undefined, agent.token)).statusCode).toBe(403)
  })

  it("answers 404 to another organization's admin for this organization's ids, and lists none of them", async () => {
    for (const [method, url, body] of routes()) {
      const res = await send(method, url, body, stranger.token)
      if (url.includes(ids.contact) || url.includes(ids.company)) {
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(404)
      } else if (method === 'GET') {
        expect(res.statusCode, `${method} ${url}`).toBe(200)
        for (const id of Object.values(ids)) expect(res.body, `${method} ${url}`).not.toContain(id)
      }
    }
    // and nothing changed
    expect((await call(app, 'GET', `/api/v1/contacts/${ids.contact}`, { token: admin.token })).json.data).toMatchObject({ name: 'Guarded' })
    expect((await call(app, 'GET', `/api/v1/companies/${ids.company}/notes`, { token: admin.token })).json.meta).toMatchObject({ total: 1 })
  })
})
