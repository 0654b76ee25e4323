import { authenticator } from 'otplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import type { App } from '../../app.js'
import { withSystem } from '../../platform/db/tenant.js'
import { PASSWORD, call, createTestApp, login, registerOrg, uniqueEmail } from '../../../../test/helpers.js'

let app: App
beforeAll(async () => { app = await createTestApp({ lockoutThreshold: 3, authRateLimitPerMinute: 1000 }) })
afterAll(async () => { await app.close() })

describe('register and sign in', () => {
  it('creates an organization with its first admin and signs them in', async () => {
    const email = uniqueEmail()
    const res = await call(app, 'POST', '/api/v1/auth/register', { body: { organization: 'Globex Support', name: 'Grace', email, password: PASSWORD } })
    expect(res.statusCode).toBe(201)
    const data = res.json.data as Record<string, any>
    expect(data.user).toMatchObject({ email, name: 'Grace', role: 'admin', two_factor_enabled: false })
    expect(data.user).not.toHaveProperty('password_hash')
    expect(data.organization).toMatchObject({ name: 'Globex Support', slug: expect.stringMatching(/^globex-support/), ticket_prefix: 'TKT' })
    const me = await call(app, 'GET', '/api/v1/auth/me', { token: data.access_token })
    expect(me.statusCode).toBe(200)
    expect((me.json.data as any).role.permissions).toContain('organization:manage')
  })

  it('refuses a second registration with the same email, in any letter case', async () => {
    const s = await registerOrg(app)
    const res = await call(app, 'POST', '/api/v1/auth/register', { body: { organization: 'Other', name: 'X', email: s.email.toUpperCase(), password: PASSWORD } })
    expect(res.statusCode).toBe(409)
    expect(res.json.error).toMatchObject({ code: 'email_taken' })
  })

  it('validates input with field details and rejects unknown fields', async () => {
    const res = await call(app, 'POST', '/api/v1/auth/register', { body: { organization: 'O', name: 'N', email: 'not-an-email', password: 'short' } })
    expect(res.statusCode).toBe(400)
    expect(res.json.error).toMatchObject({ code: 'validation_error' })
    const extra = await call(app, 'POST', '/api/v1/auth/login', { body: { email: uniqueEmail(), password: 'x', admin: true } })
    expect(extra.statusCode).toBe(400)
    expect((extra.json.error as any).details[0]).toMatchObject({ field: 'admin' })
  })

  it('answers 401 for a wrong password and an unknown account alike', async () => {
    const s = await registerOrg(app)
    const wrong = await call(app, 'POST', '/api/v1/auth/login', { body: { email: s.email, password: 'wrong password!' } })
    const unknown = await call(app, 'POST', '/api/v1/auth/login', { body: { email: uniqueEmail(), password: 'wrong password!' } })
    expect(wrong.statusCode).toBe(401)
    expect(unknown.statusCode).toBe(401)
    expect(wrong.json.error).toEqual(unknown.json.error)
  })

  it('locks the account after repeated failures, even for the right password, with 423', async () => {
    const s = await registerOrg(app)
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await call(app, 'POST', '/api/v1/auth/login', { body: { email: s.email, password: 'wrong password!' } })).statusCode)
    expect(statuses).toEqual([401, 401, 423])
    const right = await call(app, 'POST', '/api/v1/auth/login', { body: { email: s.email, password: PASSWORD } })
    expect(right.statusCode).toBe(423)
    expect(right.json.error).toMatchObject({ code: 'account_locked' })
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0)
  })
})

