import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { authorize } from '../../platform/auth/actor.js'
import { hashPassword } from '../../platform/auth/crypto.js'
import { tenantTx } from '../../platform/context.js'
import type { Tx } from '../../platform/db/schema.js'
import { conflict, isUniqueViolation, notFound } from '../../platform/errors.js'
import { Envelope, IdParams, ListEnvelope, errors, ok, okList } from '../../platform/http.js'
import { createUser } from './create-user.js'
import { listUsers } from './list-users.js'
import { presentUser, selectMembers, UserSchema } from './present.js'
import { CreateUserBody, ListUsersQuery, UpdateUserBody, UserDetailSchema } from './schemas.js'
import { listUserTeams } from './team-memberships.js'
import { updateUser } from './update-user.js'

const tags = ['users']

async function loadUser(tx: Tx, tenantId: string, userId: string) {
  const row = await selectMembers(tx).where('m.tenant_id', '=', tenantId).where('m.user_id', '=', userId).executeTakeFirst()
  if (!row) throw notFound('User')
  return presentUser(row)
}

/** Runs a write; a unique violation (two requests adding the same person at once) is a 409. */
async function guarded<T>(work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('This person was just added by another request.', [{ field: 'email', message: 'is already a member', code: 'already_member' }])
    throw error
  }
}

const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.get('/users', {
    config: { permission: ['users:read'] },
    schema: { tags, summary: 'People of the organization: staff and customers', querystring: ListUsersQuery, response: { 200: ListEnvelope(UserSchema), ...errors(400, 401, 403) } },
  }, async (req) => {
    const actor = authorize(req, 'users:read')
    const { rows, total, page, limit } = await tenantTx(ctx, actor, (tx) => listUsers(tx, actor.tenantId, req.query))
    return okList(rows.map(presentUser), { page, limit, total })
  })

  app.post('/users', {
    config: { permission: ['users:manage'] },
    schema: {
      tags, summary: 'Add a person (an email already known to Aidly joins with its own name and password)',
      body: CreateUserBody, response: { 201: Envelope(UserSchema), ...errors(400, 401, 403, 409) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'users:manage')
    const { password, ...rest } = req.body
    const passwordHash = password ? await hashPassword(password) : null
    const user = await guarded(tenantTx(ctx, actor, async (tx) => {
      const userId = await createUser(ctx, tx, actor, { ...rest, passwordHash }, req.ip)
      return loadUser(tx, actor.tenantId, userId)
    }))
    ctx.outbox.nudge()
    reply.status(201)
    return ok(user)
  })

  app.get('/users/:id', {
    config: { permission: ['users:read'] },
    schema: { tags, summary: 'One person, with their teams', params: IdParams, response: { 200: Envelope(UserDetailSchema), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'users:read')
    return ok(await tenantTx(ctx, actor, async (tx) => ({
      ...await loadUser(tx, actor.tenantId, req.params.id),
      teams: await listUserTeams(tx, actor.tenantId, req.params.id),
    })))
  })

  app.patch('/users/:id', {
    config: { permission: ['users:manage'] },
    schema: {
      tags, summary: 'Change role, title, teams or active status (deactivating ends their sessions here)',
      params: IdParams, body: UpdateUserBody, response: { 200: Envelope(UserDetailSchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'users:manage')
    return ok(await tenantTx(ctx, actor, async (tx) => {
      await updateUser(tx, actor, req.params.id, req.body, req.ip)
      return { ...await loadUser(tx, actor.tenantId, req.params.id), teams: await listUserTeams(tx, actor.tenantId, req.params.id) }
    }))
  })

  app.delete('/users/:id', {
    config: { permission: ['users:manage'] },
    schema: {
      tags, summary: 'Deactivate a person (soft: membership and history stay; PATCH is_active to undo)',
      params: IdParams, response: { 200: Envelope(UserSchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'users:manage')
    return ok(await tenantTx(ctx, actor, async (tx) => {
      await updateUser(tx, actor, req.params.id, { is_active: false }, req.ip)
      return loadUser(tx, actor.tenantId, req.params.id)
    }))
  })
}

export default userRoutes
