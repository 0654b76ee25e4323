import type { Static } from 'typebox'
import type { RowOf, Tx } from '../../platform/db/schema.js'
import { notFound } from '../../platform/errors.js'
import type { StatusSchema } from './schemas.js'
import { loadTransitions } from './transitions.js'

export type StatusOut = Static<typeof StatusSchema>

export function selectStatuses(tx: Tx) {
  return tx.selectFrom('ticket_statuses')
    .select(['id', 'name', 'category', 'color', 'position', 'is_default', 'is_active', 'created_at', 'updated_at'])
}

type StatusRow = RowOf<typeof selectStatuses>

export function presentStatus(row: StatusRow, transitions: readonly string[]): StatusOut {
  return {
    id: row.id, name: row.name, category: row.category, color: row.color, position: row.position,
    is_default: row.is_default, is_active: row.is_active, transitions: [...transitions], created_at: row.created_at, updated_at: row.updated_at,
  }
}

/** What the portal needs to show a status; workflow settings stay with staff. */
export function presentStatusForCustomer(row: StatusRow): StatusOut {
  return { id: row.id, name: row.name, category: row.category, color: row.color, position: row.position }
}

/** The organization's statuses by position (then name), with their transitions: two statements however many. */
export async function listStatuses(tx: Tx, opts: { customer?: boolean } = {}): Promise<StatusOut[]> {
  const rows = await selectStatuses(tx).orderBy('position').orderBy('name').orderBy('id').execute()
  if (opts.customer) return rows.map(presentStatusForCustomer)
  const transitions = await loadTransitions(tx)
  return rows.map((r) => presentStatus(r, transitions.get(r.id) ?? []))
}

export async function getStatus(tx: Tx, id: string): Promise<StatusOut> {
  const row = await selectStatuses(tx).where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('Status')
  const to = await tx.selectFrom('status_transitions as st')
    .innerJoin('ticket_statuses as s', (j) => j.onRef('s.tenant_id', '=', 'st.tenant_id').onRef('s.id', '=', 'st.to_status_id'))
    .select('st.to_status_id').where('st.from_status_id', '=', id)
    .orderBy('s.position').orderBy('s.name').execute()
  return presentStatus(row, to.map((t) => t.to_status_id))
}
