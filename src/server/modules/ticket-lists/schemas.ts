import { Type, type TSchema } from 'typebox'
import { Obj, Uuid } from '../../platform/http.js'
import { PRIORITIES, TicketSchema } from '../tickets/present.js'
import { CustomFieldFilterProperties, FilterProperties } from './filters.js'
import { SortSchema } from './sorting.js'

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

// No defaults on page: a cursor and a page together are refused, so page must stay absent when not given.
const Page = Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, description: 'Page number (page mode, with meta.total)' }))
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 }))
const Cursor = Type.Optional(Type.String({ maxLength: 400, description: 'Keyset pagination: empty for the first page, then meta.next_cursor (no total)' }))

/** Filters as they appear in a query string or a saved view: known keys plus `cf.<key>`, nothing else. */
const withFilters = <P extends Record<string, TSchema>>(properties: P) =>
  Obj({ ...FilterProperties, ...properties }, { patternProperties: CustomFieldFilterProperties })

export const ListTicketsQuery = withFilters({ sort: Type.Optional(SortSchema), page: Page, limit: Limit, cursor: Cursor })

export const SearchTicketsQuery = withFilters({
  q: Type.String({ minLength: 1, maxLength: 500, description: 'websearch syntax: words, "a phrase", -exclude, or; a ticket number (TKT-000123, #123, 123) puts that ticket first' }),
  page: Page, limit: Limit,
})

export const StatsQuery = withFilters({})

/** Only the filter keys of a parsed query (what the filter parser sees). */
export const NON_FILTER_KEYS = ['sort', 'page', 'limit', 'cursor', 'q'] as const

export const SearchResultSchema = Type.Object({
  ...TicketSchema.properties,
  highlight: Type.Object({
    subject: Type.String({ description: 'The subject as HTML: escaped, matches in <mark>' }),
    excerpt: Nullable(Type.String({ description: 'The best matching passage of the description or a comment, as HTML: escaped, matches in <mark>' })),
    matched_in: Type.Union([Type.Literal('number'), Type.Literal('ticket'), Type.Literal('comment')]),
    comment_id: Nullable(Type.String({ description: 'The comment the excerpt comes from' })),
  }),
})

const Count = Type.Integer({ minimum: 0 })

export const StatsSchema = Type.Object({
  total: Count,
  open: Count,
  overdue: Count,
  unassigned: Count,
  by_status: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), category: Type.String(), color: Type.String(), count: Count })),
  by_priority: Type.Array(Type.Object({ priority: Type.Enum([...PRIORITIES]), count: Count })),
  by_assignee: Type.Array(Type.Object({ id: Nullable(Type.String()), name: Nullable(Type.String()), count: Count })),
})

// --- saved views

const ViewName = Type.String({ minLength: 1, maxLength: 100 })
/**
 * A saved view stores the query keys of GET /tickets, so each filter may also be sent as the text
 * a query string carries ("high,urgent", "true"); parseTicketFilters reads both forms.
 */
export const ViewFilters = Obj(
  Object.fromEntries(Object.entries(FilterProperties).map(([key, schema]) => [key, Type.Optional(Type.Union([schema, Type.String({ maxLength: 2000 })]))])),
  { patternProperties: CustomFieldFilterProperties },
)

export const ViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  filters: Type.Record(Type.String(), Type.Unknown(), { description: 'The query keys of GET /tickets' }),
  sort: Type.String(),
  shared: Type.Boolean({ description: 'Shared with the organization (else personal)' }),
  is_default: Type.Boolean({ description: 'One of the built-in views: may be renamed and reordered, not deleted' }),
  position: Type.Integer(),
  count: Nullable(Type.Integer({ description: 'Tickets the caller sees in this view now (null when the view does not apply to the caller)' })),
  created_at: Type.String(),
  updated_at: Type.String(),
})

export const CreateViewBody = Obj({
  name: ViewName,
  filters: ViewFilters,
  sort: Type.Optional(SortSchema),
  shared: Type.Optional(Type.Boolean({ description: 'Shared views need settings:manage' })),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
})

export const UpdateViewBody = Obj({
  name: Type.Optional(ViewName),
  filters: Type.Optional(ViewFilters),
  sort: Type.Optional(SortSchema),
  position: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
})

export const ViewTicketsQuery = Obj({ page: Page, limit: Limit, cursor: Cursor })

// --- bulk

export const BULK_ACTIONS = ['update', 'close', 'delete', 'assign'] as const

const Tag = Type.String({ minLength: 1, maxLength: 100 })

export const BulkBody = Obj({
  action: Type.Enum([...BULK_ACTIONS]),
  ids: Type.Array(Uuid, { minItems: 1, maxItems: 100, uniqueItems: true }),
  data: Type.Optional(Obj({
    status_id: Type.Optional(Uuid),
    priority: Type.Optional(Type.Enum([...PRIORITIES])),
    assignee_id: Type.Optional(Nullable(Uuid)),
    team_id: Type.Optional(Nullable(Uuid)),
    tags_add: Type.Optional(Type.Array(Tag, { maxItems: 50 })),
    tags_remove: Type.Optional(Type.Array(Tag, { maxItems: 50 })),
  })),
})

export const BulkResultSchema = Type.Object({
  results: Type.Array(Type.Union([
    Type.Object({ id: Type.String(), ok: Type.Literal(true) }),
    Type.Object({ id: Type.String(), ok: Type.Literal(false), error: Type.Object({ code: Type.String(), message: Type.String() }) }),
  ])),
  succeeded: Count,
  failed: Count,
})
