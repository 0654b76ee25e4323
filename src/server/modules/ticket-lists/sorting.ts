import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely'
import { Type } from 'typebox'
import { invalid } from '../../platform/errors.js'
import { isUuid } from '../../platform/ids.js'

type SortKey = 'created_at' | 'updated_at' | 'priority' | 'due_at' | 'number'
export const SORTS = [
  'created_at', '-created_at', 'updated_at', '-updated_at', 'priority', '-priority', 'due_at', '-due_at', 'number', '-number',
] as const satisfies ReadonlyArray<SortKey | `-${SortKey}`>
export type TicketSort = (typeof SORTS)[number]
export const DEFAULT_SORT: TicketSort = '-updated_at'

export const SortSchema = Type.Enum([...SORTS], {
  description: 'created_at, updated_at, priority (urgent > high > medium > low), due_at (tickets without one last) or number; `-` for descending',
})

/**
 * How a sort orders tickets: one key expression, then the id (UUIDv7, so creation order) to
 * break ties — the pair is also the keyset for cursors. The expressions for priority and due
 * date are the ones indexed in migration 0006; change them together.
 */
interface SortPlan {
  key: RawBuilder<unknown>
  /** The SQL type of the key, to read a cursor's text back. */
  type: 'timestamptz' | 'integer' | 'bigint'
  desc: boolean
}

const PRIORITY_RANK = sql`(CASE t.priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)`

export function sortPlan(sort: TicketSort): SortPlan {
  const desc = sort.startsWith('-')
  const name = (desc ? sort.slice(1) : sort) as SortKey
  switch (name) {
    case 'created_at': return { key: sql`t.created_at`, type: 'timestamptz', desc }
    case 'updated_at': return { key: sql`t.updated_at`, type: 'timestamptz', desc }
    case 'number': return { key: sql`t.number`, type: 'bigint', desc }
    case 'priority': return { key: PRIORITY_RANK, type: 'integer', desc }
    // Tickets without a due date come last either way.
    case 'due_at': return desc
      ? { key: sql`COALESCE(t.due_at, '-infinity'::timestamptz)`, type: 'timestamptz', desc }
      : { key: sql`COALESCE(t.due_at, 'infinity'::timestamptz)`, type: 'timestamptz', desc }
  }
}

/** ORDER BY for a sort, as SQL (the key, then the id, in one direction). */
export function orderBySql(plan: SortPlan): RawBuilder<unknown> {
  return plan.desc ? sql`${plan.key} DESC, t.id DESC` : sql`${plan.key} ASC, t.id ASC`
}

/** The key of a row as exact text (timestamps keep their microseconds), for its cursor. */
export function sortKeyText(plan: SortPlan): RawBuilder<string> {
  return sql<string>`(${plan.key})::text`
}

interface CursorData { s: string; k: string; id: string }

/** An opaque cursor: the sort it belongs to and the last row's key and id. */
export function encodeCursor(sort: TicketSort, key: string, id: string): string {
  return Buffer.from(JSON.stringify({ s: sort, k: key, id } satisfies CursorData)).toString('base64url')
}

export function decodeCursor(cursor: string, sort: TicketSort): { key: string; id: string } {
  let data: Partial<CursorData>
  try {
    data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorData>
  } catch {
    throw invalid('cursor', 'is not a cursor from this list')
  }
  if (typeof data !== 'object' || data === null || typeof data.k !== 'string' || typeof data.id !== 'string' || !isUuid(data.id) || data.k.length > 100) {
    throw invalid('cursor', 'is not a cursor from this list')
  }
  if (data.s !== sort) throw invalid('cursor', `was made for sort ${String(data.s)}, not ${sort}`)
  return { key: data.k, id: data.id }
}

const KEY_TEXT = {
  timestamptz: /^(-?infinity|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?)$/,
  integer: /^[1-4]$/,
  bigint: /^\d{1,18}$/,
}

/** Rows after the cursor's row in the sort's order. */
export function afterCursor(plan: SortPlan, cursor: { key: string; id: string }): Expression<SqlBool> {
  if (!KEY_TEXT[plan.type].test(cursor.key)) throw invalid('cursor', 'is not a cursor from this list')
  const key = sql`CAST(${cursor.key} AS ${sql.raw(plan.type)})`
  return plan.desc
    ? sql<SqlBool>`(${plan.key}, t.id) < (${key}, ${cursor.id}::uuid)`
    : sql<SqlBool>`(${plan.key}, t.id) > (${key}, ${cursor.id}::uuid)`
}
