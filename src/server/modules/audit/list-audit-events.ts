import type { Static } from 'typebox'
import type { Tx } from '../../platform/db/schema.js'
import type { AuditEventSchema } from './schemas.js'

export type AuditEventOut = Static<typeof AuditEventSchema>

export interface AuditFilter {
  page: number
  limit: number
  action?: string | undefined
  actor_id?: string | undefined
  subject_type?: string | undefined
  subject_id?: string | undefined
}

/**
 * A page of the organization's audit log, newest first (served by audit_events_list), with the
 * total for the filter. Actor names come from the same statement.
 */
export async function listAuditEvents(tx: Tx, filter: AuditFilter): Promise<{ events: AuditEventOut[]; total: number }> {
  let base = tx.selectFrom('audit_events as e')
  if (filter.action) base = base.where('e.action', '=', filter.action)
  if (filter.actor_id) base = base.where('e.actor_id', '=', filter.actor_id)
  if (filter.subject_type) base = base.where('e.subject_type', '=', filter.subject_type)
  if (filter.subject_id) base = base.where('e.subject_id', '=', filter.subject_id)
  const rows = await base
    // Users are visible only while they belong to the organization (row-level security).
    .leftJoin('users as u', 'u.id', 'e.actor_id')
    .select(['e.id', 'e.action', 'e.subject_type', 'e.subject_id', 'e.actor_id', 'u.name as actor_name', 'e.data', 'e.ip', 'e.created_at'])
    .orderBy('e.created_at', 'desc').orderBy('e.id', 'desc')
    .limit(filter.limit).offset((filter.page - 1) * filter.limit)
    .execute()
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return {
    events: rows.map((row) => ({
      id: row.id,
      action: row.action,
      subject_type: row.subject_type,
      subject_id: row.subject_id,
      actor: row.actor_id ? { id: row.actor_id, name: row.actor_name } : null,
      data: row.data ?? {},
      ip: row.ip,
      created_at: row.created_at,
    })),
    total: Number(total.n),
  }
}
