import { can, type Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { mayClose } from './close-ticket.js'
import { internalTicketFieldKeys, presentTicket, type TicketRow } from './present.js'
import { contactIdsOf } from './requester.js'
import type { Abilities } from './schemas.js'
import { isCustomer } from './visibility.js'

const CLOSED = new Set(['closed'])

/**
 * What the actor may do with a ticket they can see, from their permissions (and, for customers,
 * whether they requested it). The UI shows buttons from this instead of re-deriving the rules.
 */
export function ticketAbilities(actor: Actor, row: TicketRow, ownContactIds: readonly string[] = []): Abilities {
  const customer = isCustomer(actor)
  const live = row.deleted_at === null
  return {
    update: live && !customer && can(actor, 'tickets:update'),
    assign: live && !customer && can(actor, 'tickets:assign'),
    delete: !customer && can(actor, 'tickets:delete'),
    close: live && !CLOSED.has(row.status_category) && mayClose(actor, row, ownContactIds),
    comment: live && can(actor, 'comments:create'),
    comment_internal: live && !customer && can(actor, 'comments:internal'),
  }
}

/** A single ticket as it leaves the server: the presenter's projection plus the actor's abilities. */
export async function presentTicketDetail(tx: Tx, actor: Actor, row: TicketRow) {
  const customer = isCustomer(actor)
  const internalKeys = customer ? await internalTicketFieldKeys(tx) : new Set<string>()
  const own = customer ? await contactIdsOf(tx, actor) : []
  return { ...presentTicket(row, actor, internalKeys), abilities: ticketAbilities(actor, row, own) }
}
