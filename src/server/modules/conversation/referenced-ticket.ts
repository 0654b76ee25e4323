import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { AppError, invalid } from '../../platform/errors.js'
import { loadVisibleTicket, type TicketRow } from '../tickets/present.js'

/**
 * A ticket named in a request body (a merge source, a link target): visible to the actor, else a
 * 400 naming the field — the same answer for another organization's ticket, one outside the
 * actor's scope and a made-up id, as for every other id a body refers to.
 */
export async function loadReferencedTicket(tx: Tx, actor: Actor, id: string, field: string, opts: { includeDeleted?: boolean } = {}): Promise<TicketRow> {
  try {
    return await loadVisibleTicket(tx, actor, id, opts)
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') throw invalid(field, `${id} is not a ticket you can see`)
    throw error
  }
}