describe('tokens and sessions', () => {
  it('rotates refresh tokens, and a reused one ends the whole session', async () => {
    const s = await registerOrg(app)
    const first = await call(app, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: s.refresh } })
    expect(first.statusCode).toBe(200)
    const next = first.json.data as { access_token: string; refresh_token: string }
    expect(next.refresh_token).not.toBe(s.refresh)
    const replay = await call(app, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: s.refresh } })
    expect(replay.statusCode).toBe(401)
    // the family is revoked: the newest refresh token and the access token die with it
    expect((await call(app, 'POST', '/api/v1/auth/refresh', { body: { refresh_token: next.refresh_token } })).statusCode).toBe(401)
    expect((await call(app, 'GET', '/api/v1/auth/me', { token: next.access_token })).statusCode).toBe(401)
  })

  it('rejects missing, malformed and tampered tokens', async () => {
    const s = await registerOrg(app)
    expect((await call(app, 'GET', '/api/v1/auth/me')).statusCode).toBe(401)
    expect((await call(app, 'GET', '/api/v1/auth/me', { headers: { authorization: 'Basic abc' } })).statusCode).toBe(401)
    const tampered = `${s.token.slice(0, -4)}AAAA`
    const res = await call(app, 'GET', '/api/v1/auth/me', { token: tampered })
    expect(res.statusCode).toBe(401)
    expect(res.json.error).toMatchObject({ code: 'invalid_token' })
  })

  it('logs out, lists and revokes own sessions', async () => {
    const s = await registerOrg(app)
    const other = await login(app, s.email)
    const list = await call(app, 'GET', '/api/v1/auth/sessions', { token: s.token })
    const sessions = list.json.data as Array<{ id: string; current: boolean }>
    expect(sessions).toHaveLength(2)
    const otherSession = sessions.find((x) => !x.current)!
    expect((await call(app, 'DELETE', `/api/v1/auth/sessions/${otherSession.id}`, { token: s.token })).statusCode).toBe(200)
    expect((await call(app, 'GET', '/api/v1/auth/me', { token: other.token })).statusCode).toBe(401)
    expect((await call(app, 'POST', '/api/v1/auth/logout', { token: s.token })).statusCode).toBe(200)
    expect((await call(app, 'GET', '/api/v1/auth/me', { token: s.token })).statusCode).toBe(401)
  })

  it("cannot revoke someone else's session (404)", async () => {
    const a = await registerOrg(app)
    const b = await registerOrg(app)
    const bSessions = (await call(app, 'GET', '/api/v1/auth/sessions', { token: b.token })).json.data as Array<{ id: string }>
    expect((await call(app, 'DELETE', `/api/v1/auth/sessions/${bSessions[0]!.id}`, { token: a.token })).statusCode).toBe(404)
    expect((await call(app, 'GET', '/api/v1/auth/me', { token: b.token })).statusCode).toBe(200)
  })
})

describe('password reset', () => {
  it('sends a single-use link that sets a new password and ends old sessions', async () => {
    const s = await registerOrg(app)
    const before = app.ctx.mailer.recent.length
    expect((await call(app, 'POST', '/api/v1/auth/forgot-password', { body: { email: s.email } })).statusCode).toBe(200)
    await app.ctx.outbox.drain({ tenantId: s.tenantId })
    const mail = app.ctx.mailer.recent.slice(before).find((m) => m.to === s.email)
    expect(mail?.subject).toMatch(/reset/i)
    const token = /token=([^\s&]+)/.exec(mail!.text)![1]!
    const reset = await call(app, 'POST', '/api/v1/auth/reset-password', { body: { token: decodeURIComponent(token), password: 'a brand new password' } })
    expect(reset.statusCode).toBe(200)
    expect((await call(app, 'GET', '/api/v1/auth/me', { token: s.token })).statusCode).toBe(401)
    expect((await call(app, 'POST', '/api/v1/auth/login', { body: { email: s.email, password: PASSWORD } })).statusCode).toBe(401)
    expect((await call(app, 'POST', '/api/v1/auth/login', { body: { email: s.email, password: 'a brand new password' } })).statusCode).toBe(200)
    const again = await call(app, 'POST', '/api/v1/auth/reset-password', { body: { token: decodeURIComponent(token), password: 'yet another password' } })
    expect(again.statusCode).toBe(410)
  })

  it('answers the same for an unknown email and sends nothing', async () => {
    const email = uniqueEmail()
    const res = await call(app, 'POST', '/api/v1/auth/forgot-password', { body: { email } })
    expect(res.statusCode).toBe(200)
    // Nothing queued for that address in any organization (draining every tenant's events here
    // would dispatch other test files' mail on a shared database).
    const queued = await withSystem(app.ctx.db, (tx) => tx.selectFrom('outbox').select('id')
      .where('type', '=', 'mail.send').where(sql<string>`payload->>'to'`, '=', email).execute())
    expect(queued).toEqual([])
  })
})

