import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { call, createTestApp, registerOrg } from '../../../../test/helpers.js'

let app: App
beforeAll(async () => { app = await createTestApp() })
afterAll(async () => { await app.close() })

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d6b3a00000000049454e44ae426082', 'hex')

describe('organization settings', () => {
  it('lets an admin edit name, slug, time zone, prefix, branding and settings', async () => {
    const s = await registerOrg(app)
    const slug = `renamed-${s.tenantId.slice(-6)}`
    const res = await call(app, 'PATCH', '/api/v1/organization', { token: s.token, body: {
      name: 'Renamed', slug, time_zone: 'America/New_York', ticket_prefix: 'HELP', locale: 'de',
      branding: { primary_color: '#112233' }, settings: { agent_ticket_scope: 'all' },
    } })
    expect(res.statusCode).toBe(200)
    expect(res.json.data).toMatchObject({ name: 'Renamed', slug, time_zone: 'America/New_York', ticket_prefix: 'HELP', locale: 'de', branding: { primary_color: '#112233' }, settings: { agent_ticket_scope: 'all' } })
    const again = await call(app, 'GET', '/api/v1/organization', { token: s.token })
    expect(again.json.data).toMatchObject({ name: 'Renamed', branding: { primary_color: '#112233' } })
  })

  it('rejects an unknown time zone, a bad color and a taken slug, naming the field', async () => {
    const s = await registerOrg(app)
    const other = await registerOrg(app)
    const otherSlug = ((await call(app, 'GET', '/api/v1/organization', { token: other.token })).json.data as any).slug
    const tz = await call(app, 'PATCH', '/api/v1/organization', { token: s.token, body: { time_zone: 'Mars/Olympus' } })
    expect(tz.statusCode).toBe(400)
    expect((tz.json.error as any).details[0].field).toBe('time_zone')
    const color = await call(app, 'PATCH', '/api/v1/organization', { token: s.token, body: { branding: { primary_color: 'red' } } })
    expect(color.statusCode).toBe(400)
    const taken = await call(app, 'PATCH', '/api/v1/organization', { token: s.token, body: { slug: otherSlug } })
    expect(taken.statusCode).toBe(409)
    expect(taken.json.error).toMatchObject({ code: 'slug_taken' })
  })

  it('records changes in the audit log', async () => {
    const s = await registerOrg(app)
    await call(app, 'PATCH', '/api/v1/organization', { token: s.token, body: { name: 'Audited' } })
    const rows = await app.ctx.db.selectFrom('audit_events').select(['action', 'actor_id']).where('tenant_id', '=', s.tenantId).execute()
    expect(rows).toContainEqual({ action: 'organization.updated', actor_id: s.userId })
  })
})

describe('logo', () => {
  it('stores an uploaded image, serves it publicly, and shows it in the branding', async () => {
    const s = await registerOrg(app)
    const up = await app.inject({ method: 'PUT', url: '/api/v1/organization/logo', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'image/png' }, payload: PNG })
    expect(up.statusCode).toBe(200)
    const org = up.json().data
    expect(org.branding.logo_url).toMatch(new RegExp(`^/api/v1/public/organizations/${org.slug}/logo\\?v=`))
    const img = await app.inject({ method: 'GET', url: org.branding.logo_url })
    expect(img.statusCode).toBe(200)
    expect(img.headers['content-type']).toBe('image/png')
    expect(img.rawPayload.equals(PNG)).toBe(true)
    const pub = await call(app, 'GET', `/api/v1/public/organizations/${org.slug}`)
    expect(pub.json.data).toMatchObject({ slug: org.slug, branding: { logo_url: org.branding.logo_url } })
    const removed = await app.inject({ method: 'DELETE', url: '/api/v1/organization/logo', headers: { authorization: `Bearer ${s.token}` } })
    expect(removed.json().data.branding.logo_url).toBeNull()
    expect((await app.inject({ method: 'GET', url: `/api/v1/public/organizations/${org.slug}/logo` })).statusCode).toBe(404)
  })

  it('judges the type by the bytes: script disguised as PNG is refused, SVG is refused', async () => {
    const s = await registerOrg(app)
    const fake = await app.inject({ method: 'PUT', url: '/api/v1/organization/logo', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'image/png' }, payload: Buffer.from('<script>alert(1)</script>') })
    expect(fake.statusCode).toBe(415)
    const svg = await app.inject({ method: 'PUT', url: '/api/v1/organization/logo', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'image/svg+xml' }, payload: '<svg xmlns="http://www.w3.org/2000/svg"/>' })
    expect(svg.statusCode).toBe(415)
  })

  it('refuses a logo over 512 KB with 413', async () => {
    const s = await registerOrg(app)
    const big = Buffer.concat([PNG, Buffer.alloc(600 * 1024)])
    const res = await app.inject({ method: 'PUT', url: '/api/v1/organization/logo', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'image/png' }, payload: big })
    expect(res.statusCode).toBe(413)
  })
})
