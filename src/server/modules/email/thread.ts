import { sql } from 'kysely'
import type { Tx } from '../../platform/db/schema.js'
import type { InboundMail } from './parse.js'
import { recipientsOf } from './parse.js'
import { ticketsFromTokens } from './tokens.js'

export interface ThreadMatch {
  ticketId: string
  via: 'token' | 'references' | 'subject'
}

interface LiveTicket {
  id: string
  merged_into_id: string | null
  deleted_at: string | null
}

async function ticketById(tx: Tx, id: string): Promise<LiveTicket | undefined> {
  return tx.selectFrom('tickets').select(['id', 'merged_into_id', 'deleted_at']).where('id', '=', id).executeTakeFirst()
}

/** The ticket a conversation continues on: merged tickets hand over to their survivor; deleted ones end the thread. */
async function survivor(tx: Tx, id: string): Promise<string | null> {
  let current = await ticketById(tx, id)
  for (let hops = 0; current && current.merged_into_id && hops < 10; hops++) current = await ticketById(tx, current.merged_into_id)
  return current && !current.deleted_at && !current.merged_into_id ? current.id : null
}

async function byReferences(tx: Tx, tenantId: string, ids: string[]): Promise<string | null> {
  if (!ids.length) return null
  const row = await tx.selectFrom('email_messages').select('ticket_id')
    .where('tenant_id', '=', tenantId)
    .where('message_id', '=', sql<string>`ANY(${sql.val(ids)}::text[])`)
    .where('ticket_id', 'is not', null)
    .orderBy('received_at', 'desc').limit(1).executeTakeFirst()
  return row?.ticket_id ?? null
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
 * every message id we received or sent, then the ticket number in the subject when the sender
 * belongs to that ticket. Null means a new conversation. Runs in the organization's transaction.
 */
export async function findThread(tx: Tx, tokenKey: Buffer, tenantId: string, ticketPrefix: string, mail: InboundMail): Promise<ThreadMatch | null> {
  const refs = [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...[...mail.references].reverse()]
  for (const id of ticketsFromTokens(tokenKey, tenantId, [...refs, ...recipientsOf(mail)])) {
    const ticketId = await survivor(tx, id)
    if (ticketId) return { ticketId, via: 'token' }
  }
  const referenced = await byReferences(tx, tenantId, refs)
  if (referenced) {
    const ticketId = await survivor(tx, referenced)
    if (ticketId) return { ticketId, via: 'references' }
  }
  const numbered = await bySubject(tx, tenantId, ticketPrefix, mail)
  if (numbered) {
    const ticketId = await survivor(tx, numbered)
    if (ticketId) return { ticketId, via: 'subject' }
  }
  return null
}
