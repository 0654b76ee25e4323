import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { PERMISSIONS } from '../../../shared/permissions.js'
import { authorize } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import { Envelope, IdParams, OkEnvelope, errors, ok } from '../../platform/http.js'
import { createRole, deleteRole, getRole, listRoles, updateRole } from './commands.js'
import { CreateRoleBody, PermissionSchema, RoleSchema, UpdateRoleBody } from './schemas.js'

const tags = ['roles']
const CATALOGUE = Object.entries(PERMISSIONS).map(([key, description]) => ({ key, description }))

const roleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.get('/permissions', {
    config: { permission: ['users:read'] },
    schema: { tags, summary: 'The permission catalogue roles are built from', response: { 200: Envelope(Type.Array(PermissionSchema)), ...errors(401, 403) } },
  }, async (req) => {
    authorize(req, 'users:read')
    return ok(CATALOGUE)
  })

  app.get('/roles', {
    config: { permission: ['users:read'] },
    schema: { tags, summary: 'Built-in and custom roles with their permissions and member counts', response: { 200: Envelope(Type.Array(RoleSchema)), ...errors(401, 403) } },
  }, async (req) => {
    const actor = authorize(req, 'users:read')
    return ok(await tenantTx(ctx, actor, (tx) => listRoles(tx)))
  })

  app.get('/roles/:id', {
    config: { permission: ['users:read'] },
    schema: { tags, summary: 'One role', params: IdParams, response: { 200: Envelope(RoleSchema), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'users:read')
    return ok(await tenantTx(ctx, actor, (tx) => getRole(tx, req.params.id)))
  })

  app.post('/roles', {
    config: { permission: ['roles:manage'] },
    schema: {
      tags,
      summary: 'Define a custom role (key derived from the name when absent; customer roles hold only portal permissions and the "requested" scope)',
      body: CreateRoleBody,
      response: { 201: Envelope(RoleSchema), ...errors(400, 401, 403, 409) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'roles:manage')
    const role = await tenantTx(ctx, actor, (tx) => createRole(tx, actor, req.body, req.ip))
    reply.status(201)
    return ok(role)
  })

  app.patch('/roles/:id', {
    config: { permission: ['roles:manage'] },
    schema: {
      tags,
      summary: 'Edit a custom role (built-in roles are fixed: 409); members get the change on their next request',
      params: IdParams, body: UpdateRoleBody,
      response: { 200: Envelope(RoleSchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'roles:manage')
    return ok(await tenantTx(ctx, actor, (tx) => updateRole(tx, actor, req.params.id, req.body, req.ip)))
  })

  app.delete('/roles/:id', {
    config: { permission: ['roles:manage'] },
    schema: {
      tags,
      summary: 'Delete a custom role that no member, pending invitation or live API key uses (else 409 with the counts)',
      params: IdParams, response: { 200: OkEnvelope, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'roles:manage')
    await tenantTx(ctx, actor, (tx) => deleteRole(tx, actor, req.params.id, req.ip))
    return ok({ ok: true })
  })
}

export default roleRoutes
