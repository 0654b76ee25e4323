import { sql, type Expression, type SqlBool } from 'kysely'
import { Type } from 'typebox'
import { can, type Actor } from '../../platform/auth/actor.js'
import type { CustomFieldType, Priority, StatusCategory, TicketSource, Tx } from '../../platform/db/schema.js'
import { AppError, invalid } from '../../platform/errors.js'
import { Timestamp } from '../../platform/http.js'
import { isUuid } from '../../platform/ids.js'
import { isRealDate } from '../custom-fields/values.js'
import { OPEN_CATEGORIES } from '../tickets/defaults.js'
import { PRIORITIES, SOURCES, STATUS_CATEGORIES } from '../tickets/present.js'
import { isCustomer } from '../tickets/visibility.js'

/**
 * The ticket filter engine shared by the list, search, stats and saved views. Filters are the
 * query keys of `GET /tickets`; a saved view stores exactly those keys, checked by the same
 * `parseTicketFilters`, so a stored view can never hold a filter the list would refuse.
 *
 * Every condition refers to the tickets row as `t` only (statuses and categories through
 * sub-queries), so it fits the id query of a page, a count and the stats aggregate alike; they
 * read `tenant_tickets` (scope.ts) so that tag, custom field and text conditions use their GIN
 * indexes.
 */

const MAX_LIST_ITEMS = 50
const CUSTOM_FIELD_KEY = /^cf\.([a-z][a-z0-9_]{0,49})$/
const CUSTOM_FIELD_PATTERN = '^cf\\.[a-z][a-z0-9_]{0,49}$'

const list = (description: string) => Type.Optional(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: MAX_LIST_ITEMS, description }))
const flag = (description: string) => Type.Optional(Type.Boolean({ description }))

/** The filter keys as query-string properties (each list also accepts a comma-separated value). */
export const FilterProperties = {
  status: list('Status ids'),
  status_category: list(`Status categories: ${STATUS_CATEGORIES.join(', ')}`),
  priority: list(`Priorities: ${PRIORITIES.join(', ')}`),
  assignee: Type.Optional(Type.String({ maxLength: 36, description: '`me`, `none` or a user id' })),
  team: Type.Optional(Type.String({ maxLength: 36, description: '`none` or a team id' })),
  requester_id: Type.Optional(Type.String({ maxLength: 36 })),
  company_id: Type.Optional(Type.String({ maxLength: 36 })),
  tag: list('Tags; a ticket must carry all of them'),
  category_id: Type.Optional(Type.String({ maxLength: 36, description: 'A category; its sub-categories are included' })),
  source: list(`Sources: ${SOURCES.join(', ')}`),
  created_after: Type.Optional(Timestamp),
  created_before: Type.Optional(Timestamp),
  updated_after: Type.Optional(Timestamp),
  updated_before: Type.Optional(Timestamp),
  overdue: flag('Due date passed and the status is not resolved, closed or cancelled (false: the others)'),
  include_deleted: flag('Deleted tickets too (needs tickets:delete)'),
  deleted: Type.Optional(Type.Literal('only', { description: '`only`: the trash (needs tickets:delete)' })),
  spam: flag('true: only spam; false (default): no spam'),
}

/** `cf.<key>=<value>`: custom field equality (a multiselect field matches when it holds the value). */
export const CustomFieldFilterProperties = {
  [CUSTOM_FIELD_PATTERN]: Type.String({ maxLength: 500 }),
}

/** Filters after parsing: lists split and de-duplicated, every value checked. */
export interface TicketFilters {
  status?: string[]
  status_category?: StatusCategory[]
  priority?: Priority[]
  assignee?: string
  team?: string
  requester_id?: string
  company_id?: string
  tag?: string[]
  category_id?: string
  source?: TicketSource[]
  created_after?: string
  created_before?: string
  updated_after?: string
  updated_before?: string
  overdue?: boolean
  include_deleted?: boolean
  deleted?: 'only'
  spam?: boolean
  /** Custom field key → the value as written. */
  cf?: Record<string, string>
}

type ListKey = 'status' | 'status_category' | 'priority' | 'tag' | 'source'

function listValue(field: ListKey, value: unknown, check: (item: string) => boolean, what: string): string[] {
  const raw = Array.isArray(value) ? value : [value]
  const items: string[] = []
  for (const part of raw) {
    if (typeof part !== 'string') throw invalid(field, 'must be a string or a list of strings')
    for (const item of part.split(',')) {
      const trimmed = item.trim()
      if (!trimmed) continue
      if (!check(trimmed)) throw invalid(field, `"${trimmed}" is not ${what}`)
      if (!items.includes(trimmed)) items.push(trimmed)
    }
  }
  if (items.length === 0) throw invalid(field, 'must not be empty')
  if (items.length > MAX_LIST_ITEMS) throw invalid(field, `at most ${MAX_LIST_ITEMS} values`)
  return items
}

