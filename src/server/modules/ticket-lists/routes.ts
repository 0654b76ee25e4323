import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { authorize, type Actor } from '../../platform/auth/actor.js'
import { tenantRead, tenantTx } from '../../platform/context.js'
import type { Tx } from '../../platform/db/schema.js'
import { invalid } from '../../platform/errors.js'
import { Envelope, IdParams, ListEnvelope, OkEnvelope, errors, ok, okList } from '../../platform/http.js'
import { internalTicketFieldKeys, presentTicket, TicketSchema, type TicketRow } from '../tickets/present.js'
import { isCustomer } from '../tickets/visibility.js'
import { parseTicketFilters, type TicketFilters } from './filters.js'
import { listTickets, type ListResult } from './list-tickets.js'
import { createView, deleteView, listViews, loadView, presentView, updateView, viewFilters, viewSort } from './saved-views.js'
import { bulkTickets } from './bulk-tickets.js'
import {
  BulkBody, BulkResultSchema, CreateViewBody, ListTicketsQuery, NON_FILTER_KEYS, SearchResultSchema, SearchTicketsQuery, StatsQuery, StatsSchema,
  UpdateViewBody, ViewSchema, ViewTicketsQuery,
} from './schemas.js'
import { searchTickets } from './search-tickets.js'
import { DEFAULT_SORT } from './sorting.js'
import { ticketStats } from './ticket-stats.js'

const tags = ['tickets']
const viewTags = ['views']

/** The filter keys of a validated query string. */
function filtersOf(query: object): TicketFilters {
  const raw: Record<string, unknown> = { ...query }
  for (const key of NON_FILTER_KEYS) delete raw[key]
  return parseTicketFilters(raw)
}

async function present(tx: Tx, actor: Actor, rows: TicketRow[]) {
  const internal = isCustomer(actor) ? await internalTicketFieldKeys(tx) : new Set<string>()
  return rows.map((r) => presentTicket(r, actor, internal))
}

const ticketListRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app

  app.get('/tickets', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags,
      summary: 'Tickets the caller may see, filtered and sorted; page/limit with a total, or cursor= for keyset pages',
      description: 'Filters: status, status_category, priority, source and tag take repeated keys or comma lists; cf.<key>=<value> matches a custom field.',
      querystring: ListTicketsQuery,
      response: { 200: ListEnvelope(TicketSchema), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    const q = req.query
    const filters = filtersOf(q)
    const { data, meta } = await tenantRead(ctx, actor, async (tx) => {
      const result: ListResult = await listTickets(tx, actor, { filters, sort: q.sort ?? DEFAULT_SORT, limit: q.limit ?? 25, page: q.page, cursor: q.cursor })
      return { data: await present(tx, actor, result.rows), meta: result.meta }
    })
    return okList(data, meta)
  })

  app.get('/tickets/search', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags,
      summary: 'Full-text search over subjects, descriptions and comments (internal notes only for those who may read them), ranked, with highlighted snippets',
      querystring: SearchTicketsQuery,
      response: { 200: ListEnvelope(SearchResultSchema), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    const q = req.query.q.trim()
    if (!q) throw invalid('q', 'must not be blank')
    const filters = filtersOf(req.query)
    const page = req.query.page ?? 1
    const limit = req.query.limit ?? 25
    // A transaction, for searchTickets' SET LOCAL.
    const { data, total } = await tenantTx(ctx, actor, async (tx) => {
      const { hits, total } = await searchTickets(tx, actor, { q, filters, page, limit })
      const tickets = await present(tx, actor, hits.map((h) => h.row))
      return { data: tickets.map((t, i) => ({ ...t, highlight: hits[i]!.highlight })), total }
    })
    return okList(data, { page, limit, total })
  })

  app.get('/tickets/stats', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags,
      summary: 'Counts of the tickets the caller may see: by status, priority and assignee, open, overdue (takes the list filters)',
      querystring: StatsQuery,
      response: { 200: Envelope(StatsSchema), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    const filters = filtersOf(req.query)
    return ok(await tenantRead(ctx, actor, (tx) => ticketStats(tx, actor, filters)))
  })

  app.post('/tickets/bulk', {
    config: { permission: ['tickets:update'] },
    schema: {
      tags,
      summary: 'Update, close, delete (tickets:delete) or assign (tickets:assign) up to 100 tickets; each succeeds or fails on its own',
      description: 'Answers 200 with one result per id. A ticket the caller cannot see fails with not_found; the others go ahead.',
      body: BulkBody,
      response: { 200: Envelope(BulkResultSchema), ...errors(400, 401, 403) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:update')
    const result = await tenantTx(ctx, actor, (tx) => bulkTickets(tx, actor, req.body, req.ip))
    if (result.succeeded) ctx.outbox.nudge()
    return ok(result)
  })

  app.get('/views', {
    config: { permission: ['tickets:read'] },
    schema: { tags: viewTags, summary: 'Shared views and the caller\'s own, in order, each with the number of tickets in it now', response: { 200: Envelope(Type.Array(ViewSchema)), ...errors(401, 403) } },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    return ok(await tenantTx(ctx, actor, (tx) => listViews(tx, actor)))
  })

  app.post('/views', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags: viewTags,
      summary: 'Save a view: filters as the query keys of GET /tickets, checked the same way; shared views need settings:manage',
      body: CreateViewBody,
      response: { 201: Envelope(ViewSchema), ...errors(400, 401, 403) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'tickets:read')
    const view = await tenantTx(ctx, actor, (tx) => createView(tx, actor, req.body))
    reply.status(201)
    return ok(view)
  })

  app.get('/views/:id', {
    config: { permission: ['tickets:read'] },
    schema: { tags: viewTags, summary: 'A view with its live count', params: IdParams, response: { 200: Envelope(ViewSchema), ...errors(400, 401, 403, 404) } },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    return ok(await tenantTx(ctx, actor, async (tx) => presentView(tx, actor, await loadView(tx, actor, req.params.id))))
  })

  app.patch('/views/:id', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags: viewTags,
      summary: 'Rename, move or re-filter a view (one\'s own; shared ones need settings:manage; default views only rename and move: 409)',
      params: IdParams, body: UpdateViewBody,
      response: { 200: Envelope(ViewSchema), ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    return ok(await tenantTx(ctx, actor, (tx) => updateView(tx, actor, req.params.id, req.body)))
  })

  app.delete('/views/:id', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags: viewTags,
      summary: 'Delete a view (one\'s own; shared ones need settings:manage; default views: 409)',
      params: IdParams, response: { 200: OkEnvelope, ...errors(400, 401, 403, 404, 409) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    await tenantTx(ctx, actor, (tx) => deleteView(tx, actor, req.params.id))
    return ok({ ok: true })
  })

  app.get('/views/:id/tickets', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags: viewTags,
      summary: 'The tickets of a view, in its sort (assignee "me" is the caller); page/limit or cursor like GET /tickets',
      params: IdParams, querystring: ViewTicketsQuery,
      response: { 200: ListEnvelope(TicketSchema), ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const actor = authorize(req, 'tickets:read')
    const { page, limit, cursor } = req.query
    const { data, meta } = await tenantRead(ctx, actor, async (tx) => {
      const view = await loadView(tx, actor, req.params.id)
      const result = await listTickets(tx, actor, { filters: viewFilters(view), sort: viewSort(view), limit: limit ?? 25, page, cursor })
      return { data: await present(tx, actor, result.rows), meta: result.meta }
    })
    return okList(data, meta)
  })
}

export default ticketListRoutes
