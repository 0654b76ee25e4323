import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { RowOf, Tx } from '../../platform/db/schema.js'
import { notFound } from '../../platform/errors.js'
import type { CategorySchema } from './schemas.js'

export type CategoryOut = Static<typeof CategorySchema>
export interface CategoryNode extends CategoryOut { children: CategoryNode[] }

export function selectCategories(tx: Tx) {
  return tx.selectFrom('ticket_categories').select(['id', 'name', 'parent_id', 'position', 'is_active', 'created_at', 'updated_at'])
}

type CategoryRow = RowOf<typeof selectCategories>

function present(row: CategoryRow, depth: number, customer: boolean): CategoryOut {
  const base = { id: row.id, name: row.name, parent_id: row.parent_id, depth, position: row.position }
  return customer ? base : { ...base, is_active: row.is_active, created_at: row.created_at, updated_at: row.updated_at }
}

const bySiblingOrder = (a: CategoryRow, b: CategoryRow) =>
  a.position - b.position || a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || (a.id < b.id ? -1 : 1)

/**
 * The organization's categories as a tree, siblings by position then name. One statement; the
 * category list of an organization is a settings list, read whole. Customers see only active
 * categories whose ancestors are all active.
 */
export async function categoryTree(tx: Tx, opts: { customer?: boolean } = {}): Promise<CategoryNode[]> {
  const rows = await selectCategories(tx).execute()
  const children = new Map<string | null, CategoryRow[]>()
  for (const r of rows) {
    const list = children.get(r.parent_id) ?? []
    list.push(r)
    children.set(r.parent_id, list)
  }
  const build = (parent: string | null, depth: number): CategoryNode[] =>
    (children.get(parent) ?? []).sort(bySiblingOrder)
      .filter((r) => !opts.customer || r.is_active)
      .map((r) => ({ ...present(r, depth, opts.customer ?? false), children: build(r.id, depth + 1) }))
  return build(null, 0)
}

/** The same tree flattened depth-first (a parent, then its sub-categories), each with its depth. */
export function flatten(nodes: CategoryNode[]): CategoryOut[] {
  const out: CategoryOut[] = []
  const walk = (list: CategoryNode[]) => {
    for (const { children, ...rest } of list) {
      out.push(rest)
      walk(children)
    }
  }
  walk(nodes)
  return out
}

/** One category with its depth (a walk up its ancestors in one statement). */
export async function getCategory(tx: Tx, id: string): Promise<CategoryOut> {
  const row = await selectCategories(tx).where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('Category')
  const ancestors = await sql<{ depth: number | string }>`
    WITH RECURSIVE up (id, parent_id, n) AS (
      SELECT id, parent_id, 0 FROM ticket_categories WHERE id = ${id}
      UNION ALL
      SELECT c.id, c.parent_id, up.n + 1 FROM ticket_categories c JOIN up ON c.id = up.parent_id WHERE up.n < 1000
    )
    SELECT max(n) AS depth FROM up`.execute(tx)
  return present(row, Number(ancestors.rows[0]?.depth ?? 0), false)
}
