import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { sql } from 'kysely'
import { Type } from 'typebox'
import { requireUser } from '../../platform/auth/actor.js'
import { hashPassword, sha256, verifyPassword } from '../../platform/auth/crypto.js'
import { withSystem } from '../../platform/db/tenant.js'
import { AppError, notFound } from '../../platform/errors.js'
import { Envelope, IdParams, OkEnvelope, errors, ok } from '../../platform/http.js'
import { isValidTimeZone } from '../organizations/create-organization.js'
import { loadIdentity } from './identity.js'
import { login, register, type SignedIn } from './login.js'
import { requestPasswordReset, resetPassword } from './password-reset.js'
import {
  AuthResult, ChangePasswordBody, ForgotBody, LoginBody, MeResult, ProfileBody, RefreshBody, RegisterBody,
  ResetBody, SessionSchema, SwitchBody, TwoFactorDisableBody, TwoFactorEnableBody, TwoFactorSetup,
} from './schemas.js'
import { revokeAllSessions, revokeSession, rotateRefreshToken, switchSession, type ClientInfo } from './sessions.js'
import { disableTwoFactor, enableTwoFactor, setupTwoFactor } from './two-factor.js'

const tags = ['auth']

function client(req: FastifyRequest): ClientInfo {
  return { ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null }
}

