import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { Tx } from '../../platform/db/schema.js'
import { loadVisibleTicket, type TicketRow } from './present.js'
import { saveTicketChanges } from './ticket-writes.js'

/**
 * Moves a ticket to the trash (soft delete: deleted_at, deleted_by), where it drops out of lists
 * and reads until restored. History `deleted`, event `ticket.deleted`, and an audit entry.
 */
export async function deleteTicket(tx: Tx, actor: Actor, id: string, ip: string | null = null): Promise<void> {
  const current = await loadVisibleTicket(tx, actor, id, { forUpdate: true })
  await saveTicketChanges(tx, actor, id, { deleted_at: sql<string>`now()`, deleted_by: actor.userId },
    [{ field: 'deleted', old_value: null, new_value: true }], 'ticket.deleted')
  await recordAudit(tx, actor, 'ticket.deleted', 'ticket', id, { number: current.number, subject: current.subject }, ip)
}

/** Takes a ticket out of the trash. Restoring one that is not deleted changes nothing. */
export async function restoreTicket(tx: Tx, actor: Actor, id: string, ip: string | null = null): Promise<TicketRow> {
  const current = await loadVisibleTicket(tx, actor, id, { forUpdate: true, includeDeleted: true })
  if (!current.deleted_at) return current
  const row = await saveTicketChanges(tx, actor, id, { deleted_at: null, deleted_by: null },
    [{ field: 'restored', old_value: current.deleted_at, new_value: null }], 'ticket.restored')
  await recordAudit(tx, actor, 'ticket.restored', 'ticket', id, { number: current.number, subject: current.subject }, ip)
  return row
}

/** Flags a ticket as spam, or clears the flag (history `is_spam`). */
export async function markSpam(tx: Tx, actor: Actor, id: string, isSpam: boolean): Promise<TicketRow> {
  const current = await loadVisibleTicket(tx, actor, id, { forUpdate: true })
  if (current.is_spam === isSpam) return current
  return saveTicketChanges(tx, actor, id, { is_spam: isSpam }, [{ field: 'is_spam', old_value: current.is_spam, new_value: isSpam }])
}
