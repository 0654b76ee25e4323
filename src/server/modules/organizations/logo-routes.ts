import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'kysely'
import { Type } from 'typebox'
import { authorize } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import { tenantTx } from '../../platform/context.js'
import { withSystem } from '../../platform/db/tenant.js'
import { AppError, notFound } from '../../platform/errors.js'
import { sniffImage } from '../../platform/files.js'
import { Envelope, Obj, errors, ok } from '../../platform/http.js'
import { BrandingSchema, OrganizationSchema, presentBranding, presentOrganization } from './present.js'

const tags = ['organization']
const LOGO_LIMIT = 512 * 1024
const SlugParams = Obj({ slug: Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$' }) })

/**
 * The organization's logo (upload, remove, public download) and its public branding, which the
 * sign-in page and the customer portal show before anyone signs in.
 */
const logoRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app
  for (const type of ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'application/octet-stream']) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: LOGO_LIMIT }, (_req, body, done) => done(null, body))
  }

  app.put('/organization/logo', {
    bodyLimit: LOGO_LIMIT,
    config: { permission: ['organization:manage'] },
    schema: {
      tags, summary: 'Upload the logo: the raw image as the body (PNG, JPEG, WebP or GIF, at most 512 KB; the type is read from the bytes)',
      consumes: ['image/png', 'image/jpeg', 'image/webp', 'image/gif'],
      response: { 200: Envelope(OrganizationSchema), ...errors(400, 401, 403, 413, 415) },
    },
  }, async (req) => {
    const actor = authorize(req, 'organization:manage')
    const data = req.body
    if (!Buffer.isBuffer(data) || data.length === 0) throw new AppError('validation_error', 'Send the image bytes as the request body.', [{ field: 'body', message: 'is empty' }])
    const type = sniffImage(data)
    if (!type) throw new AppError('unsupported_media_type', 'The logo must be a PNG, JPEG, WebP or GIF image.')
    const key = await ctx.files.put(data)
    const row = await tenantTx(ctx, actor, async (tx) => {
      const updated = await tx.updateTable('organizations')
        .set({ branding: sql`branding || ${JSON.stringify({ logo_file: { key, type } })}::jsonb`, updated_at: sql`now()` })
        .where('id', '=', actor.tenantId).returningAll().executeTakeFirstOrThrow()
      await recordAudit(tx, actor, 'organization.logo_changed', 'organization', actor.tenantId, { type, bytes: data.length }, req.ip)
      return updated
    })
    return ok(presentOrganization(row))
  })

  app.delete('/organization/logo', {
    config: { permission: ['organization:manage'] },
    schema: { tags, summary: 'Remove the uploaded logo', response: { 200: Envelope(OrganizationSchema), ...errors(401, 403) } },
  }, async (req) => {
    const actor = authorize(req, 'organization:manage')
    const row = await tenantTx(ctx, actor, async (tx) => {
      const updated = await tx.updateTable('organizations')
        .set({ branding: sql`branding - 'logo_file'`, updated_at: sql`now()` })
        .where('id', '=', actor.tenantId).returningAll().executeTakeFirstOrThrow()
      await recordAudit(tx, actor, 'organization.logo_removed', 'organization', actor.tenantId, {}, req.ip)
      return updated
    })
    return ok(presentOrganization(row))
  })

  app.get('/public/organizations/:slug', {
    config: { public: true },
    schema: {
      tags, summary: 'Public branding of an organization (name and colors) for its sign-in page and portal', security: [], params: SlugParams,
      response: { 200: Envelope(Type.Object({ name: Type.String(), slug: Type.String(), branding: BrandingSchema })), ...errors(404) },
    },
  }, async (req) => {
    const org = await withSystem(ctx.db, (tx) => tx.selectFrom('organizations').select(['name', 'slug', 'branding']).where('slug', '=', req.params.slug).executeTakeFirst())
    if (!org) throw notFound('Organization')
    return ok({ name: org.name, slug: org.slug, branding: presentBranding(org) })
  })

  app.get('/public/organizations/:slug/logo', {
    config: { public: true },
    schema: { tags, summary: 'The organization logo image', security: [], params: SlugParams, response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...errors(404) } },
  }, async (req, reply) => {
    const org = await withSystem(ctx.db, (tx) => tx.selectFrom('organizations').select(['branding']).where('slug', '=', req.params.slug).executeTakeFirst())
    const file = org?.branding?.logo_file
    const data = file ? await ctx.files.get(file.key) : null
    if (!file || !data) throw notFound('Logo')
    reply.header('cache-control', 'public, max-age=300')
    reply.header('content-security-policy', "default-src 'none'")
    reply.header('content-disposition', 'inline; filename="logo"')
    return reply.type(file.type).send(data)
  })
}

export default logoRoutes
