import { sql, type Insertable, type Selectable } from 'kysely'
import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import type { AppContext } from '../../platform/context.js'
import type { EmailChannel, EmailMessagesTable, EmailTemplateKey, Tx } from '../../platform/db/schema.js'
import { uuidv7 } from '../../platform/ids.js'
import { formatTicketNumber } from '../tickets/present.js'
import type { MailboxRef } from './intake.js'
import { loadTemplate, renderTemplate, type TemplateText, type TemplateValues } from './templates.js'
import { domainOf, outboundMessageId } from './tokens.js'

type OutboundChannel = Extract<EmailChannel, 'reply' | 'acknowledgement' | 'resolved'>

const TEMPLATE_OF: Record<OutboundChannel, EmailTemplateKey> = {
  acknowledgement: 'ticket_created',
  reply: 'agent_reply',
  resolved: 'ticket_resolved',
}

/** What a ticket's outgoing mail needs to know about it. */
async function ticketForMail(tx: Tx, tenantId: string, ticketId: string) {
  return tx.selectFrom('tickets as t')
    .innerJoin('organizations as o', 'o.id', 't.tenant_id')
    .innerJoin('ticket_statuses as s', (j) => j.onRef('s.tenant_id', '=', 't.tenant_id').onRef('s.id', '=', 't.status_id'))
    .leftJoin('contacts as c', (j) => j.onRef('c.tenant_id', '=', 't.tenant_id').onRef('c.id', '=', 't.requester_id'))
    .select(['t.id', 't.number', 't.subject', 't.cc_emails', 't.email_account_id', 't.deleted_at', 't.is_spam', 'o.name as org_name', 'o.ticket_prefix',
      's.name as status_name', 'c.name as requester_name', 'c.email as requester_email', 'c.email_status as requester_email_status'])
    .where('t.tenant_id', '=', tenantId).where('t.id', '=', ticketId)
    .executeTakeFirst()
}

export type MailTicket = NonNullable<Awaited<ReturnType<typeof ticketForMail>>>

/** The mailbox a ticket's mail goes out through: the one it came in by, else the organization's first active one. */
async function sendingAccount(tx: Tx, tenantId: string, preferred: string | null) {
  let q = tx.selectFrom('email_accounts').select(['id', 'address']).where('tenant_id', '=', tenantId).where('is_active', '=', true)
  if (preferred) q = q.orderBy(sql`id = ${preferred}`, 'desc')
  return q.orderBy('created_at').limit(1).executeTakeFirst()
}

/** `sendingAccount` over the organization's mailboxes already read (oldest first). */
function sendingAccountOf(accounts: readonly MailboxRef[], preferred: string | null): MailboxRef | undefined {
  return accounts.find((a) => a.is_active && a.id === preferred) ?? accounts.find((a) => a.is_active)
}

/** The thread a new mail on this ticket continues: the last message's id, and the references chain. */
async function threadHeaders(tx: Tx, tenantId: string, ticketId: string): Promise<{ inReplyTo: string | null; references: string[] }> {
  const rows = await tx.selectFrom('email_messages').select(['message_id'])
    .where('tenant_id', '=', tenantId).where('ticket_id', '=', ticketId)
    .where('status', 'in', ['received', 'processed', 'sent', 'queued'])
    .orderBy('received_at', 'desc').limit(20).execute()
  const ids = rows.map((r) => r.message_id).reverse()
  return { inReplyTo: ids.at(-1) ?? null, references: ids }
}

export interface QueueOptions {
  channel: OutboundChannel
  ticketId: string
  commentId?: string | null
  /** Addresses not to send to (the author of a reply that came in by email). */
  exclude?: string[]
}

/**
 * Queues a mail about a ticket in the caller's transaction — who it goes to (the requester, and
 * the ticket's CCs for replies and resolution notices), From the ticket's mailbox, a Message-ID
 * carrying the reply token, and In-Reply-To/References continuing the thread — so it is queued
 * exactly when the change that causes it commits. Nothing is queued for a disabled template, a
 * deleted or spam ticket, or a requester without an address (or, for acknowledgements, with a
 * bouncing one). The message itself is composed when it is sent (`composeQueued`), outside any
 * transaction. Returns the queued message's id, or null.
 */
export async function queueTicketMail(ctx: AppContext, tx: Tx, tenantId: string, opts: QueueOptions): Promise<string | null> {
  const template = await loadTemplate(tx, tenantId, TEMPLATE_OF[opts.channel])
  if (!template.enabled) return null
  const ticket = await ticketForMail(tx, tenantId, opts.ticketId)
  const to = ticket && recipientsOf(opts, ticket)
  if (!to) return null
  const account = await sendingAccount(tx, tenantId, ticket.email_account_id)
  const row = mailRow(ctx, tenantId, opts, ticket, to, account, await threadHeaders(tx, tenantId, ticket.id))
  await tx.insertInto('email_messages').values(row).execute()
  return row.id
}

/** Who a mail about this ticket goes to, or null when it goes to no one (see queueTicketMail). */
function recipientsOf(opts: QueueOptions, ticket: MailTicket): { requester: string; cc: string[] } | null {
  if (ticket.deleted_at || ticket.is_spam) return null
  const exclude = new Set((opts.exclude ?? []).map((e) => e.toLowerCase()))
  const requester = ticket.requester_email?.toLowerCase() ?? null
  if (!requester || exclude.has(requester)) return null
  if (opts.channel === 'acknowledgement' && ticket.requester_email_status === 'bouncing') return null
  const cc = opts.channel === 'acknowledgement' ? [] : ticket.cc_emails.filter((a) => !exclude.has(a) && a !== requester)
  return { requester, cc }
}

