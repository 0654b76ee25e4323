import { randomUUID } from 'node:crypto'
import { authenticator } from 'otplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { withSystem } from '../../platform/db/tenant.js'
import { uuidv7 } from '../../platform/ids.js'
import { PASSWORD, addMember, call, createTestApp, login, registerOrg, uniqueEmail, type Session } from '../../../../test/helpers.js'

let app: App
beforeAll(async () => { app = await createTestApp({ authRateLimitPerMinute: 1000 }) })
afterAll(async () => { await app.close() })

async function makeTeam(tenantId: string, name = `Team ${randomUUID().slice(0, 6)}`): Promise<string> {
  const id = uuidv7()
  await withSystem(app.ctx.db, (tx) => tx.insertInto('teams').values({ tenant_id: tenantId, id, name }).execute())
  return id
}

async function invite(admin: Session, body: Record<string, unknown>) {
  const res = await call(app, 'POST', '/api/v1/invitations', { token: admin.token, body })
  return Object.assign(res, { data: res.json.data as any })
}

function tokenOf(url: string): string {
  return decodeURIComponent(new URL(url).searchParams.get('token')!)
}

async function lastMailTo(tenantId: string, email: string) {
  await app.ctx.outbox.drain({ tenantId })
  return app.ctx.mailer.recent.filter((m) => m.to === email).at(-1)
}

const lookup = (token: string) => call(app, 'GET', `/api/v1/invitations/lookup?token=${encodeURIComponent(token)}`)
const accept = (body: Record<string, unknown>) => call(app, 'POST', '/api/v1/invitations/accept', { body })

describe('inviting a new person', () => {
  it('mails a link; the invitee looks it up, accepts with a name and password and is signed in with the role and teams', async () => {
    const admin = await registerOrg(app, 'Initech Help')
    const team = await makeTeam(admin.tenantId, 'Tier 2')
    const email = uniqueEmail('newbie')
    const created = await invite(admin, { email, role: 'agent', name: 'Nina', team_ids: [team] })
    expect(created.statusCode).toBe(201)
    expect(created.data).toMatchObject({
      email, name: 'Nina', role: 'agent', team_ids: [team], status: 'pending',
      invited_by: { id: admin.userId, name: 'Admin' }, accepted_at: null, revoked_at: null,
    })
    expect(Date.parse(created.data.expires_at) - Date.now()).toBeGreaterThan(6.9 * 86400_000)
    expect(created.data.accept_url).toMatch(/\/invite\?token=/)

    const mail = await lastMailTo(admin.tenantId, email)
    expect(mail?.subject).toContain('Initech Help')
    expect(mail?.text).toContain('Admin')
    expect(mail?.text).toContain(created.data.accept_url)
    const token = tokenOf(/(http\S+invite\?token=\S+)/.exec(mail!.text)![1]!)

    const info = await lookup(token)
    expect(info.statusCode).toBe(200)
    expect(info.json.data).toEqual({
      email, organization: { name: 'Initech Help', slug: expect.stringMatching(/^initech-help/) }, role: 'agent',
      existing_user: false, expires_at: created.data.expires_at,
    })
    // the list never shows the link again
    const listed = await call(app, 'GET', '/api/v1/invitations', { token: admin.token })
    expect((listed.json.data as any[])[0]).not.toHaveProperty('accept_url')

    const res = await accept({ token, name: 'Nina New', password: 'nina password 1' })
    expect(res.statusCode).toBe(200)
    const signedIn = res.json.data as any
    expect(signedIn).toMatchObject({ user: { email, name: 'Nina New', role: 'agent', is_active: true }, organization: { id: admin.tenantId }, token_type: 'Bearer' })
    const me = await call(app, 'GET', '/api/v1/auth/me', { token: signedIn.access_token })
    expect((me.json.data as any).role.key).toBe('agent')
    const detail = await call(app, 'GET', `/api/v1/users/${signedIn.user.id}`, { token: admin.token })
    expect((detail.json.data as any).teams).toEqual([{ id: team, name: 'Tier 2', is_lead: false }])
    expect((await login(app, email, 'nina password 1')).userId).toBe(signedIn.user.id)

    const after = await call(app, 'GET', '/api/v1/invitations?status=accepted', { token: admin.token })
    expect(after.json.data).toMatchObject([{ id: created.data.id, status: 'accepted', accepted_at: expect.any(String) }])
    const row = await withSystem(app.ctx.db, (tx) => tx.selectFrom('invitations').select('accepted_user_id').where('id', '=', created.data.id).executeTakeFirstOrThrow())
    expect(row.accepted_user_id).toBe(signedIn.user.id)

    // single use
    const again = await accept({ token, name: 'Nina', password: 'nina password 1' })
    expect(again.statusCode).toBe(410)
    expect(again.json.error).toMatchObject({ code: 'gone' })
    expect((await lookup(token)).statusCode).toBe(410)
  })

  it('needs a name and a long enough password for a new account (400), and a real token (404)', async () => {
    const admin = await registerOrg(app)
    const created = await invite(admin, { email: uniqueEmail(), role: 'viewer' })
    const token = tokenOf(created.data.accept_url)
    const noName = await accept({ token, password: 'long enough pass' })
    expect(noName.statusCode).toBe(400)
    expect(noName.json.error).toMatchObject({ details: [{ field: 'name' }] })
    const short = await accept({ token, name: 'V', password: 'short' })
    expect(short.json.error).toMatchObject({ code: 'validation_error', details: [{ field: 'password' }] })
    expect((await lookup(token)).statusCode).toBe(200)
    expect((await lookup('not-a-real-token-at-all')).statusCode).toBe(404)
    expect((await accept({ token: 'not-a-real-token-at-all', name: 'x', password: 'long enough pass' })).statusCode).toBe(404)
  })
})

