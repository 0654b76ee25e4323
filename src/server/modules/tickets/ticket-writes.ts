import { sql, type RawBuilder, type UpdateObject } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import type { DB, StatusCategory, Tx } from '../../platform/db/schema.js'
import { notFound } from '../../platform/errors.js'
import { emit } from '../../platform/outbox.js'
import { recordHistory, type HistoryEntry } from './history.js'
import { timestampRules, type StampRule } from './normalize.js'
import { selectTickets, type TicketRow } from './present.js'

/** Column changes for a ticket update: values or SQL expressions. */
export type TicketSet = UpdateObject<DB, 'tickets'>

/** A ticket by id without the visibility rule: for answering after a write the actor was allowed to make. */
export async function reloadTicket(tx: Tx, id: string): Promise<TicketRow> {
  const row = await selectTickets(tx).where('t.id', '=', id).executeTakeFirst()
  if (!row) throw notFound('Ticket')
  return row
}

function stamp(column: 'resolved_at' | 'closed_at', rule: StampRule): RawBuilder<string | null> | undefined {
  if (rule === 'clear') return sql<null>`NULL`
  if (rule === 'now_if_null') return sql<string>`COALESCE(${sql.ref(column)}, now())`
  return undefined
}

/** The timestamp columns to set when a ticket moves into a status of this category (see `timestampRules`). */
export function statusStampColumns(to: StatusCategory): { resolved_at?: RawBuilder<string | null>; closed_at?: RawBuilder<string | null> } {
  const rules = timestampRules(to)
  const resolved = stamp('resolved_at', rules.resolved_at)
  const closed = stamp('closed_at', rules.closed_at)
  return { ...(resolved ? { resolved_at: resolved } : {}), ...(closed ? { closed_at: closed } : {}) }
}

/** For events: the changed fields with their values, except the description's (large, and in the history). */
function eventChanges(entries: HistoryEntry[]): Record<string, { old: unknown; new: unknown }> {
  return Object.fromEntries(entries.map((e) => [e.field, e.field === 'description' ? { old: null, new: null } : { old: e.old_value, new: e.new_value }]))
}

/**
 * Writes changed columns of a ticket (bumping updated_at and last_activity_at), appends one
 * history row per entry and emits `event` with the changed fields — all in the caller's
 * transaction. Nothing happens when there are no entries. Returns the fresh row.
 */
export async function saveTicketChanges(
  tx: Tx, actor: Actor, ticketId: string, set: TicketSet, entries: HistoryEntry[],
  event = 'ticket.updated', extra: Record<string, unknown> = {},
): Promise<TicketRow> {
  if (!entries.length) return reloadTicket(tx, ticketId)
  await tx.updateTable('tickets')
    .set({ ...set, updated_at: sql`now()`, last_activity_at: sql`now()` })
    .where('tenant_id', '=', actor.tenantId).where('id', '=', ticketId)
    .execute()
  await recordHistory(tx, actor, ticketId, entries)
  await emit(tx, actor.tenantId, event, {
    ticket_id: ticketId, fields: entries.map((e) => e.field), changes: eventChanges(entries), actor_id: actor.userId, ...extra,
  })
  return reloadTicket(tx, ticketId)
}
