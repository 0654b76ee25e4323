import type { Tx } from '../../platform/db/schema.js'
import { AppError } from '../../platform/errors.js'

/** The statuses each status may move to, by from-status id (one statement); absent = any. */
export async function loadTransitions(tx: Tx): Promise<Map<string, string[]>> {
  const rows = await tx.selectFrom('status_transitions as st')
    .innerJoin('ticket_statuses as s', (j) => j.onRef('s.tenant_id', '=', 'st.tenant_id').onRef('s.id', '=', 'st.to_status_id'))
    .select(['st.from_status_id', 'st.to_status_id'])
    .orderBy('st.from_status_id').orderBy('s.position').orderBy('s.name')
    .execute()
  const map = new Map<string, string[]>()
  for (const r of rows) {
    const list = map.get(r.from_status_id) ?? []
    list.push(r.to_status_id)
    map.set(r.from_status_id, list)
  }
  return map
}

/**
 * Refuses a status change the workflow does not allow: when the from-status has transitions
 * defined and `toStatusId` is not among them → 422 `unprocessable` on `status_id`. No transitions
 * defined means any move is allowed, and staying in the same status always is. It checks the
 * workflow only — whether the target exists and is active is the caller's check.
 */
export async function assertTransitionAllowed(tx: Tx, fromStatusId: string, toStatusId: string): Promise<void> {
  if (fromStatusId === toStatusId) return
  const allowed = await tx.selectFrom('status_transitions as st')
    .innerJoin('ticket_statuses as s', (j) => j.onRef('s.tenant_id', '=', 'st.tenant_id').onRef('s.id', '=', 'st.to_status_id'))
    .select(['st.to_status_id', 's.name'])
    .where('st.from_status_id', '=', fromStatusId)
    .orderBy('s.position').orderBy('s.name')
    .execute()
  if (!allowed.length || allowed.some((a) => a.to_status_id === toStatusId)) return
  const names = allowed.map((a) => `"${a.name}"`).join(', ')
  throw new AppError('unprocessable', `status_id: this ticket's status may only change to ${names}`, [
    { field: 'status_id', message: `is not an allowed next status (allowed: ${names})`, code: 'transition_not_allowed' },
  ])
}