const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app
  const perMinute = ctx.config.authRateLimitPerMinute
  const limitIp = (req: FastifyRequest, bucket: string) => ctx.limiter.hit(`${bucket}:ip:${req.ip}`, perMinute, 60_000)

  ctx.outbox.on('mail.send', async (event) => {
    const p = event.payload as { to: string; subject: string; text: string; html?: string }
    await ctx.mailer.send(p)
  })

  async function respond(result: SignedIn) {
    const identity = await loadIdentity(ctx, result.userId, result.tenantId)
    return ok({ ...identity, access_token: result.access_token, refresh_token: result.refresh_token, expires_in: result.expires_in, token_type: result.token_type })
  }

  app.post('/auth/register', {
    config: { public: true },
    schema: { tags, summary: 'Create an organization and its first admin', security: [], body: RegisterBody, response: { 201: Envelope(AuthResult), ...errors(400, 409, 429) } },
  }, async (req, reply) => {
    await limitIp(req, 'register')
    const result = await register(ctx, req.body, client(req))
    reply.status(201)
    return respond(result)
  })

  app.post('/auth/login', {
    config: { public: true },
    schema: { tags, summary: 'Sign in with email and password (and a TOTP or backup code when enrolled)', security: [], body: LoginBody, response: { 200: Envelope(AuthResult), ...errors(400, 401, 403, 423, 429) } },
  }, async (req) => {
    await limitIp(req, 'login')
    await ctx.limiter.hit(`login:account:${sha256(req.body.email.trim().toLowerCase())}`, perMinute, 60_000)
    return respond(await login(ctx, req.body, client(req)))
  })

  app.post('/auth/refresh', {
    config: { public: true },
    schema: { tags, summary: 'Trade a refresh token for a new pair (single use; reuse ends the session)', security: [], body: RefreshBody, response: { 200: Envelope(AuthResult), ...errors(400, 401, 429) } },
  }, async (req) => {
    await limitIp(req, 'refresh')
    const { pair, userId, tenantId } = await rotateRefreshToken(ctx, req.body.refresh_token)
    return respond({ ...pair, userId, tenantId })
  })

  app.post('/auth/logout', {
    config: { user: true },
    schema: { tags, summary: 'End the current session (the access token and its refresh tokens stop working)', response: { 200: OkEnvelope, ...errors(401) } },
  }, async (req) => {
    const actor = requireUser(req)
    await withSystem(ctx.db, (tx) => revokeSession(tx, actor.userId, actor.sessionId, 'logout'))
    return ok({ ok: true })
  })

  app.get('/auth/me', {
    config: { user: true },
    schema: { tags, summary: 'Who I am, my organization, role and other organizations', response: { 200: Envelope(MeResult), ...errors(401) } },
  }, async (req) => {
    const actor = requireUser(req)
    const identity = await loadIdentity(ctx, actor.userId, actor.tenantId)
    const organizations = await withSystem(ctx.db, (tx) =>
      tx.selectFrom('memberships as m').innerJoin('organizations as o', 'o.id', 'm.tenant_id')
        .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'm.tenant_id').onRef('r.id', '=', 'm.role_id'))
        .select(['o.id', 'o.name', 'o.slug', 'r.key as role'])
        .where('m.user_id', '=', actor.userId).where('m.is_active', '=', true).orderBy('o.name').execute())
    const r = actor.role
    return ok({
      ...identity,
      role: { key: r.key, name: r.name, kind: r.kind, ticket_scope: r.ticketScope, permissions: [...r.permissions].sort() },
      organizations,
    })
  })

  app.patch('/auth/me', {
    config: { user: true },
    schema: { tags, summary: 'Edit my profile (name, language, time zone, avatar)', body: ProfileBody, response: { 200: Envelope(MeResult.properties.user), ...errors(400, 401) } },
  }, async (req) => {
    const actor = requireUser(req)
    const b = req.body
    if (b.time_zone && !isValidTimeZone(b.time_zone)) throw new AppError('validation_error', 'time_zone: unknown time zone', [{ field: 'time_zone', message: 'is not a known IANA time zone' }])
    if (b.name !== undefined && !b.name.trim()) throw new AppError('validation_error', 'name: must not be blank', [{ field: 'name', message: 'must not be blank', code: 'required' }])
    await withSystem(ctx.db, (tx) => tx.updateTable('users').set({
      ...(b.name !== undefined ? { name: b.name.trim() } : {}),
      ...(b.locale !== undefined ? { locale: b.locale } : {}),
      // No zone is null (the organization's): the body's type coercion turns a JSON null sent for
      // this string-or-null field into "", so an empty zone is stored as null too.
      ...(b.time_zone !== undefined ? { time_zone: b.time_zone || null } : {}),
      ...(b.avatar_url !== undefined ? { avatar_url: b.avatar_url } : {}),
      updated_at: sql`now()`,
    }).where('id', '=', actor.userId).execute())
    return ok((await loadIdentity(ctx, actor.userId, actor.tenantId)).user)
  })

  app.post('/auth/change-password', {
    config: { user: true },
    schema: { tags, summary: 'Change my password; other sessions are ended', body: ChangePasswordBody, response: { 200: OkEnvelope, ...errors(400, 401, 429) } },
  }, async (req) => {
    const actor = requireUser(req)
    await ctx.limiter.hit(`change-password:user:${actor.userId}`, 10, 60_000)
    const user = await withSystem(ctx.db, (tx) => tx.selectFrom('users').select('password_hash').where('id', '=', actor.userId).executeTakeFirstOrThrow())
    if (!(await verifyPassword(req.body.current_password, user.password_hash))) {
      throw new AppError('invalid_credentials', 'The current password is not correct.', [{ field: 'current_password', message: 'is not correct' }])
    }
    const hash = await hashPassword(req.body.new_password)
    await withSystem(ctx.db, async (tx) => {
      await tx.updateTable('users').set({ password_hash: hash, password_changed_at: sql`now()`, updated_at: sql`now()` }).where('id', '=', actor.userId).execute()
      await revokeAllSessions(tx, actor.userId, 'password_changed', { exceptSessionId: actor.sessionId })
    })
    return ok({ ok: true })
  })

  app.post('/auth/switch', {
    config: { user: true },
    schema: { tags, summary: 'Switch the session to another of my organizations', body: SwitchBody, response: { 200: Envelope(AuthResult), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = requireUser(req)
    const pair = await switchSession(ctx, actor.sessionId, actor.userId, req.body.organization_id)
    return respond({ ...pair, userId: actor.userId, tenantId: req.body.organization_id })
  })

  app.post('/auth/forgot-password', {
    config: { public: true },
    schema: { tags, summary: 'Email a password reset link (answers the same for unknown emails)', security: [], body: ForgotBody, response: { 200: OkEnvelope, ...errors(400, 429) } },
  }, async (req) => {
    await limitIp(req, 'forgot')
    await ctx.limiter.hit(`forgot:account:${sha256(req.body.email.trim().toLowerCase())}`, 5, 15 * 60_000)
    await requestPasswordReset(ctx, req.body.email)
    return ok({ ok: true })
  })

  app.post('/auth/reset-password', {
    config: { public: true },
    schema: { tags, summary: 'Set a new password with a reset token (single use, 1 hour)', security: [], body: ResetBody, response: { 200: OkEnvelope, ...errors(400, 410, 429) } },
  }, async (req) => {
    await limitIp(req, 'reset')
    await resetPassword(ctx, req.body.token, req.body.password)
    return ok({ ok: true })
  })

  app.get('/auth/sessions', {
    config: { user: true },
    schema: { tags, summary: 'My active sessions', response: { 200: Envelope(Type.Array(SessionSchema)), ...errors(401) } },
  }, async (req) => {
    const actor = requireUser(req)
    const rows = await withSystem(ctx.db, (tx) => tx.selectFrom('sessions')
      .select(['id', 'tenant_id', 'user_agent', 'ip', 'created_at', 'last_used_at', 'expires_at'])
      .where('user_id', '=', actor.userId).where('revoked_at', 'is', null).where('expires_at', '>', sql<string>`now()`)
      .orderBy('last_used_at', 'desc').limit(100).execute())
    return ok(rows.map((s) => ({ ...s, organization_id: s.tenant_id, current: s.id === actor.sessionId })))
  })

  app.delete('/auth/sessions/:id', {
    config: { user: true },
    schema: { tags, summary: 'Sign out one of my sessions', params: IdParams, response: { 200: OkEnvelope, ...errors(401, 404) } },
  }, async (req) => {
    const actor = requireUser(req)
    const done = await withSystem(ctx.db, (tx) => revokeSession(tx, actor.userId, req.params.id, 'revoked_by_user'))
    if (!done) throw notFound('Session')
    return ok({ ok: true })
  })

  app.post('/auth/2fa/setup', {
    config: { user: true },
    schema: { tags, summary: 'Start TOTP enrolment', response: { 200: Envelope(TwoFactorSetup), ...errors(401, 409) } },
  }, async (req) => ok(await setupTwoFactor(ctx, requireUser(req).userId)))

  app.post('/auth/2fa/enable', {
    config: { user: true },
    schema: { tags, summary: 'Confirm TOTP enrolment with a code; returns backup codes once', body: TwoFactorEnableBody, response: { 200: Envelope(Type.Object({ backup_codes: Type.Array(Type.String()) })), ...errors(400, 401, 409) } },
  }, async (req) => {
    const actor = requireUser(req)
    await ctx.limiter.hit(`2fa:user:${actor.userId}`, 10, 60_000)
    return ok({ backup_codes: await enableTwoFactor(ctx, actor.userId, req.body.code) })
  })

  app.post('/auth/2fa/disable', {
    config: { user: true },
    schema: { tags, summary: 'Turn TOTP off (password required)', body: TwoFactorDisableBody, response: { 200: OkEnvelope, ...errors(400, 401) } },
  }, async (req) => {
    const actor = requireUser(req)
    await ctx.limiter.hit(`2fa:user:${actor.userId}`, 10, 60_000)
    await disableTwoFactor(ctx, actor.userId, req.body.password)
    return ok({ ok: true })
  })
}

export default authRoutes
