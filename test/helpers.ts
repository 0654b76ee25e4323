import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { inject } from 'vitest'
import { buildApp, type App } from '../src/server/app.js'
import { loadConfig, type Config } from '../src/server/platform/config.js'
import { withSystem } from '../src/server/platform/db/tenant.js'

export const PASSWORD = 'correct horse battery staple'

/** Which engine this run uses: 'pglite' (default) or 'postgres' (TEST_DATABASE_URL). */
export const databaseUrl = (): string => inject('databaseUrl')

/** A fresh app on the run's database (in-memory PGlite per app, or the run's PostgreSQL database). */
export async function createTestApp(overrides: Partial<Config> = {}): Promise<App> {
  const config = loadConfig({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', AIDLY_DEMO: '0', AIDLY_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'aidly-test-')) }, {
    databaseUrl: databaseUrl(),
    secret: 'test-secret-that-is-long-enough-for-aidly-0123456789',
    ...overrides,
  })
  return buildApp(config)
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}@example.test`
}

export interface Session {
  token: string
  refresh: string
  userId: string
  tenantId: string
  email: string
}

type Body = Record<string, unknown>

/** `app.inject` with JSON and an optional bearer; returns the response with parsed `body`. */
export async function call(app: App, method: InjectOptions['method'], url: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse & { json: Body }> {
  const res = await app.inject({
    method, url,
    headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
    ...(opts.body !== undefined ? { payload: opts.body as Body } : {}),
  })
  let json: Body
  try {
    json = res.json() as Body
  } catch {
    json = {}
  }
  return Object.assign(res, { json })
}

/** Signs up a new organization and returns its admin's session. */
export async function registerOrg(app: App, name = `Org ${randomBytes(3).toString('hex')}`): Promise<Session> {
  const email = uniqueEmail('admin')
  const res = await call(app, 'POST', '/api/v1/auth/register', { body: { organization: name, name: 'Admin', email, password: PASSWORD } })
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`)
  const data = res.json.data as { access_token: string; refresh_token: string; user: { id: string }; organization: { id: string } }
  return { token: data.access_token, refresh: data.refresh_token, userId: data.user.id, tenantId: data.organization.id, email }
}

/** Adds a member with a role to the admin's organization and signs them in. */
export async function addMember(app: App, admin: Session, role: string, email = uniqueEmail(role)): Promise<Session> {
  const created = await call(app, 'POST', '/api/v1/users', { token: admin.token, body: { name: `A ${role}`, email, role, password: PASSWORD } })
  if (created.statusCode !== 201) throw new Error(`create user failed: ${created.statusCode} ${created.body}`)
  return login(app, email, PASSWORD, admin.tenantId)
}

export async function login(app: App, email: string, password = PASSWORD, tenantId?: string): Promise<Session> {
  let organization: string | undefined
  if (tenantId) {
    organization = (await withSystem(app.ctx.db, (tx) => tx.selectFrom('organizations').select('slug').where('id', '=', tenantId).executeTakeFirstOrThrow())).slug
  }
  const res = await call(app, 'POST', '/api/v1/auth/login', { body: { email, password, ...(organization ? { organization } : {}) } })
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`)
  const data = res.json.data as { access_token: string; refresh_token: string; user: { id: string }; organization: { id: string } }
  return { token: data.access_token, refresh: data.refresh_token, userId: data.user.id, tenantId: data.organization.id, email }
}
