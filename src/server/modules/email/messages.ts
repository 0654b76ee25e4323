import { sql, type Selectable } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import type { AppContext } from '../../platform/context.js'
import type { EmailMessagesTable, Tx } from '../../platform/db/schema.js'
import { withTenant } from '../../platform/db/tenant.js'
import { conflict, notFound } from '../../platform/errors.js'
import { recordAudit } from '../../platform/audit.js'
import { loadVisibleTicket } from '../tickets/present.js'
import { assertNotMerged } from '../conversation/add-comment.js'
import { saveParts } from './body.js'
import { parseMail } from './parse.js'
import { assignToTicket, type InboundResult } from './process-inbound.js'
import type { MessageOut, MessagesQueryIn } from './schemas.js'

type MessageRow = Selectable<EmailMessagesTable>

export function presentMessage(r: MessageRow): MessageOut {
  return {
    id: r.id, account_id: r.account_id, direction: r.direction, channel: r.channel, message_id: r.message_id, in_reply_to: r.in_reply_to,
    from: r.from_address, from_name: r.from_name, to: r.to_addresses, cc: r.cc_addresses, subject: r.subject, size_bytes: Number(r.raw_size),
    status: r.status, outcome: r.outcome, reason: r.reason, ticket_id: r.ticket_id, comment_id: r.comment_id, attempts: r.attempts,
    last_error: r.last_error, received_at: r.received_at, processed_at: r.processed_at,
  }
}

/** The organization's stored messages, newest first, filtered by status, direction, mailbox or ticket. */
export async function listMessages(tx: Tx, actor: Actor, query: MessagesQueryIn): Promise<{ rows: MessageOut[]; total: number; page: number; limit: number }> {
  const page = query.page ?? 1
  const limit = query.limit ?? 25
  let q = tx.selectFrom('email_messages').where('tenant_id', '=', actor.tenantId)
  if (query.status) q = q.where('status', '=', query.status)
  if (query.direction) q = q.where('direction', '=', query.direction)
  if (query.account_id) q = q.where('account_id', '=', query.account_id)
  if (query.ticket_id) q = q.where('ticket_id', '=', query.ticket_id)
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('received_at', 'desc').orderBy('id', 'desc').limit(limit).offset((page - 1) * limit).execute(),
    q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows: rows.map(presentMessage), total: count.n, page, limit }
}

export async function loadMessage(tx: Tx, tenantId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<MessageRow> {
  let q = tx.selectFrom('email_messages').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id)
  if (opts.forUpdate) q = q.forUpdate()
  const row = await q.executeTakeFirst()
  if (!row) throw notFound('Email message')
  return row
}

/** The email messages of a ticket the actor can see (staff), oldest first: what came in, what went out, and what failed. */
export async function ticketMessages(tx: Tx, actor: Actor, ticketId: string): Promise<MessageOut[]> {
  await loadVisibleTicket(tx, actor, ticketId)
  const rows = await tx.selectFrom('email_messages').selectAll()
    .where('tenant_id', '=', actor.tenantId).where('ticket_id', '=', ticketId)
    .orderBy('received_at').limit(500).execute()
  return rows.map(presentMessage)
}

function assertUnrouted(row: MessageRow): void {
  if (row.status !== 'unrouted') throw conflict(`This message is ${row.status}, not waiting in the unrouted queue.`)
}

/** Discards an unrouted message: it leaves the queue, and its raw copy stays for the record. */
export async function discardUnrouted(tx: Tx, actor: Actor, id: string, ip?: string): Promise<MessageOut> {
  const row = await loadMessage(tx, actor.tenantId, id, { forUpdate: true })
  assertUnrouted(row)
  const updated = await tx.updateTable('email_messages').set({ status: 'discarded', processed_at: sql`now()` })
    .where('tenant_id', '=', actor.tenantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
  await recordAudit(tx, actor, 'email.discarded', 'email_message', id, { reason: row.reason, from: row.from_address }, ip ?? null)
  return presentMessage(updated)
}

/** Puts an unrouted message back in the processing queue (after a mailbox was added, say), to be routed afresh. */
export async function retryUnrouted(tx: Tx, actor: Actor, id: string, accountId: string | null): Promise<void> {
  const row = await loadMessage(tx, actor.tenantId, id, { forUpdate: true })
  assertUnrouted(row)
  await tx.updateTable('email_messages')
    .set({ status: 'received', reason: null, attempts: 0, available_at: sql`now()`, locked_until: null, ...(accountId ? { account_id: accountId } : {}) })
    .where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute()
}

/**
 * Assigns an unrouted message to a ticket the actor can see: it becomes a reply from its sender
 * there, with its attachments, exactly as if it had threaded by itself.
 */
export async function assignUnrouted(ctx: AppContext, actor: Actor, id: string, ticketId: string, ip?: string): Promise<InboundResult> {
  const head = await withTenant(ctx.db, { tenantId: actor.tenantId, userId: actor.userId }, (tx) => loadMessage(tx, actor.tenantId, id))
  assertUnrouted(head)
  const raw = head.raw_key ? await ctx.files.get(head.raw_key) : null
  if (!raw) throw conflict('The raw message is missing; it cannot be assigned.')
  const mail = await parseMail(raw).catch(() => null)
  if (!mail?.from) throw conflict('This message has no readable sender; it cannot become a reply.')
  const { parts, skipped } = await saveParts(ctx.files, mail, ctx.config.attachmentMaxBytes)
  return withTenant(ctx.db, { tenantId: actor.tenantId, userId: actor.userId }, async (tx) => {
    const row = await loadMessage(tx, actor.tenantId, id, { forUpdate: true })
    assertUnrouted(row)
    const ticket = await loadVisibleTicket(tx, actor, ticketId)
    assertNotMerged(ticket)
    const result = await assignToTicket({ ctx, tx, actor, row, mail, raw, parts, skipped }, ticket)
    await recordAudit(tx, actor, 'email.assigned', 'email_message', id, { ticket_id: ticket.id }, ip ?? null)
    return result
  })
}
