import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'kysely'
import { Type } from 'typebox'
import { authorize, requireUser } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import { withSystem } from '../../platform/db/tenant.js'
import { AppError, isUniqueViolation } from '../../platform/errors.js'
import { Envelope, Obj, errors, ok } from '../../platform/http.js'
import { recordAudit } from '../../platform/audit.js'
import { loadIdentity } from '../auth/identity.js'
import { AuthResult, NewOrganizationBody } from '../auth/schemas.js'
import { switchSession } from '../auth/sessions.js'
import { createOrganization, isValidTimeZone } from './create-organization.js'
import logoRoutes from './logo-routes.js'
import { OrganizationSchema, presentOrganization } from './present.js'

const tags = ['organization']
const Color = Type.String({ pattern: '^#[0-9a-fA-F]{6}$' })

const UpdateOrganizationBody = Obj({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  slug: Type.Optional(Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$' })),
  time_zone: Type.Optional(Type.String({ maxLength: 64 })),
  locale: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('es'), Type.Literal('fr'), Type.Literal('de')])),
  ticket_prefix: Type.Optional(Type.String({ pattern: '^[A-Z][A-Z0-9]{0,9}$' })),
  branding: Type.Optional(Obj({
    primary_color: Type.Optional(Color),
    accent_color: Type.Optional(Color),
    logo_url: Type.Optional(Type.Union([Type.String({ format: 'uri', maxLength: 2000, pattern: '^https://' }), Type.Null()])),
  })),
  settings: Type.Optional(Obj({
    agent_ticket_scope: Type.Optional(Type.Union([Type.Literal('team'), Type.Literal('all')])),
    customers_see_company_tickets: Type.Optional(Type.Boolean()),
    portal_signup: Type.Optional(Type.Boolean({ description: 'Customers may create their own portal account (on unless turned off)' })),
  })),
})

const organizationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app
  await app.register(logoRoutes)

  app.get('/organization', {
    config: { permission: ['organization:read'] },
    schema: { tags, summary: 'The current organization', response: { 200: Envelope(OrganizationSchema), ...errors(401, 403) } },
  }, async (req) => {
    const actor = authorize(req, 'organization:read')
    const row = await tenantTx(ctx, actor, (tx) => tx.selectFrom('organizations').selectAll().where('id', '=', actor.tenantId).executeTakeFirstOrThrow())
    return ok(presentOrganization(row))
  })

  app.patch('/organization', {
    config: { permission: ['organization:manage'] },
    schema: { tags, summary: 'Edit organization profile, branding and settings (admin)', body: UpdateOrganizationBody, response: { 200: Envelope(OrganizationSchema), ...errors(400, 401, 403, 409) } },
  }, async (req) => {
    const actor = authorize(req, 'organization:manage')
    const b = req.body
    if (b.time_zone !== undefined && !isValidTimeZone(b.time_zone)) {
      throw new AppError('validation_error', 'time_zone: unknown time zone', [{ field: 'time_zone', message: 'is not a known IANA time zone' }])
    }
    const row = await tenantTx(ctx, actor, async (tx) => {
      const current = await tx.selectFrom('organizations').selectAll().where('id', '=', actor.tenantId).forUpdate().executeTakeFirstOrThrow()
      // Another organization's slug is invisible here (RLS); its unique index still answers.
      const updated = await tx.updateTable('organizations').set({
        ...(b.name !== undefined ? { name: b.name.trim() } : {}),
        ...(b.slug !== undefined ? { slug: b.slug } : {}),
        ...(b.time_zone !== undefined ? { time_zone: b.time_zone } : {}),
        ...(b.locale !== undefined ? { locale: b.locale } : {}),
        ...(b.ticket_prefix !== undefined ? { ticket_prefix: b.ticket_prefix } : {}),
        ...(b.branding ? { branding: JSON.stringify({ ...current.branding, ...b.branding }) } : {}),
        ...(b.settings ? { settings: JSON.stringify({ ...current.settings, ...b.settings }) } : {}),
        updated_at: sql`now()`,
      }).where('id', '=', actor.tenantId).returningAll().executeTakeFirstOrThrow().catch((error: unknown) => {
        if (isUniqueViolation(error)) throw new AppError('slug_taken', undefined, [{ field: 'slug', message: 'is already taken' }])
        throw error
      })
      await recordAudit(tx, actor, 'organization.updated', 'organization', actor.tenantId, { fields: Object.keys(b) }, req.ip)
      return updated
    })
    return ok(presentOrganization(row))
  })

  app.post('/organizations', {
    config: { user: true },
    schema: { tags, summary: 'Create another organization; I become its admin and the session switches to it', body: NewOrganizationBody, response: { 201: Envelope(AuthResult), ...errors(400, 401, 409, 429) } },
  }, async (req, reply) => {
    const actor = requireUser(req)
    await ctx.limiter.hit(`create-org:user:${actor.userId}`, 10, 3600_000)
    if (req.body.time_zone !== undefined && !isValidTimeZone(req.body.time_zone)) {
      throw new AppError('validation_error', 'time_zone: unknown time zone', [{ field: 'time_zone', message: 'is not a known IANA time zone' }])
    }
    const org = await withSystem(ctx.db, (tx) => createOrganization(tx, {
      name: req.body.name.trim(), ownerUserId: actor.userId,
      ...(req.body.slug ? { slug: req.body.slug } : {}), ...(req.body.time_zone ? { timeZone: req.body.time_zone } : {}),
    }))
    const pair = await switchSession(ctx, actor.sessionId, actor.userId, org.id)
    reply.status(201)
    return ok({ ...(await loadIdentity(ctx, actor.userId, org.id)), ...pair })
  })
}

export default organizationRoutes
