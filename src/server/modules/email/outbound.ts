import { sql } from 'kysely'
import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import type { AppContext } from '../../platform/context.js'
import type { EmailChannel, EmailTemplateKey, Tx } from '../../platform/db/schema.js'
import { uuidv7 } from '../../platform/ids.js'
import { formatTicketNumber } from '../tickets/present.js'
import { loadTemplate, renderTemplate, type TemplateValues } from './templates.js'
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

/** The mailbox a ticket's mail goes out through: the one it came in by, else the organization's first active one. */
async function sendingAccount(tx: Tx, tenantId: string, preferred: string | null) {
  let q = tx.selectFrom('email_accounts').select(['id', 'address']).where('tenant_id', '=', tenantId).where('is_active', '=', true)
  if (preferred) q = q.orderBy(sql`id = ${preferred}`, 'desc')
  return q.orderBy('created_at').limit(1).executeTakeFirst()
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
  /** For replies: the agent's name and the reply in HTML and text. */
  agentName?: string | null
  replyHtml?: string
  replyText?: string
  /** Addresses not to send to (the author of a reply that came in by email). */
  exclude?: string[]
}

/**
 * Queues a mail about a ticket in the caller's transaction: renders the organization's template,
 * builds the complete message (From the ticket's mailbox, To the requester, Cc the ticket's
 * copies, a Message-ID carrying the reply token, In-Reply-To and References continuing the
 * thread, the ticket number in the subject) and stores it. Nothing is queued for a disabled
 * template, a deleted or spam ticket, or a requester without a deliverable address. Sending is
 * the worker's job (`sendQueued`). Returns the queued message's id, or null.
 */
export async function queueTicketMail(ctx: AppContext, tx: Tx, tenantId: string, opts: QueueOptions): Promise<string | null> {
  const template = await loadTemplate(tx, tenantId, TEMPLATE_OF[opts.channel])
  if (!template.enabled) return null
  const ticket = await ticketForMail(tx, tenantId, opts.ticketId)
  if (!ticket || ticket.deleted_at || ticket.is_spam) return null
  const exclude = new Set((opts.exclude ?? []).map((e) => e.toLowerCase()))
  const requester = ticket.requester_email?.toLowerCase() ?? null
  if (!requester || exclude.has(requester)) return null
  if (opts.channel === 'acknowledgement' && ticket.requester_email_status === 'bouncing') return null
  const account = await sendingAccount(tx, tenantId, ticket.email_account_id)
  const cc = opts.channel === 'acknowledgement' ? [] : ticket.cc_emails.filter((a) => !exclude.has(a) && a !== requester)
  const number = formatTicketNumber(ticket.ticket_prefix, ticket.number)
  const values: TemplateValues = {
    'ticket.number': number, 'ticket.subject': ticket.subject, 'ticket.status': ticket.status_name,
    'ticket.url': `${ctx.config.publicUrl}/tickets/${ticket.id}`,
    'requester.name': ticket.requester_name ?? '', 'requester.email': requester,
    'agent.name': opts.agentName ?? ticket.org_name, 'organization.name': ticket.org_name,
    reply: opts.replyText ?? '', ...(opts.replyHtml !== undefined ? { replyHtml: opts.replyHtml } : {}),
  }
  const rendered = renderTemplate(template, values)
  // The ticket number always travels in the subject, whatever the template says: it is the
  // last-resort threading key when a client drops the headers.
  const subject = rendered.subject.includes(number) ? rendered.subject : `${rendered.subject} [${number}]`
  const fromAddress = account?.address ?? ctx.config.mailFrom.replace(/^.*<([^>]+)>.*$/, '$1')
  const messageId = outboundMessageId(ctx.emailTokenKey, tenantId, ticket.id, domainOf(fromAddress))
  const thread = await threadHeaders(tx, tenantId, ticket.id)
  const autoGenerated = opts.channel !== 'reply'
  const raw = await new MailComposer({
    from: { name: ticket.org_name, address: fromAddress },
    to: requester,
    ...(cc.length ? { cc } : {}),
    subject,
    text: rendered.text,
    html: rendered.html,
    messageId: `<${messageId}>`,
    ...(thread.inReplyTo ? { inReplyTo: `<${thread.inReplyTo}>` } : {}),
    ...(thread.references.length ? { references: thread.references.map((r) => `<${r}>`) } : {}),
    headers: {
      'X-Aidly-Ticket': number,
      ...(autoGenerated ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } : {}),
    },
  }).compile().build()
  const rawKey = await ctx.files.put(raw)
  const id = uuidv7()
  await tx.insertInto('email_messages').values({
    tenant_id: tenantId, id, account_id: account?.id ?? null, direction: 'outbound', channel: opts.channel,
    message_id: messageId, in_reply_to: thread.inReplyTo, reference_ids: thread.references,
    from_address: fromAddress, from_name: ticket.org_name, to_addresses: [requester], cc_addresses: cc,
    subject, raw_key: rawKey, raw_size: raw.length, status: 'queued', ticket_id: ticket.id, comment_id: opts.commentId ?? null,
  }).execute()
  return id
}

/** The acknowledgement for a ticket opened by email (the ticket_created template). */
export async function queueAcknowledgement(ctx: AppContext, tx: Tx, tenantId: string, ticketId: string): Promise<string | null> {
  return queueTicketMail(ctx, tx, tenantId, { channel: 'acknowledgement', ticketId })
}