function scalar(field: string, value: unknown): string {
  const v = Array.isArray(value) && value.length === 1 ? value[0] : value
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (typeof v !== 'string' || v.trim() === '') throw invalid(field, 'must be a single non-empty value')
  return v.trim()
}

function uuidOf(field: string, value: unknown, also: string[] = []): string {
  const v = scalar(field, value)
  if (also.includes(v)) return v
  if (!isUuid(v)) throw invalid(field, also.length ? `must be ${also.map((a) => `"${a}"`).join(', ')} or an id` : 'must be an id')
  return v.toLowerCase()
}

function booleanOf(field: string, value: unknown): boolean {
  const v = scalar(field, value)
  if (v === 'true') return true
  if (v === 'false') return false
  throw invalid(field, 'must be true or false')
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/i

function dateTimeOf(field: string, value: unknown): string {
  const v = scalar(field, value)
  if (!ISO_DATE_TIME.test(v) || !isRealDate(v.slice(0, 10)) || Number.isNaN(Date.parse(v))) throw invalid(field, 'must be an ISO 8601 date-time with a time zone')
  return new Date(v).toISOString()
}

const oneOf = <T extends string>(values: readonly T[]) => (v: string): v is T => (values as readonly string[]).includes(v)

/**
 * Checks filters given as query keys (from the query string or a saved view's JSON) and returns
 * them in one canonical shape. Keys that are not filters are refused with their name; callers
 * remove their own keys (page, sort, q…) first. Pure: custom fields and permissions are checked
 * against the organization by `ticketFilterConditions`.
 */
export function parseTicketFilters(raw: Record<string, unknown>): TicketFilters {
  const f: TicketFilters = {}
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue
    const cf = CUSTOM_FIELD_KEY.exec(key)
    if (cf) {
      f.cf ??= {}
      f.cf[cf[1]!] = scalar(key, value)
      continue
    }
    switch (key) {
      case 'status': f.status = [...new Set(listValue(key, value, isUuid, 'a status id').map((s) => s.toLowerCase()))]; break
      case 'status_category': f.status_category = listValue(key, value, oneOf(STATUS_CATEGORIES), `one of ${STATUS_CATEGORIES.join(', ')}`) as StatusCategory[]; break
      case 'priority': f.priority = listValue(key, value, oneOf(PRIORITIES), `one of ${PRIORITIES.join(', ')}`) as Priority[]; break
      case 'source': f.source = listValue(key, value, oneOf(SOURCES), `one of ${SOURCES.join(', ')}`) as TicketSource[]; break
      // Tags are stored lowercased.
      case 'tag': f.tag = [...new Set(listValue(key, value, (t) => t.length <= 100, 'a tag of at most 100 characters').map((t) => t.toLowerCase()))]; break
      case 'assignee': f.assignee = uuidOf(key, value, ['me', 'none']); break
      case 'team': f.team = uuidOf(key, value, ['none']); break
      case 'requester_id': case 'company_id': case 'category_id': f[key] = uuidOf(key, value); break
      case 'created_after': case 'created_before': case 'updated_after': case 'updated_before': f[key] = dateTimeOf(key, value); break
      case 'overdue': case 'include_deleted': case 'spam': f[key] = booleanOf(key, value); break
      case 'deleted':
        if (scalar(key, value) !== 'only') throw invalid(key, 'must be "only"')
        f.deleted = 'only'
        break
      default:
        throw invalid(key, 'is not a known filter')
    }
  }
  return f
}

/** Filters back as query keys (how a saved view stores them). */
export function filtersToQuery(f: TicketFilters): Record<string, unknown> {
  const { cf, ...rest } = f
  const out: Record<string, unknown> = { ...rest }
  for (const [key, value] of Object.entries(cf ?? {})) out[`cf.${key}`] = value
  return out
}

const values = (items: readonly string[]) => sql.join(items.map((i) => sql.val(i)))

interface FieldDef { key: string; type: CustomFieldType; is_internal: boolean }

