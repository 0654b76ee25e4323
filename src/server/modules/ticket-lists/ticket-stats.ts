import { sql, type RawBuilder } from 'kysely'
import type { Static } from 'typebox'
import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { OPEN_CATEGORIES } from '../tickets/defaults.js'
import { PRIORITIES } from '../tickets/present.js'
import type { TicketFilters } from './filters.js'
import { listConditions } from './list-tickets.js'
import type { StatsSchema } from './schemas.js'

type Stats = Static<typeof StatsSchema>

interface AggregateRow {
  status_id: string | null
  priority: string | null
  assignee_id: string | null
  by_status: number
  by_priority: number
  by_assignee: number
  n: string
  open: string
  overdue: string
}

const open = sql.join(OPEN_CATEGORIES.map((c) => sql.val(c)))

/**
 * The aggregate of one statement over the tickets the actor may see (with the list's filters):
 * grouping sets give the counts by status, by priority, by assignee and the totals in one scan.
 * Status and assignee names come from two small look-ups, not from the tickets. It reads
 * `tenant_tickets` (scope.ts) like the list, so tag and custom-field filters use their indexes.
 */
export function buildStatsQuery(where: RawBuilder<unknown>) {
  return sql<AggregateRow>`
    SELECT t.status_id, t.priority, t.assignee_id,
      GROUPING(t.status_id) AS by_status, GROUPING(t.priority) AS by_priority, GROUPING(t.assignee_id) AS by_assignee,
      count(*) AS n,
      count(*) FILTER (WHERE s.category IN (${open})) AS open,
      count(*) FILTER (WHERE t.due_at < now() AND s.category IN (${open})) AS overdue
    FROM tenant_tickets t
    JOIN ticket_statuses s ON s.tenant_id = t.tenant_id AND s.id = t.status_id
    WHERE ${where}
    GROUP BY GROUPING SETS ((t.status_id), (t.priority), (t.assignee_id), ())`
}

export async function ticketStats(tx: Tx, actor: Actor, filters: TicketFilters): Promise<Stats> {
  const where = sql.join(await listConditions(tx, actor, filters), sql` AND `)
  const { rows } = await buildStatsQuery(where).execute(tx)
  // GROUPING() is 0 for the column a row is grouped by, 1 for the others.
  const total = rows.find((r) => r.by_status && r.by_priority && r.by_assignee)
  const statusCounts = new Map(rows.filter((r) => !r.by_status).map((r) => [r.status_id, Number(r.n)]))
  const priorityCounts = new Map(rows.filter((r) => !r.by_priority).map((r) => [r.priority, Number(r.n)]))
  const assigneeRows = rows.filter((r) => !r.by_assignee)

  const statuses = await tx.selectFrom('ticket_statuses').select(['id', 'name', 'category', 'color', 'is_active'])
    .orderBy('position').orderBy('name').execute()
  const assigneeIds = assigneeRows.map((r) => r.assignee_id).filter((id): id is string => id !== null)
  const people = assigneeIds.length
    ? await tx.selectFrom('users').select(['id', 'name']).where('id', 'in', assigneeIds).execute()
    : []
  const names = new Map(people.map((p) => [p.id, p.name]))

  return {
    total: Number(total?.n ?? 0),
    open: Number(total?.open ?? 0),
    overdue: Number(total?.overdue ?? 0),
    unassigned: Number(assigneeRows.find((r) => r.assignee_id === null)?.n ?? 0),
    // Every active status, and inactive ones that still hold tickets.
    by_status: statuses.filter((s) => s.is_active || statusCounts.has(s.id))
      .map((s) => ({ id: s.id, name: s.name, category: s.category, color: s.color, count: statusCounts.get(s.id) ?? 0 })),
    by_priority: [...PRIORITIES].reverse().map((priority) => ({ priority, count: priorityCounts.get(priority) ?? 0 })),
    by_assignee: assigneeRows
      .map((r) => ({ id: r.assignee_id, name: r.assignee_id ? names.get(r.assignee_id) ?? null : null, count: Number(r.n) }))
      .sort((a, b) => b.count - a.count || (a.name ?? '').localeCompare(b.name ?? '')),
  }
}
