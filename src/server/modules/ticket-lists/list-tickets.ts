import { sql, type Expression, type SqlBool } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { invalid } from '../../platform/errors.js'
import { selectTickets, type TicketRow } from '../tickets/present.js'
import { visibleTo } from '../tickets/visibility.js'
import { ticketFilterConditions, type TicketFilters } from './filters.js'
import { combinedPageIds, listCombinations } from './combinations.js'
import { scopedTickets } from './scope.js'
import { afterCursor, decodeCursor, encodeCursor, orderBySql, sortKeyText, sortPlan, type TicketSort } from './sorting.js'

export interface ListInput {
  filters: TicketFilters
  sort: TicketSort
  limit: number
  /** Page mode (with a total) unless a cursor is given. */
  page?: number
  /** Keyset mode: `''` starts at the top, otherwise a `next_cursor` of the previous page. */
  cursor?: string
}

export interface ListResult {
  rows: TicketRow[]
  meta: { page?: number; limit: number; total?: number; total_capped?: boolean; next_cursor: string | null }
}

/** Everything that narrows the list: the actor's visibility and the filters. */
export async function listConditions(tx: Tx, actor: Actor, filters: TicketFilters): Promise<Expression<SqlBool>[]> {
  return [visibleTo(actor), ...await ticketFilterConditions(tx, actor, filters)]
}

/** Totals are exact up to this many tickets; beyond, `total` is this and `total_capped` is true. */
export const COUNT_CAP = 1_000

/**
 * The statements of one list page: the ids of the page (chosen from `tenant_tickets`, where every
 * filter can use its index, with their sort keys), the joined read model for those ids, and, in
 * page mode, the total. Exposed apart from running them so `bench/explain-tickets.ts` explains
 * exactly these.
 *
 * The read model is a statement of its own, by an array of ids: its text never changes, so
 * PostgreSQL plans its eight joins once per connection (a generic plan: a few keyed look-ups)
 * instead of on every page — planning it together with the filters took longer than running it.
 */
export async function buildListQueries(tx: Tx, actor: Actor, input: ListInput) {
  if (input.cursor !== undefined && input.page !== undefined) throw invalid('cursor', 'cannot be combined with page')
  const where = await listConditions(tx, actor, input.filters)
  const plan = sortPlan(input.sort)
  const pageWhere = input.cursor ? [...where, afterCursor(plan, decodeCursor(input.cursor, input.sort))] : where
  const offset = input.cursor === undefined ? ((input.page ?? 1) - 1) * input.limit : 0
  // One row more than asked tells whether there is a next page without counting.
  const pairs = await listCombinations(tx, actor.tenantId, input.filters, input.sort)
  const pageIds = pairs
    ? combinedPageIds(tx, pairs, pageWhere, input.sort, input.limit + 1, offset)
    : pageWhere.reduce((q, w) => q.where(w), scopedTickets(tx).select('t.id'))
      .select(sortKeyText(plan).as('sort_key')).orderBy(orderBySql(plan)).limit(input.limit + 1).offset(offset)
  const page = (idList: string[]) => selectTickets(tx).where(sql<SqlBool>`t.id = ANY(${idList}::uuid[])`)

  // Counting stops at COUNT_CAP + 1 matches: past that the list says "1,000+" (total_capped)
  // instead of reading every matching ticket on each page (reading 1,000 index entries costs about a millisecond).
  let matching = scopedTickets(tx).select(sql<number>`1`.as('one'))
  for (const w of where) matching = matching.where(w)
  const count = tx.selectFrom(matching.limit(COUNT_CAP + 1).as('m')).select(sql<string>`count(*)`.as('total'))
  return { pageIds, page, count: input.cursor === undefined ? count : null }
}

/** One page of the tickets the actor may see, filtered and sorted. */
export async function listTickets(tx: Tx, actor: Actor, input: ListInput): Promise<ListResult> {
  const queries = await buildListQueries(tx, actor, input)
  const fetched = await queries.pageIds.execute()
  const more = fetched.length > input.limit
  const ids = more ? fetched.slice(0, input.limit) : fetched
  const last = ids[ids.length - 1]
  const next_cursor = more && last ? encodeCursor(input.sort, last.sort_key, last.id) : null
  const byId = new Map(ids.length ? (await queries.page(ids.map((r) => r.id)).execute()).map((row) => [row.id, row]) : [])
  // In the page's order; a ticket deleted between the two statements is left out.
  const rows = ids.flatMap((r) => byId.get(r.id) ?? [])
  if (!queries.count) return { rows, meta: { limit: input.limit, next_cursor } }
  const page = input.page ?? 1
  // An empty page past the end needs the count; a short first page is its own total.
  const counted = page === 1 && !more ? rows.length : Number((await queries.count.executeTakeFirstOrThrow()).total)
  const capped = counted > COUNT_CAP
  return { rows, meta: { page, limit: input.limit, total: capped ? COUNT_CAP : counted, ...(capped ? { total_capped: true } : {}), next_cursor } }
}