describe('inviting someone who already has an account', () => {
  it('joins with their own password and keeps their name; a wrong password is 401', async () => {
    const home = await registerOrg(app)
    const admin = await registerOrg(app, 'Second Home')
    const created = await invite(admin, { email: home.email.toUpperCase(), role: 'manager', name: 'Ignored Name' })
    expect(created.statusCode).toBe(201)
    const token = tokenOf(created.data.accept_url)
    expect((await lookup(token)).json.data).toMatchObject({ existing_user: true, role: 'manager' })

    const wrong = await accept({ token, password: 'not my password' })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json.error).toMatchObject({ code: 'invalid_credentials' })
    const res = await accept({ token, name: 'Someone Else', password: PASSWORD })
    expect(res.statusCode).toBe(200)
    expect(res.json.data).toMatchObject({ user: { id: home.userId, name: 'Admin', role: 'manager' }, organization: { id: admin.tenantId } })
    expect((await login(app, home.email, PASSWORD, home.tenantId)).userId).toBe(home.userId)
    expect((await login(app, home.email, PASSWORD, admin.tenantId)).userId).toBe(home.userId)
  })

  it('asks for the second factor when the account has one', async () => {
    const home = await registerOrg(app)
    const setup = await call(app, 'POST', '/api/v1/auth/2fa/setup', { token: home.token })
    const { secret } = setup.json.data as { secret: string }
    await call(app, 'POST', '/api/v1/auth/2fa/enable', { token: home.token, body: { code: authenticator.generate(secret) } })
    const admin = await registerOrg(app)
    const token = tokenOf((await invite(admin, { email: home.email, role: 'agent' })).data.accept_url)
    expect((await accept({ token, password: PASSWORD })).json.error).toMatchObject({ code: 'totp_required' })
    expect((await accept({ token, password: PASSWORD, totp: '000000' })).json.error).toMatchObject({ code: 'invalid_totp' })
    expect((await accept({ token, password: PASSWORD, totp: authenticator.generate(secret) })).statusCode).toBe(200)
  })

  it('counts wrong passwords on accept toward the account lockout, so a link cannot be used to guess', async () => {
    const home = await registerOrg(app)
    const admin = await registerOrg(app)
    const token = tokenOf((await invite(admin, { email: home.email, role: 'agent' })).data.accept_url)
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await accept({ token, password: `guess number ${i}` })).statusCode)
    expect(statuses).toEqual([401, 401, 401, 401, 423])
    expect((await call(app, 'POST', '/api/v1/auth/login', { body: { email: home.email, password: PASSWORD } })).statusCode).toBe(423)
  })

  it('accepts a backup code as the second factor', async () => {
    const home = await registerOrg(app)
    const setup = await call(app, 'POST', '/api/v1/auth/2fa/setup', { token: home.token })
    const { secret } = setup.json.data as { secret: string }
    const codes = (await call(app, 'POST', '/api/v1/auth/2fa/enable', { token: home.token, body: { code: authenticator.generate(secret) } })).json.data as { backup_codes: string[] }
    const admin = await registerOrg(app)
    const token = tokenOf((await invite(admin, { email: home.email, role: 'agent' })).data.accept_url)
    expect((await accept({ token, password: PASSWORD, totp: codes.backup_codes[0] })).statusCode).toBe(200)
  })

  it('reactivates a deactivated member with the invited role', async () => {
    const admin = await registerOrg(app)
    const member = await addMember(app, admin, 'agent')
    await call(app, 'DELETE', `/api/v1/users/${member.userId}`, { token: admin.token })
    const token = tokenOf((await invite(admin, { email: member.email, role: 'viewer' })).data.accept_url)
    const res = await accept({ token, password: PASSWORD })
    expect(res.statusCode).toBe(200)
    expect(res.json.data).toMatchObject({ user: { id: member.userId, role: 'viewer', is_active: true } })
    const row = await withSystem(app.ctx.db, (tx) => tx.selectFrom('memberships').select(['is_active', 'deactivated_at'])
      .where('tenant_id', '=', admin.tenantId).where('user_id', '=', member.userId).execute())
    expect(row).toEqual([{ is_active: true, deactivated_at: null }])
  })
})

