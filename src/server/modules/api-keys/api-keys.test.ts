import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { App } from '../../app.js'
import { withSystem } from '../../platform/db/tenant.js'
import { sha256 } from '../../platform/auth/crypto.js'
import { addMember, call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'

let app: App
let admin: Session
let agent: Session
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  agent = await addMember(app, admin, 'agent')
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

async function newKey(body: Record<string, unknown> = {}, as = admin): Promise<any> {
  const res = await call(app, 'POST', '/api/v1/api-keys', { token: as.token, body: { name: 'Zapier', ...body } })
  expect(res.statusCode, res.body).toBe(201)
  return res.json.data
}

describe('API keys', () => {
  it('shows the key once, stores only its hash, and lists it without the secret', async () => {
    const created = await newKey({ name: 'CRM sync' })
    expect(created.key).toMatch(/^aidly_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/)
    expect(created).toMatchObject({ name: 'CRM sync', role: 'agent', prefix: created.key.slice(6, 14), created_by: { id: admin.userId, name: 'Admin' }, last_used_at: null, expires_at: null, revoked_at: null })

    const list = await call(app, 'GET', '/api/v1/api-keys', { token: admin.token })
    expect(list.statusCode).toBe(200)
    const listed = (list.json.data as any[]).find((k) => k.id === created.id)
    expect(listed).toEqual(Object.fromEntries(Object.entries(created).filter(([k]) => k !== 'key')))
    expect(list.body).not.toContain(created.key.slice(15))
    expect(list.body).not.toContain(sha256(created.key))

    const stored = await withSystem(app.ctx.db, (tx) => tx.selectFrom('api_keys').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow())
    expect(stored.key_hash).toBe(sha256(created.key))
    expect(JSON.stringify(stored)).not.toContain(created.key)
  })

  it('authenticates as its role: allowed routes work, others are 403', async () => {
    const { key, id } = await newKey()
    const org = await call(app, 'GET', '/api/v1/organization', { token: key })
    expect(org.statusCode).toBe(200)
    expect(org.json.data).toMatchObject({ id: admin.tenantId })
    expect((await call(app, 'GET', '/api/v1/teams', { token: key })).statusCode).toBe(200)
    expect((await call(app, 'POST', '/api/v1/teams', { token: key, body: { name: 'From a key' } })).statusCode).toBe(403)
    expect((await call(app, 'GET', '/api/v1/api-keys', { token: key })).statusCode).toBe(403)
    expect((await call(app, 'GET', '/api/v1/audit-events', { token: key })).statusCode).toBe(403)
    // personal routes need a person
    expect((await call(app, 'GET', '/api/v1/auth/me', { token: key })).statusCode).toBe(403)
    const listed = ((await call(app, 'GET', '/api/v1/api-keys', { token: admin.token })).json.data as any[]).find((k) => k.id === id)
    expect(listed.last_used_at).not.toBeNull()
  })

  it('acts as the role it was given, and writes show the key in the audit log', async () => {
    const { key, id } = await newKey({ role: 'manager', name: 'Provisioning' })
    const team = await call(app, 'POST', '/api/v1/teams', { token: key, body: { name: 'Made by a key' } })
    expect(team.statusCode).toBe(201)
    const log = await call(app, 'GET', `/api/v1/audit-events?action=team.created&subject_id=${(team.json.data as any).id}`, { token: admin.token })
    expect(log.json.data).toEqual([expect.objectContaining({ actor: null, data: expect.objectContaining({ api_key_id: id }) })])
  })

  it('stops working at once when revoked (401), and revoking again changes nothing', async () => {
    const { key, id } = await newKey()
    expect((await call(app, 'GET', '/api/v1/organization', { token: key })).statusCode).toBe(200)
    const revoked = await call(app, 'DELETE', `/api/v1/api-keys/${id}`, { token: admin.token })
    expect(revoked.statusCode).toBe(200)
    expect((revoked.json.data as any).revoked_at).toEqual(expect.any(String))
    const denied = await call(app, 'GET', '/api/v1/organization', { token: key })
    expect(denied.statusCode).toBe(401)
    expect(denied.json.error).toMatchObject({ code: 'invalid_token' })
    const again = await call(app, 'DELETE', `/api/v1/api-keys/${id}`, { token: admin.token })
    expect(again.statusCode).toBe(200)
    expect((again.json.data as any).revoked_at).toBe((revoked.json.data as any).revoked_at)
  })

  it('stops working when it expires (401)', async () => {
    const soon = new Date(Date.now() + 3600_000).toISOString()
    const { key, expires_at } = await newKey({ expires_at: soon })
    expect(Date.parse(expires_at)).toBe(Date.parse(soon))
    expect((await call(app, 'GET', '/api/v1/organization', { token: key })).statusCode).toBe(200)
    // Two hours later (the clock moved, not the row), the key — remembered by the credential cache until it expires — is refused.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2 * 3600_000 })
    try {
      expect((await call(app, 'GET', '/api/v1/organization', { token: key })).statusCode).toBe(401)
    } finally {
      vi.useRealTimers()
    }
  })

  it('rejects made-up keys', async () => {
    const { key } = await newKey()
    const forged = `${key.slice(0, -4)}AAAA`
    expect((await call(app, 'GET', '/api/v1/organization', { token: forged })).statusCode).toBe(401)
    expect((await call(app, 'GET', '/api/v1/organization', { token: 'aidly_' })).statusCode).toBe(401)
  })

  it('validates the role and the expiry', async () => {
    const post = (body: Record<string, unknown>) => call(app, 'POST', '/api/v1/api-keys', { token: admin.token, body: { name: 'x', ...body } })
    const past = await post({ expires_at: new Date(Date.now() - 60_000).toISOString() })
    expect(past.statusCode).toBe(400)
    expect(past.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'expires_at' })] })
    expect((await post({ expires_at: 'tomorrow' })).statusCode).toBe(400)
    const cust = await post({ role: 'customer' })
    expect(cust.statusCode).toBe(400)
    expect(cust.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'role' })] })
    expect((await post({ role: 'nobody' })).statusCode).toBe(400)
    expect((await post({ name: '' })).statusCode).toBe(400)
    expect((await post({ key_hash: 'x' })).statusCode).toBe(400)
    // another organization's custom role is not a role here
    const theirs = await call(app, 'POST', '/api/v1/roles', { token: stranger.token, body: { name: 'Their bots', kind: 'staff', ticket_scope: 'all', permissions: ['organization:read'] } })
    expect((await post({ role: (theirs.json.data as any).key })).statusCode).toBe(400)
  })

  it('does not let a delegated key manager mint a key stronger than themselves', async () => {
    const role = await call(app, 'POST', '/api/v1/roles', { token: admin.token, body: { name: 'Integrations', kind: 'staff', ticket_scope: 'all', permissions: ['organization:read', 'api_keys:manage'] } })
    const person = await addMember(app, admin, (role.json.data as any).key)
    const strong = await call(app, 'POST', '/api/v1/api-keys', { token: person.token, body: { name: 'root', role: 'admin' } })
    expect(strong.statusCode).toBe(403)
    const own = await call(app, 'POST', '/api/v1/api-keys', { token: person.token, body: { name: 'mine', role: (role.json.data as any).key } })
    expect(own.statusCode).toBe(201)
  })
})

describe('API key access', () => {
  let key: any
  beforeAll(async () => { key = await newKey({ name: 'Guarded' }) })

  it('answers 401 without a token and 403 to agents on every route', async () => {
    const routes = [
      ['GET', '/api/v1/api-keys', undefined],
      ['POST', '/api/v1/api-keys', { name: 'nope' }],
      ['DELETE', `/api/v1/api-keys/${key.id}`, undefined],
    ] as const
    for (const [method, url, body] of routes) {
      expect((await call(app, method, url, { body })).statusCode, `${method} ${url}`).toBe(401)
      expect((await call(app, method, url, { token: agent.token, body })).statusCode, `${method} ${url}`).toBe(403)
    }
  })

  it("answers 404 to another organization's admin and never lists this organization's keys", async () => {
    expect((await call(app, 'DELETE', `/api/v1/api-keys/${key.id}`, { token: stranger.token })).statusCode).toBe(404)
    const theirs = await call(app, 'GET', '/api/v1/api-keys', { token: stranger.token })
    expect((theirs.json.data as any[]).some((k) => k.id === key.id)).toBe(false)
    expect((await call(app, 'GET', '/api/v1/organization', { token: key.key })).statusCode).toBe(200)
  })
})
