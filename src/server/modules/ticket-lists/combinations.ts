import { sql, type Expression, type SqlBool } from 'kysely'
import type { Priority, Tx } from '../../platform/db/schema.js'
import { tenantConfigCache } from '../../platform/shared-cache.js'
import { PRIORITIES } from '../tickets/present.js'
import type { TicketFilters } from './filters.js'
import { scopedTickets } from './scope.js'
import { orderBySql, sortKeyText, sortPlan, type TicketSort } from './sorting.js'

/**
 * Pages of lists filtered by status and priority, read as a merge of index ranges.
 *
 * The common lists — "All open", a status or two, urgent and high — pick a few statuses and
 * priorities and sort by update, creation or due date. A condition `status_id IN (…) AND
 * priority IN (…)` cannot be read from one index in the sort's order (PostgreSQL 15 reads all
 * matching entries and sorts them), and reading the sort's own index newest first checks every
 * ticket's row until enough match: at a million tickets that was thousands of rows a page.
 *
 * Each (status, priority) pair is one range of the `tickets_list_*` indexes (migration 0011),
 * already in the sort's order. So the page is read as one branch per pair, each stopping after
 * offset + limit + 1 entries, and the small union is sorted: a few hundred index entries
 * whatever the size of the organization. Lists with other narrowing filters (assignee, team,
 * requester, tags, …) have better indexes of their own and are left to the planner.
 */

/** Sorts with a `tickets_list_*` index; the key expressions are those of sorting.ts. */
const INDEXED_SORTS: ReadonlySet<TicketSort> = new Set(['-updated_at', 'updated_at', '-created_at', 'created_at', 'due_at'])
/** Filters that leave the combination plan usable: they are checked on the rows each branch reads. */
const COMPATIBLE: ReadonlySet<keyof TicketFilters> = new Set([
  'status', 'status_category', 'priority', 'source', 'overdue', 'created_after', 'created_before', 'updated_after', 'updated_before',
])
/** More pairs than this and the plain statement is read instead. */
export const MAX_COMBINATIONS = 32

interface StatusIds { id: string; category: string }

/** The organization's statuses with their categories (cached with its other settings, cleared on any status change). */
async function statusCategories(tx: Tx, tenantId: string): Promise<readonly StatusIds[]> {
  return await tenantConfigCache.get(`${tenantId}:status-categories`, async () => ({
    value: Object.freeze(await tx.selectFrom('ticket_statuses').select(['id', 'category']).where('tenant_id', '=', tenantId).execute()),
  })) as readonly StatusIds[]
}

/**
 * The (status, priority) pairs a list's filters allow, or null when the combination plan does
 * not fit the filters or the sort (the caller then reads the plain statement).
 */
export async function listCombinations(tx: Tx, tenantId: string, f: TicketFilters, sort: TicketSort): Promise<Array<[string, Priority]> | null> {
  if (!INDEXED_SORTS.has(sort)) return null
  if (!f.status && !f.status_category && !f.priority) return null
  for (const key of Object.keys(f) as Array<keyof TicketFilters>) {
    if (f[key] !== undefined && !COMPATIBLE.has(key)) return null
  }
  const statuses = (await statusCategories(tx, tenantId)).filter((s) =>
    (!f.status || f.status.includes(s.id)) && (!f.status_category || (f.status_category as string[]).includes(s.category)))
  const priorities = f.priority ?? PRIORITIES
  if (statuses.length * priorities.length > MAX_COMBINATIONS) return null
  return statuses.flatMap((s) => priorities.map((p): [string, Priority] => [s.id, p]))
}

/**
 * The ids (with their sort keys) of one page: a branch per pair, each reading its index range in
 * the sort's order for at most `take` rows, then the union sorted and cut to the page.
 */
export function combinedPageIds(tx: Tx, pairs: Array<[string, Priority]>, where: Expression<SqlBool>[], sort: TicketSort, take: number, offset: number) {
  const plan = sortPlan(sort)
  const branches = pairs.map(([statusId, priority]) => {
    let q = scopedTickets(tx).select(['t.id', sql<string>`${plan.key}`.as('sort_value'), sortKeyText(plan).as('sort_key')])
    for (const w of where) q = q.where(w)
    return q.where('t.status_id', '=', statusId).where('t.priority', '=', priority).orderBy(orderBySql(plan)).limit(take + offset)
  })
  // Pairs that match nothing still make one valid (empty) statement.
  const union = branches.length
    ? sql.join(branches.map((b) => sql`(${b})`), sql` UNION ALL `)
    : sql`SELECT NULL::uuid AS id, NULL::text AS sort_value, NULL::text AS sort_key WHERE false`
  const dir = sql.raw(plan.desc ? 'DESC' : 'ASC')
  return tx.selectFrom(sql<{ id: string; sort_value: string; sort_key: string }>`(${union})`.as('u'))
    .select(['u.id', 'u.sort_key'])
    .orderBy(sql`u.sort_value ${dir}, u.id ${dir}`)
    .limit(take).offset(offset)
}
