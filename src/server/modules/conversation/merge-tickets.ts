import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { AppError, conflict } from '../../platform/errors.js'
import { emit } from '../../platform/outbox.js'
import type { HistoryEntry } from '../tickets/history.js'
import { MAX_TAGS } from '../tickets/normalize.js'
import { loadVisibleTicket, type TicketRow } from '../tickets/present.js'
import { firstStatusOf, type StatusRef } from '../tickets/references.js'
import { reloadTicket, saveTicketChanges, statusStampColumns } from '../tickets/ticket-writes.js'
import { statusValue } from '../tickets/update-ticket.js'
import { loadReferencedTicket } from './referenced-ticket.js'
import { addSystemNote, ticketNumber } from './system-notes.js'

const refused = (message: string, field = 'source_ids') => conflict(message, [{ field, message }])

/** A ticket that may take part in a merge: not deleted, and not merged away already. */
function assertMergeable(ticket: TicketRow, role: 'target' | 'source'): void {
  const field = role === 'target' ? 'id' : 'source_ids'
  const number = ticketNumber(ticket)
  if (ticket.deleted_at) throw refused(`${number} is deleted.`, field)
  if (ticket.merged_into_id) throw refused(`${number} was already merged into another ticket.`, field)
}

/** Moves one source's conversation, files and time to the target; returns what moved. */
async function moveConversation(tx: Tx, actor: Actor, sourceId: string, targetId: string) {
  const moved = async (table: 'comments' | 'attachments' | 'time_entries') => {
    const rows = await tx.updateTable(table).set({ ticket_id: targetId })
      .where('tenant_id', '=', actor.tenantId).where('ticket_id', '=', sourceId).returning('id').execute()
    return rows.length
  }
  // Attachments move whether they sit on a comment or on the ticket itself.
  return { comments: await moved('comments'), attachments: await moved('attachments'), time_entries: await moved('time_entries') }
}

/**
 * Merges tickets into a target, which survives. Each source's comments (with their files),
 * ticket-level files and time entries move to the target; the target gets an internal note per
 * source and the union of their tags; each source gets a public note pointing to the target, is
 * closed (the organization's first closed status) and points to the target (merged_into_id).
 * Both sides record a `merged` history entry; `ticket.merged` is emitted.
 *
 * Every ticket involved is locked first, in id order, so two merges over the same tickets take
 * turns instead of deadlocking, and the second sees what the first did: of A→B and B→A run at
 * once, one succeeds and the other finds its target merged (409). Merging a ticket into itself,
 * into or from a deleted or already merged ticket is a 409; a target the actor cannot see a 404, a
 * source they cannot see a 400 naming source_ids.
 */
export async function mergeTickets(tx: Tx, actor: Actor, targetId: string, sourceIds: readonly string[]): Promise<TicketRow> {
  if (sourceIds.includes(targetId)) throw refused('A ticket cannot be merged into itself.')
  const involved = [targetId, ...sourceIds].sort()
  await tx.selectFrom('tickets').select('id')
    .where('tenant_id', '=', actor.tenantId).where('id', 'in', involved)
    .orderBy('id').forUpdate().execute()

  const target = await loadVisibleTicket(tx, actor, targetId, { includeDeleted: true })
  assertMergeable(target, 'target')
  const sources: TicketRow[] = []
  for (const id of sourceIds) {
    const source = await loadReferencedTicket(tx, actor, id, 'source_ids', { includeDeleted: true })
    assertMergeable(source, 'source')
    sources.push(source)
  }
  const closed = await firstStatusOf(tx, actor.tenantId, 'closed')
  if (!closed) throw new AppError('unprocessable', 'This organization has no closed status to move merged tickets to.', [{ field: 'status', message: 'no active status in the closed category' }])

  const targetNumber = ticketNumber(target)
  const targetEntries: HistoryEntry[] = []
  const tags = [...target.tags]
  for (const source of sources) {
    const number = ticketNumber(source)
    const moved = await moveConversation(tx, actor, source.id, target.id)
    await addSystemNote(tx, actor, target.id, `Merged ${number} into this ticket (${source.subject}).`, { internal: true })
    await addSystemNote(tx, actor, source.id, `This ticket was merged into ${targetNumber}.`, { internal: false })
    await closeSource(tx, actor, source, closed, { id: target.id, ticket_number: targetNumber })
    targetEntries.push({ field: 'merged', old_value: null, new_value: { from: { id: source.id, ticket_number: number }, moved } })
    for (const tag of source.tags) if (!tags.includes(tag) && tags.length < MAX_TAGS) tags.push(tag)
  }
  if (tags.length !== target.tags.length) targetEntries.push({ field: 'tags', old_value: target.tags, new_value: tags })
  await saveTicketChanges(tx, actor, target.id, { tags }, targetEntries)
  await emit(tx, actor.tenantId, 'ticket.merged', { ticket_id: target.id, source_ids: sources.map((s) => s.id), actor_id: actor.userId })
  return reloadTicket(tx, target.id)
}

/** Closes a merged-away ticket and points it at the survivor, with its history entries. */
async function closeSource(tx: Tx, actor: Actor, source: TicketRow, closed: StatusRef, into: { id: string; ticket_number: string }): Promise<void> {
  const entries: HistoryEntry[] = []
  if (source.status_id !== closed.id) {
    entries.push({ field: 'status', old_value: statusValue({ id: source.status_id, name: source.status_name, category: source.status_category }), new_value: statusValue(closed) })
  }
  entries.push({ field: 'merged', old_value: null, new_value: { into } })
  await saveTicketChanges(tx, actor, source.id, {
    merged_into_id: into.id,
    ...(source.status_id !== closed.id ? { status_id: closed.id, ...statusStampColumns('closed') } : {}),
  }, entries)
}
