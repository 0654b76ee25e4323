import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { withSystem } from '../db/tenant.js'
import { authCache } from '../shared-cache.js'

let app: App
let admin: Session

beforeAll(async () => {
  app = await createTestApp()
  admin = await registerOrg(app)
})
afterAll(async () => app?.close())

/** Asks once so the credential is cached, then `change`, then asks again. */
async function afterChange(token: string, url: string, change: () => Promise<void>): Promise<number> {
  expect((await call(app, 'GET', url, { token })).statusCode).toBe(200)
  await change()
  return (await call(app, 'GET', url, { token })).statusCode
}

describe('the credential cache', () => {
  it('answers repeated requests without reading the session again', async () => {
    const member = await addMember(app, admin, 'agent')
    expect((await call(app, 'GET', '/api/v1/auth/me', { token: member.token })).statusCode).toBe(200)
    // Revoked behind the app's back (no write through its commands): the cached answer stands,
    // which is what the cache is for; the commands below show that real changes clear it.
    await withSystem(app.ctx.db, (tx) => tx.updateTable('sessions').set({ revoked_at: new Date().toISOString() }).where('user_id', '=', member.userId).execute())
    expect((await call(app, 'GET', '/api/v1/auth/me', { token: member.token })).statusCode).toBe(200)
    authCache.clear()
    expect((await call(app, 'GET', '/api/v1/auth/me', { token: member.token })).statusCode).toBe(401)
  })

  it('forgets a session as soon as it is signed out', async () => {
    const member = await addMember(app, admin, 'agent')
    expect(await afterChange(member.token, '/api/v1/auth/me', async () => {
      expect((await call(app, 'POST', '/api/v1/auth/logout', { token: member.token, body: { refresh_token: member.refresh } })).statusCode).toBe(200)
    })).toBe(401)
  })

  it('applies a deactivation to the next request', async () => {
    const member = await addMember(app, admin, 'agent')
    expect(await afterChange(member.token, '/api/v1/tickets', async () => {
      expect((await call(app, 'PATCH', `/api/v1/users/${member.userId}`, { token: admin.token, body: { is_active: false } })).statusCode).toBe(200)
    })).toBe(401)
  })

  it('applies a role change and a change to a role\'s permissions to the next request', async () => {
    const role = await call(app, 'POST', '/api/v1/roles', { token: admin.token, body: { name: 'Readers', kind: 'staff', permissions: ['tickets:read', 'tickets:create'], ticket_scope: 'all' } })
    expect(role.statusCode).toBe(201)
    const { id, key } = role.json.data as { id: string; key: string }
    const member = await addMember(app, admin, key)
    expect(await afterChange(member.token, '/api/v1/tickets', async () => {
      expect((await call(app, 'PATCH', `/api/v1/roles/${id}`, { token: admin.token, body: { permissions: ['tickets:create'] } })).statusCode).toBe(200)
    })).toBe(403)
    const agent = await addMember(app, admin, 'agent')
    expect(await afterChange(agent.token, '/api/v1/tickets', async () => {
      expect((await call(app, 'PATCH', `/api/v1/users/${agent.userId}`, { token: admin.token, body: { role: key } })).statusCode).toBe(200)
    })).toBe(403)
  })

  it('forgets a revoked API key', async () => {
    const created = await call(app, 'POST', '/api/v1/api-keys', { token: admin.token, body: { name: 'CI', role: 'agent' } })
    expect(created.statusCode).toBe(201)
    const { id, key } = created.json.data as { id: string; key: string }
    expect(await afterChange(key, '/api/v1/tickets', async () => {
      expect((await call(app, 'DELETE', `/api/v1/api-keys/${id}`, { token: admin.token })).statusCode).toBe(200)
    })).toBe(401)
  })
})

/**
 * Every write that changes a cached answer must clear its cache (platform/shared-cache.ts). A
 * source file that writes sessions, memberships, roles or API keys has to call authChanged(), one
 * that writes statuses or custom-field definitions cacheChanged('tenant-config'). The one write
 * that changes nothing a credential depends on (an API key's last-used time) is listed by file.
 */
describe('writes to cached tables', () => {
  const root = path.resolve(import.meta.dirname, '../..')
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !dir.includes('migrations') ? [path.join(dir, e.name)] : [])
  const missing = (writes: RegExp, call: string, except: string[] = []) => files(root)
    .filter((f) => writes.test(readFileSync(f, 'utf8')) && !readFileSync(f, 'utf8').includes(call))
    .map((f) => path.relative(root, f))
    .filter((f) => !except.includes(f))

  it('to credentials all call authChanged()', () => {
    expect(missing(/(updateTable|deleteFrom)\('(sessions|memberships|roles|api_keys)'\)/, 'authChanged()', ['platform/auth/authenticate.ts'])).toEqual([])
  })

  it('to statuses and custom fields all call cacheChanged(\'tenant-config\')', () => {
    expect(missing(/(updateTable|deleteFrom|insertInto)\('(ticket_statuses|custom_fields)'\)|UPDATE ticket_statuses/, "cacheChanged('tenant-config')")).toEqual([])
  })
})