describe('managing invitations', () => {
  it('refuses to invite an active member, or twice while one is pending (409), and bad roles or teams (400)', async () => {
    const admin = await registerOrg(app)
    const member = await addMember(app, admin, 'agent')
    const dup = await invite(admin, { email: member.email.toUpperCase(), role: 'agent' })
    expect(dup.statusCode).toBe(409)
    // details[].code tells the two refusals apart without reading the message.
    expect(dup.json.error).toMatchObject({ code: 'conflict', details: [{ field: 'email', code: 'already_member' }] })
    const email = uniqueEmail()
    expect((await invite(admin, { email, role: 'agent' })).statusCode).toBe(201)
    const twice = await invite(admin, { email: email.toUpperCase(), role: 'viewer' })
    expect(twice.statusCode).toBe(409)
    expect(twice.json.error).toMatchObject({ code: 'conflict', details: [{ field: 'email', code: 'pending_invitation' }] })
    const badRole = await invite(admin, { email: uniqueEmail(), role: 'overlord' })
    expect(badRole.json.error).toMatchObject({ code: 'validation_error', details: [{ field: 'role' }] })
    const other = await registerOrg(app)
    const badTeam = await invite(admin, { email: uniqueEmail(), role: 'agent', team_ids: [await makeTeam(other.tenantId)] })
    expect(badTeam.json.error).toMatchObject({ code: 'validation_error', details: [{ field: 'team_ids' }] })
  })

  it('expires after its time (410), and the email can be invited again', async () => {
    const admin = await registerOrg(app)
    const email = uniqueEmail()
    const created = await invite(admin, { email, role: 'agent' })
    const token = tokenOf(created.data.accept_url)
    await withSystem(app.ctx.db, (tx) => tx.updateTable('invitations').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', created.data.id).execute())
    expect((await lookup(token)).statusCode).toBe(410)
    expect((await accept({ token, name: 'Late', password: 'long enough pass' })).statusCode).toBe(410)
    const expired = await call(app, 'GET', '/api/v1/invitations?status=expired', { token: admin.token })
    expect(expired.json.data).toMatchObject([{ id: created.data.id, status: 'expired' }])
    expect((await call(app, 'GET', '/api/v1/invitations?status=pending', { token: admin.token })).json.data).toEqual([])

    const fresh = await invite(admin, { email, role: 'agent' })
    expect(fresh.statusCode).toBe(201)
    expect((await accept({ token: tokenOf(fresh.data.accept_url), name: 'On time', password: 'long enough pass' })).statusCode).toBe(200)
  })

  it('revokes: the link stops working (410); an accepted invitation cannot be revoked (409)', async () => {
    const admin = await registerOrg(app)
    const created = await invite(admin, { email: uniqueEmail(), role: 'agent' })
    const token = tokenOf(created.data.accept_url)
    const revoked = await call(app, 'DELETE', `/api/v1/invitations/${created.data.id}`, { token: admin.token })
    expect(revoked.statusCode).toBe(200)
    expect(revoked.json.data).toMatchObject({ id: created.data.id, status: 'revoked', revoked_at: expect.any(String) })
    expect((await lookup(token)).statusCode).toBe(410)
    expect((await accept({ token, name: 'X', password: 'long enough pass' })).statusCode).toBe(410)
    expect((await call(app, 'POST', `/api/v1/invitations/${created.data.id}/resend`, { token: admin.token })).statusCode).toBe(409)

    const used = await invite(admin, { email: uniqueEmail(), role: 'agent' })
    await accept({ token: tokenOf(used.data.accept_url), name: 'Y', password: 'long enough pass' })
    expect((await call(app, 'DELETE', `/api/v1/invitations/${used.data.id}`, { token: admin.token })).statusCode).toBe(409)
    expect((await call(app, 'POST', `/api/v1/invitations/${used.data.id}/resend`, { token: admin.token })).statusCode).toBe(409)
    const actions = await withSystem(app.ctx.db, (tx) => tx.selectFrom('audit_events').select('action')
      .where('tenant_id', '=', admin.tenantId).where('subject_type', '=', 'invitation').orderBy('created_at').orderBy('id').execute())
    expect(actions.map((a) => a.action)).toEqual(['invitation.created', 'invitation.revoked', 'invitation.created', 'invitation.accepted'])
  })

  it('resends with a new link and expiry; the old link stops working', async () => {
    const admin = await registerOrg(app)
    const email = uniqueEmail()
    const created = await invite(admin, { email, role: 'agent' })
    const oldToken = tokenOf(created.data.accept_url)
    await withSystem(app.ctx.db, (tx) => tx.updateTable('invitations').set({ expires_at: new Date(Date.now() + 60_000) }).where('id', '=', created.data.id).execute())
    const resent = await call(app, 'POST', `/api/v1/invitations/${created.data.id}/resend`, { token: admin.token })
    expect(resent.statusCode).toBe(200)
    const data = resent.json.data as any
    expect(data).toMatchObject({ id: created.data.id, status: 'pending' })
    expect(Date.parse(data.expires_at) - Date.now()).toBeGreaterThan(6.9 * 86400_000)
    expect(data.accept_url).not.toBe(created.data.accept_url)
    expect((await lastMailTo(admin.tenantId, email))?.text).toContain(data.accept_url)
    expect((await lookup(oldToken)).statusCode).toBe(404)
    expect((await accept({ token: oldToken, name: 'Old', password: 'long enough pass' })).statusCode).toBe(404)
    expect((await accept({ token: tokenOf(data.accept_url), name: 'New', password: 'long enough pass' })).statusCode).toBe(200)
  })

  it('lists newest first with a status filter and paging', async () => {
    const admin = await registerOrg(app)
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await invite(admin, { email: uniqueEmail(`list${i}`), role: 'agent' })).data.id)
    await call(app, 'DELETE', `/api/v1/invitations/${ids[0]}`, { token: admin.token })
    const page = await call(app, 'GET', '/api/v1/invitations?limit=2', { token: admin.token })
    expect((page.json.data as any[]).map((i) => i.id)).toEqual([ids[2], ids[1]])
    expect(page.json.meta).toEqual({ page: 1, limit: 2, total: 3 })
    const pending = await call(app, 'GET', '/api/v1/invitations?status=pending', { token: admin.token })
    expect(pending.json.meta).toMatchObject({ total: 2 })
    const revoked = await call(app, 'GET', '/api/v1/invitations?status=revoked', { token: admin.token })
    expect((revoked.json.data as any[]).map((i) => i.id)).toEqual([ids[0]])
    expect((await call(app, 'GET', '/api/v1/invitations?status=lost', { token: admin.token })).statusCode).toBe(400)
  })
})

