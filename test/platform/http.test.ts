import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../src/server/app.js'
import { ERROR_CATALOGUE } from '../../src/shared/errors.js'
import { call, createTestApp, registerOrg } from '../helpers.js'

let app: App
beforeAll(async () => { app = await createTestApp({ bodyLimitBytes: 4096 }) })
afterAll(async () => { await app.close() })

describe('API conventions', () => {
  it('answers malformed JSON with 400 invalid_json', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email": ' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({ success: false, error: { code: 'invalid_json', message: expect.any(String), details: [] } })
  })

  it('answers an oversize body with 413', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(10_000) }) })
    expect(res.statusCode).toBe(413)
    expect(res.json().error.code).toBe('payload_too_large')
  })

  it('answers an unsupported content type with 415', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/xml' }, payload: '<a/>' })
    expect(res.statusCode).toBe(415)
    expect(res.json().error.code).toBe('unsupported_media_type')
  })

  it('answers unknown routes with the error envelope', async () => {
    const res = await call(app, 'GET', '/api/v1/nope')
    expect(res.statusCode).toBe(404)
    expect(res.json.error).toMatchObject({ code: 'not_found' })
  })

  it('asks for credentials before validating the body of a protected route', async () => {
    const res = await call(app, 'PATCH', '/api/v1/organization', { body: { name: 12 } })
    expect(res.statusCode).toBe(401)
  })

  it('names the field in validation details', async () => {
    const s = await registerOrg(app)
    const res = await call(app, 'PATCH', '/api/v1/organization', { token: s.token, body: { ticket_prefix: 'lower case' } })
    expect(res.statusCode).toBe(400)
    expect(res.json.error).toMatchObject({ code: 'validation_error', details: [expect.objectContaining({ field: 'ticket_prefix' })] })
  })

  it('takes JSON bodies as sent (null stays null, text is not a number) but reads query strings as their types', async () => {
    const s = await registerOrg(app)
    const zone = await call(app, 'PATCH', '/api/v1/auth/me', { token: s.token, body: { time_zone: 'Europe/Paris' } })
    expect((zone.json.data as any).time_zone).toBe('Europe/Paris')
    const cleared = await call(app, 'PATCH', '/api/v1/auth/me', { token: s.token, body: { time_zone: null } })
    expect(cleared.statusCode, cleared.body).toBe(200)
    expect((cleared.json.data as any).time_zone).toBeNull()
    const asText = await call(app, 'POST', '/api/v1/tickets', { token: s.token, body: { subject: 'Typed', custom_fields: {}, tags: 'one' } })
    expect(asText.statusCode).toBe(400)
    expect((asText.json.error as any).details[0].field).toBe('tags')
    const query = await call(app, 'GET', '/api/v1/tickets?limit=2&priority=high', { token: s.token })
    expect(query.statusCode).toBe(200)
    expect((query.json.meta as any).limit).toBe(2)
  })

  it('gives every response a request id', async () => {
    const res = await call(app, 'GET', '/api/health')
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('keeps the error catalogue and docs/api.md in step', () => {
    const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8')
    for (const [code, { status }] of Object.entries(ERROR_CATALOGUE)) {
      expect(doc, `docs/api.md must list ${code}`).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`))
    }
  })
})

describe('system endpoints', () => {
  it('reports health with a database check', async () => {
    const res = await call(app, 'GET', '/api/health')
    expect(res.statusCode).toBe(200)
    expect(res.json).toMatchObject({ status: 'ok', checks: { database: 'ok' } })
  })

  it('serves Prometheus metrics, counting requests by route', async () => {
    await call(app, 'GET', '/api/health')
    const res = await app.inject({ method: 'GET', url: '/metrics' })
    expect(res.headers['content-type']).toMatch(/text\/plain/)
    expect(res.body).toMatch(/aidly_http_request_duration_seconds_count\{method="GET",route="\/api\/health",status="200"\} \d+/)
    expect(res.body).toMatch(/aidly_process_resident_memory_bytes/)
  })

  it('documents every /api/v1 route in the OpenAPI document, and serves the browsable docs', async () => {
    const doc = (await call(app, 'GET', '/api/openapi.json')).json as unknown as { openapi: string; paths: Record<string, Record<string, unknown>> }
    expect(doc.openapi).toMatch(/^3\./)
    const apiRoutes = app.ctx.routes.filter((r) => r.url.startsWith('/api/v1/'))
    expect(apiRoutes.length).toBeGreaterThan(10)
    // OpenAPI cannot describe a WebSocket upgrade: /api/v1/realtime is documented in docs/api.md.
    for (const r of apiRoutes.filter((route) => route.url !== '/api/v1/realtime')) {
      const path = r.url.replace(/:([a-z_]+)/g, '{$1}')
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.url} in OpenAPI`).toBeDefined()
    }
    const html = await app.inject({ method: 'GET', url: '/api/docs/' })
    expect(html.statusCode).toBe(200)
    expect(html.body).toMatch(/swagger/i)
  })

  it('masks an internal failure as internal_error with a reference, leaking no driver message', async () => {
    const s = await registerOrg(app)
    const broken = await createTestApp()
    const t = await registerOrg(broken)
    await broken.ctx.database.db.destroy()
    const res = await call(broken, 'GET', '/api/v1/organization', { token: t.token })
    expect(res.statusCode).toBe(500)
    expect(res.json.error).toMatchObject({ code: 'internal_error' })
    expect(JSON.stringify(res.json)).not.toMatch(/pglite|postgres|driver|destroy/i)
    expect((await call(app, 'GET', '/api/v1/organization', { token: s.token })).statusCode).toBe(200)
  })
})
