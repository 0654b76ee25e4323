import { can, type Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { loadVisibleTicket } from './present.js'
import type { HistoryEntryOut } from './schemas.js'
import { isCustomer } from './visibility.js'

/** The history fields a customer sees on their ticket's timeline: when it was opened and each status change. */
export const CUSTOMER_HISTORY_FIELDS = ['created', 'status'] as const

/**
 * A ticket's timeline, oldest first, paged. 404 outside the actor's visibility; a deleted
 * ticket's history only for those who may restore it. Customers get only the entries in
 * `CUSTOMER_HISTORY_FIELDS` (with who made them).
 */
export async function listTicketHistory(tx: Tx, actor: Actor, ticketId: string, page: { page: number; limit: number }): Promise<{ entries: HistoryEntryOut[]; total: number }> {
  await loadVisibleTicket(tx, actor, ticketId, { includeDeleted: can(actor, 'tickets:delete') })
  let base = tx.selectFrom('ticket_history as h').where('h.tenant_id', '=', actor.tenantId).where('h.ticket_id', '=', ticketId)
  if (isCustomer(actor)) base = base.where('h.field', 'in', [...CUSTOMER_HISTORY_FIELDS])
  const rows = await base.leftJoin('users as u', 'u.id', 'h.actor_id')
    .select(['h.id', 'h.field', 'h.old_value', 'h.new_value', 'h.actor_id', 'h.actor_kind', 'h.created_at', 'u.name as actor_name'])
    .orderBy('h.created_at').orderBy('h.id')
    .limit(page.limit).offset((page.page - 1) * page.limit)
    .execute()
  const count = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()
  return {
    total: Number(count.n),
    entries: rows.map((r) => ({
      id: r.id,
      field: r.field,
      old_value: r.old_value,
      new_value: r.new_value,
      actor: r.actor_id && r.actor_name ? { id: r.actor_id, name: r.actor_name } : null,
      actor_kind: r.actor_kind,
      created_at: r.created_at,
    })),
  }
}
