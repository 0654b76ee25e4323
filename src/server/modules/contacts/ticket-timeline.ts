import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { internalTicketFieldKeys, presentTicket, selectTickets, type TicketOut } from '../tickets/present.js'
import { visibleTo } from '../tickets/visibility.js'

/** Whose tickets: a contact's (as requester) or a company's. */
export type TimelineOf = { requesterId: string } | { companyId: string }

/**
 * The tickets of a contact or company that the actor may see, newest first, through the shared
 * ticket read model and visibility rule (served by tickets_requester / tickets_company). Deleted
 * tickets are left out.
 */
export async function listTimeline(tx: Tx, actor: Actor, of: TimelineOf, page: number, limit: number): Promise<{ tickets: TicketOut[]; total: number }> {
  const own = 'requesterId' in of
  const base = selectTickets(tx).where('t.deleted_at', 'is', null).where(visibleTo(actor))
  const scoped = own ? base.where('t.requester_id', '=', of.requesterId) : base.where('t.company_id', '=', of.companyId)
  const rows = await scoped.orderBy('t.created_at', 'desc').orderBy('t.id', 'desc').limit(limit).offset((page - 1) * limit).execute()
  let count = tx.selectFrom('tickets as t').select((eb) => eb.fn.countAll<number>().as('n')).where('t.deleted_at', 'is', null).where(visibleTo(actor))
  count = own ? count.where('t.requester_id', '=', of.requesterId) : count.where('t.company_id', '=', of.companyId)
  const total = await count.executeTakeFirstOrThrow()
  const internal = await internalTicketFieldKeys(tx)
  return { tickets: rows.map((r) => presentTicket(r, actor, internal)), total: Number(total.n) }
}