function customFieldValue(def: FieldDef, text: string): unknown {
  const field = `cf.${def.key}`
  switch (def.type) {
    case 'number': {
      const n = Number(text)
      if (text.trim() === '' || !Number.isFinite(n)) throw invalid(field, 'must be a number')
      return n
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw invalid(field, 'must be true or false')
      return text === 'true'
    case 'date':
      if (!isRealDate(text)) throw invalid(field, 'must be a real date written YYYY-MM-DD')
      return text
    case 'multiselect':
      return [text]
    default:
      return text
  }
}

/**
 * The SQL conditions for checked filters, for the actor: deleted tickets only for those who may
 * delete, spam and teams only for staff, internal custom fields never for customers (answered
 * like an unknown field, so their names do not leak). Visibility is not included: callers add
 * `visibleTo(actor)` next to these.
 */
export async function ticketFilterConditions(tx: Tx, actor: Actor, f: TicketFilters): Promise<Expression<SqlBool>[]> {
  const where: Expression<SqlBool>[] = []
  if (f.deleted === 'only' || f.include_deleted) {
    if (!can(actor, 'tickets:delete')) throw new AppError('forbidden', 'Deleted tickets need the tickets:delete permission.')
  }
  if (f.deleted === 'only') where.push(sql<SqlBool>`t.deleted_at IS NOT NULL`)
  else if (!f.include_deleted) where.push(sql<SqlBool>`t.deleted_at IS NULL`)

  if (f.spam && isCustomer(actor)) throw new AppError('forbidden', 'Spam is only listed for staff.')
  where.push(f.spam ? sql<SqlBool>`t.is_spam` : sql<SqlBool>`NOT t.is_spam`)

  if (f.status) where.push(sql<SqlBool>`t.status_id IN (${values(f.status)})`)
  if (f.status_category) {
    where.push(sql<SqlBool>`t.status_id IN (SELECT st.id FROM ticket_statuses st WHERE st.category IN (${values(f.status_category)}))`)
  }
  if (f.priority) where.push(sql<SqlBool>`t.priority IN (${values(f.priority)})`)
  if (f.source) where.push(sql<SqlBool>`t.source IN (${values(f.source)})`)
  if (f.assignee === 'none') where.push(sql<SqlBool>`t.assignee_id IS NULL`)
  // An API key is nobody: "assigned to me" matches nothing for it.
  else if (f.assignee === 'me') where.push(actor.userId ? sql<SqlBool>`t.assignee_id = ${actor.userId}` : sql<SqlBool>`false`)
  else if (f.assignee) where.push(sql<SqlBool>`t.assignee_id = ${f.assignee}`)
  // Customers do not see teams, so they cannot narrow their tickets by them either.
  if (f.team && isCustomer(actor)) throw invalid('team', 'is not a filter customers can use')
  if (f.team === 'none') where.push(sql<SqlBool>`t.team_id IS NULL`)
  else if (f.team) where.push(sql<SqlBool>`t.team_id = ${f.team}`)
  if (f.requester_id) where.push(sql<SqlBool>`t.requester_id = ${f.requester_id}`)
  if (f.company_id) where.push(sql<SqlBool>`t.company_id = ${f.company_id}`)
  // Served by the GIN index when read through `tenant_tickets` (see scope.ts).
  if (f.tag) where.push(sql<SqlBool>`t.tags @> ARRAY[${values(f.tag)}]::text[]`)
  if (f.category_id) {
    where.push(sql<SqlBool>`t.category_id IN (
      WITH RECURSIVE tree AS (
        SELECT c.id FROM ticket_categories c WHERE c.id = ${f.category_id}
        UNION
        SELECT c.id FROM ticket_categories c JOIN tree ON c.parent_id = tree.id
      ) SELECT tree.id FROM tree)`)
  }
  if (f.created_after) where.push(sql<SqlBool>`t.created_at >= ${f.created_after}::timestamptz`)
  if (f.created_before) where.push(sql<SqlBool>`t.created_at < ${f.created_before}::timestamptz`)
  if (f.updated_after) where.push(sql<SqlBool>`t.updated_at >= ${f.updated_after}::timestamptz`)
  if (f.updated_before) where.push(sql<SqlBool>`t.updated_at < ${f.updated_before}::timestamptz`)
  if (f.overdue !== undefined) {
    // Written so that a ticket without a due date is plainly not overdue (false, never null).
    const late = sql<SqlBool>`(t.due_at IS NOT NULL AND t.due_at < now() AND t.status_id IN (SELECT st.id FROM ticket_statuses st WHERE st.category IN (${values(OPEN_CATEGORIES)})))`
    where.push(f.overdue ? late : sql<SqlBool>`NOT ${late}`)
  }
  if (f.cf && Object.keys(f.cf).length) {
    const keys = Object.keys(f.cf)
    const defs = await tx.selectFrom('custom_fields').select(['key', 'type', 'is_internal'])
      .where('entity', '=', 'ticket').where('key', 'in', keys).execute()
    const contains: Record<string, unknown> = {}
    for (const key of keys) {
      const def = defs.find((d) => d.key === key)
      if (!def || (def.is_internal && isCustomer(actor))) throw invalid(`cf.${key}`, 'is not a custom field of tickets')
      contains[key] = customFieldValue(def, f.cf[key]!)
    }
    where.push(sql<SqlBool>`t.custom_fields @> ${JSON.stringify(contains)}::jsonb`)
  }
  return where
}
