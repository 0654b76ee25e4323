import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { authorize } from '../../platform/auth/actor.js'
import { sha256 } from '../../platform/auth/crypto.js'
import { tenantTx } from '../../platform/context.js'
import type { Tx } from '../../platform/db/schema.js'
import { isUniqueViolation, notFound } from '../../platform/errors.js'
import { Envelope, IdParams, ListEnvelope, errors, ok, okList } from '../../platform/http.js'
import { loadIdentity } from '../auth/identity.js'
import { AuthResult } from '../auth/schemas.js'
import { acceptInvitation, lookupInvitation } from './accept-invitation.js'
import { createInvitation, pendingConflict, resendInvitation, revokeInvitation, type IssuedInvitation } from './manage-invitations.js'
import { InvitationSchema, presentInvitation, selectInvitations, statusCondition } from './present.js'
import { AcceptBody, CreateInvitationBody, InvitationWithLink, ListInvitationsQuery, LookupQuery, LookupResult } from './schemas.js'

const tags = ['invitations']

async function loadInvitation(tx: Tx, tenantId: string, id: string) {
  const row = await selectInvitations(tx, tenantId).where('i.id', '=', id).executeTakeFirst()
  if (!row) throw notFound('Invitation')
  return presentInvitation(row)
}

async function withLink(tx: Tx, tenantId: string, issued: IssuedInvitation) {
  return { ...await loadInvitation(tx, tenantId, issued.id), accept_url: issued.acceptUrl }
}

const invitationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app
  const limitIp = (req: FastifyRequest, bucket: string) => ctx.limiter.hit(`${bucket}:ip:${req.ip}`, ctx.config.authRateLimitPerMinute, 60_000)

  app.get('/invitations', {
    config: { permission: ['invitations:manage'] },
    schema: { tags, summary: 'Invitations, newest first', querystring: ListInvitationsQuery, response: { 200: ListEnvelope(InvitationSchema), ...errors(400, 401, 403) } },
  }, async (req) => {
    const actor = authorize(req, 'invitations:manage')
    const page = req.query.page ?? 1
    const limit = req.query.limit ?? 25
    const status = req.query.status
    const { rows, total } = await tenantTx(ctx, actor, async (tx) => {
      let q = selectInvitations(tx, actor.tenantId)
      if (status) q = q.where(statusCondition(status))
      // created_at alone, so invitations_list (tenant_id, created_at DESC) serves the page: an id
      // tie-breaker forces a sort of every invitation (each is made in its own transaction anyway).
      const found = await q.orderBy('i.created_at', 'desc').limit(limit).offset((page - 1) * limit).execute()
      const counted = await selectInvitations(tx, actor.tenantId).clearSelect()
        .$if(status !== undefined, (qb) => qb.where(statusCondition(status!)))
        .select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow()
      return { rows: found, total: Number(counted.total) }
    })
    return okList(rows.map(presentInvitation), { page, limit, total })
  })

  app.post('/invitations', {
    config: { permission: ['invitations:manage'] },
    schema: {
      tags, summary: 'Invite someone by email (a 7-day, single-use link is mailed to them)',
      body: CreateInvitationBody, response: { 201: Envelope(InvitationWithLink), ...errors(400, 401, 403, 409) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'invitations:manage')
    let created
    try {
      created = await tenantTx(ctx, actor, async (tx) => withLink(tx, actor.tenantId, await createInvitation(ctx, tx, actor, req.body, req.ip)))
    } catch (error) {
      // Two invitations for the same email at the same moment: the partial unique index decides.
      if (isUniqueViolation(error)) throw pendingConflict()
      throw error
    }
    ctx.outbox.nudge()
    reply.status(201)
    return ok(created)
  })

  app.delete('/invitations/:id', {
    config: { permission: ['invitations:manage'] },
    schema: { tags, summary: 'Revoke an invitation (its link stops working)', params: IdParams, response: { 200: Envelope(InvitationSchema), ...errors(400, 401, 403, 404, 409) } },
  }, async (req) => {
    const actor = authorize(req, 'invitations:manage')
    return ok(await tenantTx(ctx, actor, async (tx) => {
      await revokeInvitation(tx, actor, req.params.id, req.ip)
      return loadInvitation(tx, actor.tenantId, req.params.id)
    }))
  })

  app.post('/invitations/:id/resend', {
    config: { permission: ['invitations:manage'] },
    schema: {
      tags, summary: 'Mail the invitation again with a new link and 7 more days (the old link stops working)',
      params: IdParams, response: { 200: Envelope(InvitationWithLink), ...errors(400, 401, 403, 404, 409, 429) },
    },
  }, async (req) => {
    const actor = authorize(req, 'invitations:manage')
    await ctx.limiter.hit(`invite-resend:${req.params.id}`, 5, 3600_000)
    const resent = await tenantTx(ctx, actor, async (tx) => withLink(tx, actor.tenantId, await resendInvitation(ctx, tx, actor, req.params.id, req.ip)))
    ctx.outbox.nudge()
    return ok(resent)
  })

  app.get('/invitations/lookup', {
    config: { public: true },
    schema: {
      tags, summary: 'What an invitation link is for (public: the accept page)', security: [],
      querystring: LookupQuery, response: { 200: Envelope(LookupResult), ...errors(400, 404, 410, 429) },
    },
  }, async (req) => {
    await limitIp(req, 'invite-lookup')
    return ok(await lookupInvitation(ctx, req.query.token))
  })

  app.post('/invitations/accept', {
    config: { public: true },
    schema: {
      tags, summary: 'Accept an invitation and sign in (public; new accounts give a name and password)', security: [],
      body: AcceptBody, response: { 200: Envelope(AuthResult), ...errors(400, 401, 404, 409, 410, 423, 429) },
    },
  }, async (req) => {
    await limitIp(req, 'invite-accept')
    // Per link too: one link cannot be used to guess an existing account's password.
    await ctx.limiter.hit(`invite-accept:token:${sha256(req.body.token)}`, 10, 15 * 60_000)
    const result = await acceptInvitation(ctx, req.body, { ip: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null })
    const identity = await loadIdentity(ctx, result.userId, result.tenantId)
    return ok({ ...identity, access_token: result.access_token, refresh_token: result.refresh_token, expires_in: result.expires_in, token_type: result.token_type })
  })
}

export default invitationRoutes