describe('who may manage invitations', () => {
  let admin: Session
  let invitationId: string
  const roles: Record<string, Session> = {}
  beforeAll(async () => {
    admin = await registerOrg(app)
    for (const role of ['agent', 'viewer', 'customer']) roles[role] = await addMember(app, admin, role)
    invitationId = (await invite(admin, { email: uniqueEmail(), role: 'agent' })).data.id
  })

  const routes = (id: string): Array<[string, string, unknown]> => [
    ['GET', '/api/v1/invitations', undefined],
    ['POST', '/api/v1/invitations', { email: uniqueEmail(), role: 'agent' }],
    ['DELETE', `/api/v1/invitations/${id}`, undefined],
    ['POST', `/api/v1/invitations/${id}/resend`, undefined],
  ]

  it('answers 404 to another organization\'s admin for this organization\'s invitations', async () => {
    const stranger = await registerOrg(app)
    for (const id of [invitationId, randomUUID()]) {
      for (const [method, url] of routes(id).slice(2)) {
        const res = await call(app, method as 'POST', url, { token: stranger.token })
        expect(res.statusCode, `${method} ${url}`).toBe(404)
      }
    }
    expect((await call(app, 'GET', '/api/v1/invitations', { token: stranger.token })).json.data).toEqual([])
    expect((await call(app, 'GET', '/api/v1/invitations?status=pending', { token: admin.token })).json.data).toMatchObject([{ id: invitationId }])
  })

  it('forbids agents, viewers and customers (403) and asks for a token (401)', async () => {
    for (const role of ['agent', 'viewer', 'customer']) {
      for (const [method, url, body] of routes(invitationId)) {
        const res = await call(app, method as 'POST', url, { token: roles[role]!.token, body })
        expect(res.statusCode, `${role} ${method} ${url}`).toBe(403)
      }
    }
    for (const [method, url, body] of routes(invitationId)) {
      expect((await call(app, method as 'POST', url, { body })).statusCode, `${method} ${url}`).toBe(401)
    }
    expect((await call(app, 'GET', '/api/v1/invitations?status=pending', { token: admin.token })).json.data).toMatchObject([{ id: invitationId, status: 'pending' }])
  })

  it('does not let a custom role invite people into a role above its own', async () => {
    const id = uuidv7()
    await withSystem(app.ctx.db, (tx) => tx.insertInto('roles').values({
      tenant_id: admin.tenantId, id, key: 'recruiter', name: 'Recruiter', description: null, kind: 'staff', permissions: ['invitations:manage', 'users:read'], ticket_scope: 'team',
    }).execute())
    const recruiter = await addMember(app, admin, 'recruiter')
    expect((await invite(recruiter, { email: uniqueEmail(), role: 'admin' })).statusCode).toBe(403)
    expect((await invite(recruiter, { email: uniqueEmail(), role: 'customer' })).statusCode).toBe(403)
    expect((await invite(recruiter, { email: uniqueEmail(), role: 'recruiter' })).statusCode).toBe(201)
  })
})

describe('rate limits on the public routes', () => {
  it('limits lookups and accepts per IP (429)', async () => {
    const limited = await createTestApp({ authRateLimitPerMinute: 2 })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 3; i++) statuses.push((await call(limited, 'GET', '/api/v1/invitations/lookup?token=unknown-token-xyz')).statusCode)
      expect(statuses).toEqual([404, 404, 429])
      const body = { token: 'unknown-token-xyz', name: 'x', password: 'long enough pass' }
      for (let i = 0; i < 2; i++) await call(limited, 'POST', '/api/v1/invitations/accept', { body })
      const res = await call(limited, 'POST', '/api/v1/invitations/accept', { body })
      expect(res.statusCode).toBe(429)
      expect(res.headers['retry-after']).toBeDefined()
    } finally {
      await limited.close()
    }
  })
})
