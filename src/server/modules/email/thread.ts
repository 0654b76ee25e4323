import { sql } from 'kysely'
import type { Tx } from '../../platform/db/schema.js'
import type { InboundMail } from './parse.js'
import { recipientsOf } from './parse.js'
import { ticketsFromTokens } from './tokens.js'

export interface ThreadMatch {
  ticketId: string
  via: 'token' | 'references' | 'subject'
}

/** A ticket as threading sees it: merged tickets hand over to their survivor, deleted ones end the thread. */
export interface LiveTicket {
  id: string
  merged_into_id: string | null
  deleted_at: string | null
}

async function ticketById(tx: Tx, id: string): Promise<LiveTicket | undefined> {
  return tx.selectFrom('tickets').select(['id', 'merged_into_id', 'deleted_at']).where('id', '=', id).executeTakeFirst()
}

/** The ticket a conversation continues on, from a ticket already read. */
async function survivorOf(tx: Tx, ticket: LiveTicket | undefined): Promise<string | null> {
  let current = ticket
  for (let hops = 0; current && current.merged_into_id && hops < 10; hops++) current = await ticketById(tx, current.merged_into_id)
  return current && !current.deleted_at && !current.merged_into_id ? current.id : null
}

/** The message ids a message answers: In-Reply-To first, then References from the newest. */
function referencedIds(mail: InboundMail): string[] {
  return [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...[...mail.references].reverse()]
}

/**
 * The ticket of the newest message we received or sent that this message's In-Reply-To or
 * References name (no row when none does, or that ticket is gone). A query to read along with
 * the other facts about a message (see facts.ts); `findThread` takes its answer.
 */
export function referencedTicket(tx: Tx, tenantId: string, mail: InboundMail) {
  const latest = tx.selectFrom('email_messages').select('ticket_id')
    .where('tenant_id', '=', tenantId)
    .where('message_id', '=', sql<string>`ANY(${sql.val(referencedIds(mail))}::text[])`)
    .where('ticket_id', 'is not', null)
    .orderBy('received_at', 'desc').limit(1)
  return tx.selectFrom('tickets').select(['id', 'merged_into_id', 'deleted_at'])
    .where('tenant_id', '=', tenantId).where('id', '=', latest)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * A ticket number in the subject (`[TKT-000123]`, `TKT-123`) names the ticket only when the
 * sender belongs to it — its requester or someone copied on it — so a stranger cannot post onto
 * someone else's ticket by guessing a number.
 */
async function bySubject(tx: Tx, tenantId: string, prefix: string, mail: InboundMail): Promise<string | null> {
  const sender = mail.from?.address
  if (!sender) return null
  const m = new RegExp(`(?:^|[^A-Za-z0-9])${escapeRegExp(prefix)}-0*(\\d{1,12})(?![0-9])`, 'i').exec(mail.subject)
  if (!m) return null
  const row = await tx.selectFrom('tickets as t')
    .leftJoin('contacts as c', (j) => j.onRef('c.tenant_id', '=', 't.tenant_id').onRef('c.id', '=', 't.requester_id'))
    .select(['t.id', sql<string | null>`lower(c.email)`.as('requester_email'), 't.cc_emails'])
    .where('t.tenant_id', '=', tenantId).where('t.number', '=', Number(m[1]))
    .executeTakeFirst()
  if (!row) return null
  const belongs = row.requester_email === sender || row.cc_emails.map((e) => e.toLowerCase()).includes(sender)
  return belongs ? row.id : null
}

/**
 * The ticket an inbound message continues, matched in this order: a reply token of ours (in
 * In-Reply-To, References or a recipient's plus-address), then In-Reply-To/References against
 * every message id we received or sent (`referenced`: the answer of `referencedTicket`), then
 * the ticket number in the subject when the sender belongs to that ticket. Null means a new
 * conversation. Runs in the organization's transaction.
 */
export async function findThread(
  tx: Tx, tokenKey: Buffer, tenantId: string, ticketPrefix: string, mail: InboundMail, referenced: LiveTicket | null,
): Promise<ThreadMatch | null> {
  for (const id of ticketsFromTokens(tokenKey, tenantId, [...referencedIds(mail), ...recipientsOf(mail)])) {
    const ticketId = await survivorOf(tx, await ticketById(tx, id))
    if (ticketId) return { ticketId, via: 'token' }
  }
  if (referenced) {
    const ticketId = await survivorOf(tx, referenced)
    if (ticketId) return { ticketId, via: 'references' }
  }
  const numbered = await bySubject(tx, tenantId, ticketPrefix, mail)
  if (numbered) {
    const ticketId = await survivorOf(tx, await ticketById(tx, numbered))
    if (ticketId) return { ticketId, via: 'subject' }
  }
  return null
}
