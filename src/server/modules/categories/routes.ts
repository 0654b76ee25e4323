import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { authorize } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import { Envelope, IdParams, errors, ok } from '../../platform/http.js'
import { isCustomer } from '../tickets/visibility.js'
import { createCategory, deleteCategory, updateCategory } from './manage-categories.js'
import { categoryTree, flatten } from './present.js'
import { CategorySchema, CreateCategoryBody, DeleteCategoryQuery, DeleteCategoryResult, ListCategoriesQuery, UpdateCategoryBody, isOn } from './schemas.js'

const tags = ['ticket categories']

const categoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.get('/ticket-categories', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags,
      summary: 'Ticket categories: a flat list, each parent before its sub-categories, with parent_id and depth; ?tree=1 nests them under children. '
        + 'Customers see active categories only.',
      querystring: ListCategoriesQuery,
      response: { 200: Envelope(Type.Array(CategorySchema)), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    const tree = await tenantTx(ctx, actor, (tx) => categoryTree(tx, { customer: isCustomer(actor) }))
    return ok(isOn(req.query.tree) ? tree : flatten(tree))
  })

  app.post('/ticket-categories', {
    config: { permission: ['settings:manage'] },
    schema: {
      tags,
      summary: 'Add a category, at the top level or under a parent (names unique among siblings in any letter case: 409)',
      body: CreateCategoryBody,
      response: { 201: Envelope(CategorySchema), ...errors(400, 401, 403, 409) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'settings:manage')
    const category = await tenantTx(ctx, actor, (tx) => createCategory(tx, actor, req.body, req.ip))
    reply.status(201)
    return ok(category)
  })

  app.patch('/ticket-categories/:id', {
    config: { permission: ['settings:manage'] },
    schema: {
      tags,
      summary: 'Rename, move, reorder or (de)activate a category (under itself: 400; under its own sub-category: 409; a sibling\'s name: 409)',
      params: IdParams, body: UpdateCategoryBody,
      response: { 200: Envelope(CategorySchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'settings:manage')
    return ok(await tenantTx(ctx, actor, (tx) => updateCategory(tx, actor, req.params.id, req.body, req.ip)))
  })

  app.delete('/ticket-categories/:id', {
    config: { permission: ['settings:manage'] },
    schema: {
      tags,
      summary: 'Delete a category: its sub-categories move up a level; tickets in it move to ?replace_with (recorded in their history), else 409 with the count',
      params: IdParams, querystring: DeleteCategoryQuery,
      response: { 200: Envelope(DeleteCategoryResult), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'settings:manage')
    return ok(await tenantTx(ctx, actor, (tx) => deleteCategory(tx, actor, req.params.id, req.query.replace_with, req.ip)))
  })
}

export default categoryRoutes
