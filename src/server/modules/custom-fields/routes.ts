import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { authorize, can } from '../../platform/auth/actor.js'
import type { CustomFieldEntity } from '../../platform/db/schema.js'
import { tenantTx } from '../../platform/context.js'
import { AppError } from '../../platform/errors.js'
import { Envelope, IdParams, errors, ok } from '../../platform/http.js'
import { isCustomer } from '../tickets/visibility.js'
import { createField, deleteField, updateField } from './manage-fields.js'
import { listFields } from './present.js'
import { CreateFieldBody, CustomFieldSchema, DeleteFieldQuery, DeleteFieldResult, ListFieldsQuery, UpdateFieldBody, isOn } from './schemas.js'

const tags = ['custom fields']

const customFieldRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.get('/custom-fields', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags,
      summary: 'Custom field definitions in form order. Ticket fields need tickets:read, contact and company fields also contacts:read '
        + '(without `entity`: every entity the caller may read). Customers get active, non-internal ticket fields only.',
      querystring: ListFieldsQuery,
      response: { 200: Envelope(Type.Array(CustomFieldSchema)), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    const customer = isCustomer(actor)
    const readsContacts = !customer && can(actor, 'contacts:read')
    let entities: CustomFieldEntity[]
    if (req.query.entity) {
      if (req.query.entity !== 'ticket' && !readsContacts) throw new AppError('forbidden', 'This needs the contacts:read permission.')
      entities = [req.query.entity]
    } else {
      entities = readsContacts ? ['ticket', 'contact', 'company'] : ['ticket']
    }
    const active = req.query.active === undefined ? undefined : isOn(req.query.active)
    return ok(await tenantTx(ctx, actor, (tx) => listFields(tx, { entities, active, customer })))
  })

  app.post('/custom-fields', {
    config: { permission: ['settings:manage'] },
    schema: {
      tags,
      summary: 'Define a custom field for tickets, contacts or companies (key derived from the label when absent, unique per entity: 409; '
        + 'select and multiselect need options with unique values, other types take none)',
      body: CreateFieldBody,
      response: { 201: Envelope(CustomFieldSchema), ...errors(400, 401, 403, 409) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'settings:manage')
    const field = await tenantTx(ctx, actor, (tx) => createField(tx, actor, req.body, req.ip))
    reply.status(201)
    return ok(field)
  })

  app.patch('/custom-fields/:id', {
    config: { permission: ['settings:manage'] },
    schema: {
      tags,
      summary: 'Edit a field definition. entity, key and type cannot change (400). Removing an option that records hold leaves their '
        + 'stored values as they are; new writes must use a current option.',
      params: IdParams, body: UpdateFieldBody,
      response: { 200: Envelope(CustomFieldSchema), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const actor = authorize(req, 'settings:manage')
    return ok(await tenantTx(ctx, actor, (tx) => updateField(tx, actor, req.params.id, req.body, req.ip)))
  })

  app.delete('/custom-fields/:id', {
    config: { permission: ['settings:manage'] },
    schema: {
      tags,
      summary: 'Deactivate a field (values kept); with ?purge=1 remove its key from every record and delete the definition',
      params: IdParams, querystring: DeleteFieldQuery,
      response: { 200: Envelope(DeleteFieldResult), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const actor = authorize(req, 'settings:manage')
    return ok(await tenantTx(ctx, actor, (tx) => deleteField(tx, actor, req.params.id, isOn(req.query.purge), req.ip)))
  })
}

export default customFieldRoutes
