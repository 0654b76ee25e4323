import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { sha256 } from '../../platform/auth/crypto.js'
import { withSystem } from '../../platform/db/tenant.js'
import { notFound } from '../../platform/errors.js'
import { Email, Envelope, Obj, Password, errors, ok } from '../../platform/http.js'
import { loadIdentity } from '../auth/identity.js'
import { AuthResult } from '../auth/schemas.js'
import { BrandingSchema, presentBranding } from '../organizations/present.js'
import { requestSignup, signupOpen, verifySignup } from './signup.js'

const tags = ['portal']
const SlugParams = Obj({ slug: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$' }) })

const PortalInfo = Type.Object({
  name: Type.String(),
  slug: Type.String(),
  branding: BrandingSchema,
  /** Whether customers may create their own account here. */
  signup_open: Type.Boolean(),
})

const SignupBody = Obj({
  name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  email: Email,
  password: Password,
  locale: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('es'), Type.Literal('fr'), Type.Literal('de')])),
})

const VerifyResult = Type.Object({
  /** `signed_in`: a new account, signed in (`session`); `sign_in_required`: the address already had an account, which now has portal access — sign in with its own password. */
  status: Type.Union([Type.Literal('signed_in'), Type.Literal('sign_in_required')]),
  organization: Type.Object({ name: Type.String(), slug: Type.String() }),
  session: Type.Optional(AuthResult),
})

/**
 * The customer portal's public side: an organization's portal page (name, branding, whether it
 * takes sign-ups) and customer self sign-up with a mailed confirmation link.
 */
const portalRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app
  const perMinute = ctx.config.authRateLimitPerMinute
  const client = (req: FastifyRequest) => ({ ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null })

  app.get('/portal/:slug', {
    config: { public: true },
    schema: { tags, summary: 'An organization’s portal: name, branding and whether customers may sign up', security: [], params: SlugParams, response: { 200: Envelope(PortalInfo), ...errors(400, 404) } },
  }, async (req) => {
    const org = await withSystem(ctx.db, (tx) => tx.selectFrom('organizations').select(['name', 'slug', 'branding', 'settings']).where('slug', '=', req.params.slug).executeTakeFirst())
    if (!org) throw notFound('Organization')
    return ok({ name: org.name, slug: org.slug, branding: presentBranding(org), signup_open: signupOpen(org.settings) })
  })

  app.post('/portal/:slug/signup', {
    config: { public: true },
    schema: {
      tags, summary: 'Sign up as a customer: mails a confirmation link (the same answer whether or not the address has an account)', security: [],
      params: SlugParams, body: SignupBody, response: { 202: Envelope(Type.Object({ status: Type.Literal('confirmation_sent') })), ...errors(400, 403, 404, 429) },
    },
  }, async (req, reply) => {
    await ctx.limiter.hit(`portal-signup:ip:${req.ip}`, perMinute, 60_000)
    // A few mails per address per hour at most, whoever asks: the form cannot be used to flood an inbox.
    await ctx.limiter.hit(`portal-signup:email:${sha256(req.body.email.trim().toLowerCase())}`, 3, 3600_000)
    await requestSignup(ctx, req.params.slug, req.body)
    reply.status(202)
    return ok({ status: 'confirmation_sent' as const })
  })

  app.post('/portal/verify', {
    config: { public: true },
    schema: {
      tags, summary: 'Open a sign-up confirmation link: creates the customer account and signs in (or, for an existing account, grants access)', security: [],
      body: Obj({ token: Type.String({ minLength: 10, maxLength: 200 }) }), response: { 200: Envelope(VerifyResult), ...errors(400, 409, 410, 429) },
    },
  }, async (req) => {
    await ctx.limiter.hit(`portal-verify:ip:${req.ip}`, perMinute, 60_000)
    const outcome = await verifySignup(ctx, req.body.token, client(req))
    const tenantId = outcome.status === 'signed_in' ? outcome.session.tenantId : outcome.tenantId
    const org = await withSystem(ctx.db, (tx) => tx.selectFrom('organizations').select(['name', 'slug']).where('id', '=', tenantId).executeTakeFirstOrThrow())
    if (outcome.status === 'sign_in_required') return ok({ status: outcome.status, organization: org })
    const s = outcome.session
    const identity = await loadIdentity(ctx, s.userId, s.tenantId)
    return ok({
      status: outcome.status, organization: org,
      session: { ...identity, access_token: s.access_token, refresh_token: s.refresh_token, expires_in: s.expires_in, token_type: s.token_type },
    })
  })
}

export default portalRoutes
