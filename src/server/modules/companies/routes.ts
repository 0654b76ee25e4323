import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { authorize } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import { Envelope, IdParams, ListEnvelope, OkEnvelope, errors, ok, okList } from '../../platform/http.js'
import { CsvDownload, acceptCsv, csvBody, sendCsv, today } from '../contacts/csv/http-csv.js'
import { noteRoutes } from '../contacts/note-routes.js'
import { ContactSchema, ImportResultSchema, PageOnlyQuery, flag } from '../contacts/schemas.js'
import { listTimeline } from '../contacts/ticket-timeline.js'
import { TicketSchema } from '../tickets/present.js'
import { exportCompanies, importCompanies } from './csv.js'
import { listCompanies, listCompanyContacts } from './list-companies.js'
import { createCompany, deleteCompany, getCompany, updateCompany } from './manage-companies.js'
import { mergeCompanies } from './merge-companies.js'
import { AssignQuery, CompanyMergeBody, CompanyMergeResultSchema, CompanySchema, CreateCompanyBody, ListCompaniesQuery, UpdateCompanyBody } from './schemas.js'

const tags = ['companies']

const companyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app
  acceptCsv(app)

  app.get('/companies', {
    config: { permission: ['contacts:read'] },
    schema: {
      tags, summary: 'Companies with parent, contact count and open ticket count, filtered (q, domain, tag, parent_id, custom_fields.<key>) and sorted',
      querystring: ListCompaniesQuery, response: { 200: ListEnvelope(CompanySchema), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const actor = authorize(req, 'contacts:read')
    const { companies, total, page, limit } = await tenantTx(ctx, actor, (tx) => listCompanies(tx, req.query))
    return okList(companies, { page, limit, total })
  })

  app.post('/companies', {
    config: { permission: ['contacts:manage'] },
    schema: {
      tags, summary: 'Create a company (domains unique per organization; ?assign_contacts=1 moves existing contacts of its domains to it)',
      querystring: AssignQuery, body: CreateCompanyBody, response: { 201: Envelope(CompanySchema), ...errors(400, 401, 403, 409, 422) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'contacts:manage')
    const company = await tenantTx(ctx, actor, (tx) => createCompany(tx, actor, req.body, { assignContacts: flag(req.query.assign_contacts), ip: req.ip }))
    reply.status(201)
    return ok(company)
  })

  app.get('/companies/export', {
    config: { permission: ['contacts:read'] },
    schema: { tags, summary: 'All companies as CSV, in the columns the import reads', response: { 200: CsvDownload, ...errors(401, 403) } },
  }, async (req, reply) => {
    const actor = authorize(req, 'contacts:read')
    return sendCsv(reply, `companies-${today()}.csv`, exportCompanies(ctx.db, actor))
  })

  app.post('/companies/import', {
    config: { permission: ['contacts:manage'] },
    schema: {
      tags, consumes: ['text/csv'],
      summary: 'Import companies from a CSV body (upsert by domain, then name); rows that fail are listed with their line and the rest imported',
      response: { 200: Envelope(ImportResultSchema), ...errors(400, 401, 403, 413, 415) },
    },
  }, async (req) => {
    const actor = authorize(req, 'contacts:manage')
    return ok(await importCompanies(ctx.db, actor, csvBody(req), { ip: req.ip }))
  })

  app.get('/companies/:id', {
    config: { permission: ['contacts:read'] },
    schema: { tags, summary: 'One company', params: IdParams, response: { 200: Envelope(CompanySchema), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'contacts:read')
    return ok(await tenantTx(ctx, actor, (tx) => getCompany(tx, req.params.id)))
  })

  app.patch('/companies/:id', {
    config: { permission: ['contacts:manage'] },
    schema: {
      tags, summary: 'Change a company (partial; under itself: 400, under its own subsidiary: 409; ?assign_contacts=1 moves contacts of added domains)',
      params: IdParams, querystring: AssignQuery, body: UpdateCompanyBody, response: { 200: Envelope(CompanySchema), ...errors(400, 401, 403, 404, 409, 422) },
    },
  }, async (req) => {
    const actor = authorize(req, 'contacts:manage')
    return ok(await tenantTx(ctx, actor, (tx) => updateCompany(tx, actor, req.params.id, req.body, { assignContacts: flag(req.query.assign_contacts), ip: req.ip })))
  })

  app.delete('/companies/:id', {
    config: { permission: ['contacts:manage'] },
    schema: { tags, summary: 'Delete a company (soft)', params: IdParams, response: { 200: OkEnvelope, ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'contacts:manage')
    await tenantTx(ctx, actor, (tx) => deleteCompany(tx, actor, req.params.id, req.ip))
    return ok({ ok: true })
  })

  app.get('/companies/:id/contacts', {
    config: { permission: ['contacts:read'] },
    schema: { tags, summary: "The company's contacts by name", params: IdParams, querystring: PageOnlyQuery, response: { 200: ListEnvelope(ContactSchema), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'contacts:read')
    const page = req.query.page ?? 1
    const limit = req.query.limit ?? 25
    const { contacts, total } = await tenantTx(ctx, actor, async (tx) => {
      await getCompany(tx, req.params.id)
      return listCompanyContacts(tx, req.params.id, page, limit)
    })
    return okList(contacts, { page, limit, total })
  })

  app.get('/companies/:id/tickets', {
    config: { permission: ['contacts:read', 'tickets:read'] },
    schema: { tags, summary: "The company's tickets that the caller may see, newest first", params: IdParams, querystring: PageOnlyQuery, response: { 200: ListEnvelope(TicketSchema), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'contacts:read', 'tickets:read')
    const page = req.query.page ?? 1
    const limit = req.query.limit ?? 25
    const { tickets, total } = await tenantTx(ctx, actor, async (tx) => {
      await getCompany(tx, req.params.id)
      return listTimeline(tx, actor, { companyId: req.params.id }, page, limit)
    })
    return okList(tickets, { page, limit, total })
  })

  app.post('/companies/:id/merge', {
    config: { permission: ['contacts:manage'] },
    schema: {
      tags, summary: 'Merge companies into this one: domains unioned; contacts, tickets, notes and subsidiaries move here',
      params: IdParams, body: CompanyMergeBody, response: { 200: Envelope(CompanyMergeResultSchema), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const actor = authorize(req, 'contacts:manage')
    return ok(await tenantTx(ctx, actor, (tx) => mergeCompanies(tx, actor, req.params.id, req.body, req.ip)))
  })

  await app.register(noteRoutes('company'))
}

export default companyRoutes
