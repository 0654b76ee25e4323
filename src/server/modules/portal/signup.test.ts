import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { withSystem } from '../../platform/db/tenant.js'
import { addMember, call, createTestApp, PASSWORD, registerOrg, uniqueEmail, type Session } from '../../../../test/helpers.js'

let app: App
let admin: Session
let slug = ''
beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  slug = (await withSystem(app.ctx.db, (tx) => tx.selectFrom('organizations').select('slug').where('id', '=', admin.tenantId).executeTakeFirstOrThrow())).slug
})
afterAll(async () => { await app.close() })

async function signUp(email: string, password = 'a brand new password', name = 'Casey Customer') {
  return call(app, 'POST', `/api/v1/portal/${slug}/signup`, { body: { name, email, password } })
}
/** The token of the newest confirmation mail to this address. */
async function mailedToken(email: string): Promise<string> {
  await app.ctx.outbox.drain({ tenantId: admin.tenantId })
  const mail = app.ctx.mailer.recent.filter((m) => m.to === email).at(-1)
  expect(mail, `a confirmation mail to ${email}`).toBeDefined()
  const link = /https?:\/\/\S+\/portal\/verify\?token=(\S+)/.exec(mail!.text)
  expect(link).not.toBeNull()
  return decodeURIComponent(link![1]!)
}
const verify = (token: string) => call(app, 'POST', '/api/v1/portal/verify', { body: { token } })
const loginStatus = async (email: string, password: string) =>
  (await call(app, 'POST', '/api/v1/auth/login', { body: { email, password, organization: slug } })).statusCode

describe('portal sign-up', () => {
  it('shows the portal page with branding and whether sign-up is open; unknown or malformed addresses are 404/400', async () => {
    const page = await call(app, 'GET', `/api/v1/portal/${slug}`)
    expect(page.statusCode).toBe(200)
    expect(page.json.data).toMatchObject({ slug, signup_open: true, branding: expect.any(Object) })
    expect((await call(app, 'GET', '/api/v1/portal/no-such-org-here')).statusCode).toBe(404)
    expect((await call(app, 'GET', '/api/v1/portal/Not_A_Slug')).statusCode).toBe(400)
  })

  it('creates nothing until the mailed link is opened; then the customer is signed in and sees tickets sent earlier from that address', async () => {
    const email = uniqueEmail('casey')
    // Staff opened a ticket for this address before the customer ever signed up.
    const earlier = await call(app, 'POST', '/api/v1/tickets', { token: admin.token, body: { subject: 'Order 1142 never arrived', requester: { email, name: 'Casey' } } })
    expect(earlier.statusCode).toBe(201)

    const res = await signUp(email)
    expect(res.statusCode, res.body).toBe(202)
    expect(res.json.data).toEqual({ status: 'confirmation_sent' })
    expect(await loginStatus(email, 'a brand new password')).toBe(401)

    const token = await mailedToken(email)
    const opened = await verify(token)
    expect(opened.statusCode, opened.body).toBe(200)
    const data = opened.json.data as any
    expect(data).toMatchObject({ status: 'signed_in', organization: { slug }, session: { user: { email, role: 'customer' } } })
    const mine = await call(app, 'GET', '/api/v1/tickets', { token: data.session.access_token })
    expect((mine.json.data as any[]).map((t) => t.id)).toEqual([(earlier.json.data as any).id])
    expect(await loginStatus(email, 'a brand new password')).toBe(200)

    // The link works once.
    const again = await verify(token)
    expect(again.statusCode).toBe(410)
    expect((again.json as any).error.code).toBe('gone')
  })

  it('never changes an existing account: it keeps its password, gains portal access and is asked to sign in', async () => {
    const other = await registerOrg(app)
    const agent = await addMember(app, other, 'agent')
    const res = await signUp(agent.email, 'an attacker chosen password')
    expect(res.statusCode).toBe(202)
    const opened = await verify(await mailedToken(agent.email))
    expect(opened.statusCode, opened.body).toBe(200)
    expect(opened.json.data).toMatchObject({ status: 'sign_in_required', organization: { slug } })
    expect((opened.json.data as any).session).toBeUndefined()
    expect(await loginStatus(agent.email, 'an attacker chosen password')).toBe(401)
    const signedIn = await call(app, 'POST', '/api/v1/auth/login', { body: { email: agent.email, password: PASSWORD, organization: slug } })
    expect(signedIn.statusCode).toBe(200)
    expect((signedIn.json.data as any).user.role).toBe('customer')
  })

  it('keeps a deactivated member out (409) and refuses a link past its 24 hours (410)', async () => {
    const customer = await addMember(app, admin, 'customer')
    expect((await call(app, 'DELETE', `/api/v1/users/${customer.userId}`, { token: admin.token })).statusCode).toBeLessThan(300)
    await signUp(customer.email)
    const refused = await verify(await mailedToken(customer.email))
    expect(refused.statusCode).toBe(409)

    const late = uniqueEmail('late')
    await signUp(late)
    const token = await mailedToken(late)
    await withSystem(app.ctx.db, (tx) => tx.updateTable('portal_signups').set({ expires_at: sql`now() - interval '1 minute'` }).where(sql`lower(email)`, '=', late).execute())
    expect((await verify(token)).statusCode).toBe(410)
    expect(await loginStatus(late, 'a brand new password')).toBe(401)
  })

  it('is refused when the organization turns sign-up off', async () => {
    const patched = await call(app, 'PATCH', '/api/v1/organization', { token: admin.token, body: { settings: { portal_signup: false } } })
    expect(patched.statusCode, patched.body).toBe(200)
    expect((await call(app, 'GET', `/api/v1/portal/${slug}`)).json.data).toMatchObject({ signup_open: false })
    const res = await signUp(uniqueEmail('closed'))
    expect(res.statusCode).toBe(403)
    expect((res.json as any).error.code).toBe('forbidden')
    await call(app, 'PATCH', '/api/v1/organization', { token: admin.token, body: { settings: { portal_signup: true } } })
  })

  it('answers bad input with 400 and limits mails per address', async () => {
    for (const body of [{ name: 'X', email: 'not-an-email', password: 'long enough password' }, { name: 'X', email: uniqueEmail(), password: 'short' }, { name: '   ', email: uniqueEmail(), password: 'long enough password' }]) {
      const res = await call(app, 'POST', `/api/v1/portal/${slug}/signup`, { body })
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
      expect((res.json as any).error.code).toBe('validation_error')
    }
    expect((await verify('short')).statusCode).toBe(400)
    expect((await verify('x'.repeat(43))).statusCode).toBe(410)
    const flooded = uniqueEmail('flood')
    const codes = []
    for (let i = 0; i < 4; i++) codes.push((await signUp(flooded)).statusCode)
    expect(codes).toEqual([202, 202, 202, 429])
  })
})