describe('two-factor sign-in', () => {
  it('enrols TOTP, then requires a code or a single-use backup code', async () => {
    const s = await registerOrg(app)
    const setup = await call(app, 'POST', '/api/v1/auth/2fa/setup', { token: s.token })
    const { secret, qr_data_url } = setup.json.data as { secret: string; qr_data_url: string }
    expect(qr_data_url).toMatch(/^data:image\/png;base64,/)
    const bad = await call(app, 'POST', '/api/v1/auth/2fa/enable', { token: s.token, body: { code: '000000' } })
    expect(bad.statusCode).toBe(401)
    const enabled = await call(app, 'POST', '/api/v1/auth/2fa/enable', { token: s.token, body: { code: authenticator.generate(secret) } })
    const codes = (enabled.json.data as { backup_codes: string[] }).backup_codes
    expect(codes).toHaveLength(10)

    const noCode = await call(app, 'POST', '/api/v1/auth/login', { body: { email: s.email, password: PASSWORD } })
    expect(noCode.json.error).toMatchObject({ code: 'totp_required' })
    const withCode = await call(app, 'POST', '/api/v1/auth/login', { body: { email: s.email, password: PASSWORD, totp: authenticator.generate(secret) } })
    expect(withCode.statusCode).toBe(200)
    const backup = await call(app, 'POST', '/api/v1/auth/login', { body: { email: s.email, password: PASSWORD, totp: codes[0] } })
    expect(backup.statusCode).toBe(200)
    const reused = await call(app, 'POST', '/api/v1/auth/login', { body: { email: s.email, password: PASSWORD, totp: codes[0] } })
    expect(reused.json.error).toMatchObject({ code: 'invalid_totp' })
  })
})

describe('several organizations', () => {
  it('lets one person belong to two organizations and switch without signing in again', async () => {
    const s = await registerOrg(app, 'First Org')
    const created = await call(app, 'POST', '/api/v1/organizations', { token: s.token, body: { name: 'Second Org' } })
    expect(created.statusCode).toBe(201)
    const second = created.json.data as { access_token: string; organization: { id: string; name: string } }
    expect(second.organization.name).toBe('Second Org')
    const me = await call(app, 'GET', '/api/v1/auth/me', { token: second.access_token })
    const orgs = (me.json.data as { organizations: Array<{ id: string }> }).organizations
    expect(orgs.map((o) => o.id).sort()).toEqual([s.tenantId, second.organization.id].sort())
    const back = await call(app, 'POST', '/api/v1/auth/switch', { token: second.access_token, body: { organization_id: s.tenantId } })
    expect(back.statusCode).toBe(200)
    expect((back.json.data as { organization: { id: string } }).organization.id).toBe(s.tenantId)
    // switching to an organization one does not belong to is a 404
    const stranger = await registerOrg(app)
    const denied = await call(app, 'POST', '/api/v1/auth/switch', { token: s.token, body: { organization_id: stranger.tenantId } })
    expect(denied.statusCode).toBe(404)
  })
})

describe('my profile (PATCH /auth/me)', () => {
  it('sets and clears my name, language and time zone (null means the default)', async () => {
    const s = await registerOrg(app)
    const set = await call(app, 'PATCH', '/api/v1/auth/me', { token: s.token, body: { name: '  Grace H.  ', locale: 'de', time_zone: 'Europe/Berlin' } })
    expect(set.statusCode, set.body).toBe(200)
    expect(set.json.data).toMatchObject({ name: 'Grace H.', locale: 'de', time_zone: 'Europe/Berlin' })
    const cleared = await call(app, 'PATCH', '/api/v1/auth/me', { token: s.token, body: { locale: null, time_zone: null } })
    expect(cleared.statusCode, cleared.body).toBe(200)
    // A JSON null, not the empty string the body's type coercion made of it.
    expect(cleared.json.data).toMatchObject({ name: 'Grace H.', locale: null, time_zone: null })
    expect(((await call(app, 'GET', '/api/v1/auth/me', { token: s.token })).json.data as any).user).toMatchObject({ locale: null, time_zone: null })
  })

  it('answers 400 naming the field for an unknown time zone or a blank name', async () => {
    const s = await registerOrg(app)
    const zone = await call(app, 'PATCH', '/api/v1/auth/me', { token: s.token, body: { time_zone: 'Mars/Olympus' } })
    expect(zone.statusCode).toBe(400)
    expect((zone.json.error as any).details[0]).toMatchObject({ field: 'time_zone' })
    const blank = await call(app, 'PATCH', '/api/v1/auth/me', { token: s.token, body: { name: '   ' } })
    expect(blank.statusCode, blank.body).toBe(400)
    expect(blank.json.error).toMatchObject({ code: 'validation_error', details: [{ field: 'name' }] })
  })
})
