import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { authorize } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import { Envelope, IdParams, errors, ok } from '../../platform/http.js'
import { createApiKey, listApiKeys, revokeApiKey } from './commands.js'
import { ApiKeySchema, CreateApiKeyBody, CreatedApiKeySchema } from './schemas.js'

const tags = ['api-keys']

const apiKeyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.get('/api-keys', {
    config: { permission: ['api_keys:manage'] },
    schema: { tags, summary: 'The organization\'s API keys, newest first (never the key itself)', response: { 200: Envelope(Type.Array(ApiKeySchema)), ...errors(401, 403) } },
  }, async (req) => {
    const actor = authorize(req, 'api_keys:manage')
    return ok(await tenantTx(ctx, actor, (tx) => listApiKeys(tx)))
  })

  app.post('/api-keys', {
    config: { permission: ['api_keys:manage'] },
    schema: {
      tags,
      summary: 'Create an API key acting as a staff role (default agent); the response is the only time the key is shown',
      body: CreateApiKeyBody, response: { 201: Envelope(CreatedApiKeySchema), ...errors(400, 401, 403) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'api_keys:manage')
    const created = await tenantTx(ctx, actor, (tx) => createApiKey(tx, actor, req.body, req.ip))
    reply.status(201)
    return ok(created)
  })

  app.delete('/api-keys/:id', {
    config: { permission: ['api_keys:manage'] },
    schema: { tags, summary: 'Revoke an API key; it stops working at once', params: IdParams, response: { 200: Envelope(ApiKeySchema), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'api_keys:manage')
    return ok(await tenantTx(ctx, actor, (tx) => revokeApiKey(tx, actor, req.params.id, req.ip)))
  })
}

export default apiKeyRoutes
