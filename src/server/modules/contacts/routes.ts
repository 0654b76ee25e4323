import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { authorize } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import { invalid } from '../../platform/errors.js'
import { Envelope, IdParams, ListEnvelope, OkEnvelope, errors, ok, okList } from '../../platform/http.js'
import { TicketSchema } from '../tickets/present.js'
import { exportContacts } from './csv/export-contacts.js'
import { CsvDownload, acceptCsv, csvBody, sendCsv, today } from './csv/http-csv.js'
import { importContacts } from './csv/import-contacts.js'
import { findDuplicateContacts } from './duplicates.js'
import { listContacts } from './list-contacts.js'
import { createContact, deleteContact, getContact, updateContact } from './manage-contacts.js'
import { mergeContacts, previewContactMerge } from './merge-contacts.js'
import { noteRoutes } from './note-routes.js'
import { grantPortalAccess } from './portal-access.js'
import {
  ContactSchema, CreateContactBody, DuplicateGroupSchema, DuplicatesQuery, ImportResultSchema, ListContactsQuery, MergeBody,
  MergePreviewQuery, MergePreviewSchema, MergeResultSchema, PageOnlyQuery, UpdateContactBody,
} from './schemas.js'
import { listTimeline } from './ticket-timeline.js'

const tags = ['contacts']

const contactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app
  acceptCsv(app)

  app.get('/contacts', {
    config: { permission: ['contacts:read'] },
    schema: {
      tags, summary: 'Contacts with their company, filtered (q on name and email, company_id, tag, is_vip, is_blocked, custom_fields.<key>, created_after/before) and sorted',
      querystring: ListContactsQuery, response: { 200: ListEnvelope(ContactSchema), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const actor = authorize(req, 'contacts:read')
    const { contacts, total, page, limit } = await tenantTx(ctx, actor, (tx) => listContacts(tx, req.query))
    return okList(contacts, { page, limit, total })
  })

  app.post('/contacts', {
    config: { permission: ['contacts:manage'] },
    schema: {
      tags, summary: 'Create a contact (email unique per organization; without a company it joins the one listing its email domain)',
      body: CreateContactBody, response: { 201: Envelope(ContactSchema), ...errors(400, 401, 403, 409, 422) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'contacts:manage')
    const contact = await tenantTx(ctx, actor, (tx) => createContact(tx, actor, req.body, req.ip))
    reply.status(201)
    return ok(contact)
  })

  app.get('/contacts/duplicates', {
    config: { permission: ['contacts:read'] },
    schema: {
      tags, summary: 'Groups of likely duplicate contacts: same phone, same name in the same company, or similar names in the same company or email domain',
      querystring: DuplicatesQuery, response: { 200: Envelope(Type.Array(DuplicateGroupSchema)), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const actor = authorize(req, 'contacts:read')
    return ok(await tenantTx(ctx, actor, (tx) => findDuplicateContacts(tx, req.query.limit ?? 25)))
  })

  app.get('/contacts/export', {
    config: { permission: ['contacts:read'] },
    schema: { tags, summary: 'All contacts as CSV, in the columns the import reads', response: { 200: CsvDownload, ...errors(401, 403) } },
  }, async (req, reply) => {
    const actor = authorize(req, 'contacts:read')
    return sendCsv(reply, `contacts-${today()}.csv`, exportContacts(ctx.db, actor))
  })

  app.post('/contacts/import', {
    config: { permission: ['contacts:manage'] },
    schema: {
      tags, consumes: ['text/csv'],
      summary: 'Import contacts from a CSV body (upsert by email); rows that fail are listed with their line and the rest imported',
      response: { 200: Envelope(ImportResultSchema), ...errors(400, 401, 403, 413, 415) },
    },
  }, async (req) => {
    const actor = authorize(req, 'contacts:manage')
    return ok(await importContacts(ctx.db, actor, csvBody(req), { ip: req.ip }))
  })

  app.get('/contacts/:id', {
    config: { permission: ['contacts:read'] },
    schema: { tags, summary: 'One contact', params: IdParams, response: { 200: Envelope(ContactSchema), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'contacts:read')
    return ok(await tenantTx(ctx, actor, (tx) => getContact(tx, req.params.id)))
  })

  app.patch('/contacts/:id', {
    config: { permission: ['contacts:manage'] },
    schema: { tags, summary: 'Change a contact (partial)', params: IdParams, body: UpdateContactBody, response: { 200: Envelope(ContactSchema), ...errors(400, 401, 403, 404, 409, 422) } },
  }, async (req) => {
    const actor = authorize(req, 'contacts:manage')
    return ok(await tenantTx(ctx, actor, (tx) => updateContact(tx, actor, req.params.id, req.body, req.ip)))
  })

  app.delete('/contacts/:id', {
    config: { permission: ['contacts:manage'] },
    schema: { tags, summary: 'Delete a contact (soft: its tickets keep it as requester)', params: IdParams, response: { 200: OkEnvelope, ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'contacts:manage')
    await tenantTx(ctx, actor, (tx) => deleteContact(tx, actor, req.params.id, req.ip))
    return ok({ ok: true })
  })

  app.get('/contacts/:id/tickets', {
    config: { permission: ['contacts:read', 'tickets:read'] },
    schema: { tags, summary: "The contact's tickets that the caller may see, newest first", params: IdParams, querystring: PageOnlyQuery, response: { 200: ListEnvelope(TicketSchema), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'contacts:read', 'tickets:read')
    const page = req.query.page ?? 1
    const limit = req.query.limit ?? 25
    const { tickets, total } = await tenantTx(ctx, actor, async (tx) => {
      await getContact(tx, req.params.id)
      return listTimeline(tx, actor, { requesterId: req.params.id }, page, limit)
    })
    return okList(tickets, { page, limit, total })
  })

  app.post('/contacts/:id/portal-access', {
    config: { permission: ['users:manage'] },
    schema: {
      tags, summary: 'Make the contact a customer user of the portal (a new person is mailed a link to choose a password)',
      params: IdParams, response: { 200: Envelope(ContactSchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'users:manage')
    const { contact } = await tenantTx(ctx, actor, (tx) => grantPortalAccess(ctx, tx, actor, req.params.id, req.ip))
    ctx.outbox.nudge()
    return ok(contact)
  })

  app.get('/contacts/:id/merge-preview', {
    config: { permission: ['contacts:read'] },
    schema: {
      tags, summary: 'What merging the contacts in source_ids (comma-separated) into this one gives under each strategy, and what would move',
      params: IdParams, querystring: MergePreviewQuery, response: { 200: Envelope(MergePreviewSchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'contacts:read')
    return ok(await tenantTx(ctx, actor, async (tx) => {
      const sourceIds = req.query.source_ids?.split(',') ?? []
      await getContact(tx, req.params.id)
      if (!sourceIds.length) throw invalid('source_ids', 'is required: the contacts to merge into this one, comma-separated')
      return previewContactMerge(tx, req.params.id, sourceIds)
    }))
  })

  app.post('/contacts/:id/merge', {
    config: { permission: ['contacts:manage'] },
    schema: {
      tags, summary: 'Merge contacts into this one (keep_primary, prefer_newest or prefer_complete); their tickets and notes move here',
      params: IdParams, body: MergeBody, response: { 200: Envelope(MergeResultSchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'contacts:manage')
    return ok(await tenantTx(ctx, actor, (tx) => mergeContacts(tx, actor, req.params.id, req.body, req.ip)))
  })

  await app.register(noteRoutes('contact'))
}

export default contactRoutes