/** The queued mail's row: From the mailbox (or AIDLY_MAIL_FROM), a Message-ID with the reply token, the thread's headers. */
function mailRow(
  ctx: AppContext, tenantId: string, opts: QueueOptions, ticket: MailTicket, to: { requester: string; cc: string[] },
  account: { id: string; address: string } | undefined, thread: { inReplyTo: string | null; references: string[] },
): Insertable<EmailMessagesTable> & { id: string } {
  const fromAddress = account?.address ?? ctx.config.mailFrom.replace(/^.*<([^>]+)>.*$/, '$1')
  return {
    tenant_id: tenantId, id: uuidv7(), account_id: account?.id ?? null, direction: 'outbound', channel: opts.channel,
    message_id: outboundMessageId(ctx.emailTokenKey, tenantId, ticket.id, domainOf(fromAddress)),
    in_reply_to: thread.inReplyTo, reference_ids: thread.references,
    from_address: fromAddress, from_name: ticket.org_name, to_addresses: [to.requester], cc_addresses: to.cc,
    subject: ticket.subject, status: 'queued', ticket_id: ticket.id, comment_id: opts.commentId ?? null,
  }
}

/**
 * Composes a queued mail: the organization's template as it is now, filled with the ticket (and,
 * for a reply, the comment and its author), the ticket number always in the subject, the headers
 * fixed when it was queued, and `Auto-Submitted: auto-replied` on anything that is not a person's
 * reply. The message is stored in the file store and the row points at it (in the caller's
 * transaction), so what was sent can always be read back. Returns the raw message, or null when
 * its ticket or comment is gone.
 */
export async function composeQueued(ctx: AppContext, tx: Tx, row: Selectable<EmailMessagesTable>): Promise<Buffer | null> {
  const { tenant_id: tenantId, id } = row
  const channel = row.channel as OutboundChannel
  if (!row.ticket_id) return null
  const ticket = await ticketForMail(tx, tenantId, row.ticket_id)
  if (!ticket) return null
  const comment = row.comment_id ? await tx.selectFrom('comments as c').leftJoin('users as u', 'u.id', 'c.author_user_id')
    .select(['c.body_html', 'c.body_text', 'u.name as author_name']).where('c.tenant_id', '=', tenantId).where('c.id', '=', row.comment_id)
    .executeTakeFirst() : undefined
  if (channel === 'reply' && !comment) return null
  const template = await loadTemplate(tx, tenantId, TEMPLATE_OF[channel])
  const number = formatTicketNumber(ticket.ticket_prefix, ticket.number)
  const values: TemplateValues = {
    'ticket.number': number, 'ticket.subject': ticket.subject, 'ticket.status': ticket.status_name,
    'ticket.url': `${ctx.config.publicUrl}/tickets/${ticket.id}`,
    'requester.name': ticket.requester_name ?? '', 'requester.email': row.to_addresses[0] ?? '',
    'agent.name': comment?.author_name ?? ticket.org_name, 'organization.name': ticket.org_name,
    reply: comment?.body_text ?? '', ...(comment ? { replyHtml: comment.body_html } : {}),
  }
  const rendered = renderTemplate(template, values)
  // The ticket number always travels in the subject, whatever the template says: it is the
  // last-resort threading key when a client drops the headers.
  const subject = rendered.subject.includes(number) ? rendered.subject : `${rendered.subject} [${number}]`
  const raw = await new MailComposer({
    from: { name: row.from_name ?? ticket.org_name, address: row.from_address ?? '' },
    to: row.to_addresses,
    ...(row.cc_addresses.length ? { cc: row.cc_addresses } : {}),
    subject,
    text: rendered.text,
    html: rendered.html,
    messageId: `<${row.message_id}>`,
    ...(row.in_reply_to ? { inReplyTo: `<${row.in_reply_to}>` } : {}),
    ...(row.reference_ids.length ? { references: row.reference_ids.map((r) => `<${r}>`) } : {}),
    headers: {
      'X-Aidly-Ticket': number,
      ...(channel !== 'reply' ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } : {}),
    },
  }).compile().build()
  const rawKey = await ctx.files.put(raw)
  await tx.updateTable('email_messages').set({ raw_key: rawKey, raw_size: raw.length, subject })
    .where('tenant_id', '=', tenantId).where('id', '=', id).execute()
  return raw
}

/**
 * The acknowledgement of a ticket just opened from an inbound message, as the row to insert (null
 * when none goes out), by the rules of queueTicketMail but from what the caller already holds
 * instead of reading it back: the ticket as created (going out through `ticket.email_account_id`),
 * the organization's template and mailboxes, and the inbound message, which is the whole thread so far.
 */
export function acknowledgementRow(
  ctx: AppContext, tenantId: string, template: TemplateText, ticket: MailTicket, accounts: readonly MailboxRef[], inboundMessageId: string,
): Insertable<EmailMessagesTable> | null {
  if (!template.enabled) return null
  const opts: QueueOptions = { channel: 'acknowledgement', ticketId: ticket.id }
  const to = recipientsOf(opts, ticket)
  if (!to) return null
  return mailRow(ctx, tenantId, opts, ticket, to, sendingAccountOf(accounts, ticket.email_account_id), { inReplyTo: inboundMessageId, references: [inboundMessageId] })
}
