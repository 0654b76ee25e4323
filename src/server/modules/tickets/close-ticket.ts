import { can, type Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { AppError, forbidden } from '../../platform/errors.js'
import type { HistoryEntry } from './history.js'
import { loadVisibleTicket, type TicketRow } from './present.js'
import { firstStatusOf } from './references.js'
import { contactIdsOf } from './requester.js'
import { saveTicketChanges } from './ticket-writes.js'
import { stageStatusChange } from './update-ticket.js'
import { isCustomer } from './visibility.js'

/** Whether the actor may close this (visible) ticket: a customer who requested it, or staff who may edit tickets. */
export function mayClose(actor: Actor, ticket: Pick<TicketRow, 'requester_id'>, ownContactIds: readonly string[]): boolean {
  if (isCustomer(actor)) return ticket.requester_id !== null && ownContactIds.includes(ticket.requester_id)
  return can(actor, 'tickets:update')
}

/**
 * Closes a ticket: moves it to the organization's first active `closed`-category status (422 when
 * it has none), following the transition rules and stamping closed_at. Customers may close the
 * tickets they requested (not a colleague's they can see); staff need tickets:update. A ticket
 * already in a closed status is left as it is.
 */
export async function closeTicket(tx: Tx, actor: Actor, id: string): Promise<TicketRow> {
  const current = await loadVisibleTicket(tx, actor, id, { forUpdate: true })
  const own = isCustomer(actor) ? await contactIdsOf(tx, actor) : []
  if (!mayClose(actor, current, own)) {
    throw forbidden(isCustomer(actor) ? 'Only the requester can close this ticket.' : 'This needs the tickets:update permission.')
  }
  if (current.status_category === 'closed') return current
  const closed = await firstStatusOf(tx, actor.tenantId, 'closed')
  if (!closed) throw new AppError('unprocessable', 'This organization has no closed status to move the ticket to.', [{ field: 'status', message: 'no active status in the closed category' }])
  const set = {}
  const entries: HistoryEntry[] = []
  await stageStatusChange(tx, current, closed, set, entries)
  return saveTicketChanges(tx, actor, id, set, entries)
}
