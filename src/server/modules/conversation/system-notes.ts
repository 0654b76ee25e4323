import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { uuidv7 } from '../../platform/ids.js'
import { textToHtml } from '../../platform/html.js'
import { formatTicketNumber, type TicketRow } from '../tickets/present.js'

/** `TKT-000123`: a ticket's number as people say it. */
export function ticketNumber(ticket: Pick<TicketRow, 'ticket_prefix' | 'number'>): string {
  return formatTicketNumber(ticket.ticket_prefix, ticket.number)
}

/**
 * A note the system writes into a conversation when tickets are merged or split (source
 * `system`, signed by the person who acted so the timeline says who did it). System notes
 * cannot be edited.
 */
export async function addSystemNote(tx: Tx, actor: Actor, ticketId: string, text: string, opts: { internal: boolean }): Promise<string> {
  const id = uuidv7()
  await tx.insertInto('comments').values({
    tenant_id: actor.tenantId, id, ticket_id: ticketId, author_user_id: actor.userId, author_contact_id: null,
    body_html: textToHtml(text), body_text: text, is_internal: opts.internal, source: 'system', mentions: [],
    // A moment after whatever it reports on, so it sorts after comments moved in the same statement.
    created_at: sql<string>`clock_timestamp()`,
  }).execute()
  return id
}
