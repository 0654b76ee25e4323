import type { Static } from 'typebox'
import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { conflict, invalid, isUniqueViolation, notFound } from '../../platform/errors.js'
import { emit } from '../../platform/outbox.js'
import { recordHistory } from '../tickets/history.js'
import { formatTicketNumber, loadVisibleTicket, selectTickets } from '../tickets/present.js'
import { visibleTo } from '../tickets/visibility.js'
import { loadReferencedTicket } from './referenced-ticket.js'
import type { LinkSchema } from './schemas.js'
import { ticketNumber } from './system-notes.js'

export type LinkOut = Static<typeof LinkSchema>
type LinkKind = LinkOut['kind']

/**
 * A ticket's links, in both directions. A link is stored as two rows, one from each side, so
 * that each side reads its links from the primary key alone and a second link between the same
 * two tickets, asked from either side, hits that key (409). Linked tickets the actor cannot see
 * (or that are deleted) are left out.
 */
export async function listLinks(tx: Tx, actor: Actor, ticketId: string): Promise<LinkOut[]> {
  await loadVisibleTicket(tx, actor, ticketId)
  const rows = await selectTickets(tx)
    .innerJoin('ticket_links as l', (j) => j.onRef('l.tenant_id', '=', 't.tenant_id').onRef('l.linked_ticket_id', '=', 't.id'))
    .select(['l.kind', 'l.created_at as linked_at'])
    .where('l.tenant_id', '=', actor.tenantId).where('l.ticket_id', '=', ticketId)
    .where('t.deleted_at', 'is', null).where(visibleTo(actor))
    .orderBy('l.created_at').orderBy('t.id')
    .execute()
  return rows.map((r) => ({
    ticket: {
      id: r.id, ticket_number: formatTicketNumber(r.ticket_prefix, r.number), subject: r.subject,
      status: { id: r.status_id, name: r.status_name, category: r.status_category, color: r.status_color },
    },
    kind: r.kind,
    created_at: r.linked_at,
  }))
}

/** Links two tickets the actor can both see; linking one to itself is a 400, twice a 409. History on both sides. */
export async function linkTickets(tx: Tx, actor: Actor, ticketId: string, otherId: string, kind: LinkKind): Promise<LinkOut> {
  if (ticketId === otherId) throw invalid('ticket_id', 'a ticket cannot be linked to itself')
  const ticket = await loadVisibleTicket(tx, actor, ticketId)
  const other = await loadReferencedTicket(tx, actor, otherId, 'ticket_id')
  const row = (from: string, to: string) => ({ tenant_id: actor.tenantId, ticket_id: from, linked_ticket_id: to, kind, created_by: actor.userId })
  try {
    await tx.insertInto('ticket_links').values([row(ticketId, otherId), row(otherId, ticketId)]).execute()
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('These tickets are already linked.', [{ field: 'ticket_id', message: 'is already linked to this ticket' }])
    throw error
  }
  await recordHistory(tx, actor, ticketId, [{ field: 'linked', old_value: null, new_value: { id: otherId, ticket_number: ticketNumber(other), kind } }])
  await recordHistory(tx, actor, otherId, [{ field: 'linked', old_value: null, new_value: { id: ticketId, ticket_number: ticketNumber(ticket), kind } }])
  await emit(tx, actor.tenantId, 'ticket.linked', { ticket_id: ticketId, linked_ticket_id: otherId, kind, actor_id: actor.userId })
  const link = (await listLinks(tx, actor, ticketId)).find((l) => l.ticket.id === otherId)
  if (!link) throw notFound('Link')
  return link
}

/** Removes the link between two tickets (both directions); 404 when there is none. History on both sides. */
export async function unlinkTickets(tx: Tx, actor: Actor, ticketId: string, otherId: string): Promise<void> {
  const ticket = await loadVisibleTicket(tx, actor, ticketId)
  const removed = await tx.deleteFrom('ticket_links')
    .where('tenant_id', '=', actor.tenantId)
    .where((eb) => eb.or([
      eb.and([eb('ticket_id', '=', ticketId), eb('linked_ticket_id', '=', otherId)]),
      eb.and([eb('ticket_id', '=', otherId), eb('linked_ticket_id', '=', ticketId)]),
    ]))
    .returning(['ticket_id', 'kind'])
    .execute()
  if (!removed.length) throw notFound('Link')
  const kind = removed[0]!.kind
  await recordHistory(tx, actor, ticketId, [{ field: 'linked', old_value: { id: otherId, kind }, new_value: null }])
  await recordHistory(tx, actor, otherId, [{ field: 'linked', old_value: { id: ticketId, ticket_number: ticketNumber(ticket), kind }, new_value: null }])
  await emit(tx, actor.tenantId, 'ticket.unlinked', { ticket_id: ticketId, linked_ticket_id: otherId, actor_id: actor.userId })
}
