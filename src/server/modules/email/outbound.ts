import { sql } from 'kysely'
import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import type { AppContext } from '../../platform/context.js'
import type { EmailChannel, EmailTemplateKey, Tx } from '../../platform/db/schema.js'
import { withTenant } from '../../platform/db/tenant.js'
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
  if (!ticket || ticket.deleted_at || ticket.is_spam) return null
  const exclude = new Set((opts.exclude ?? []).map((e) => e.toLowerCase()))
  const requester = ticket.requester_email?.toLowerCase() ?? null
  if (!requester || exclude.has(requester)) return null
  if (opts.channel === 'acknowledgement' && ticket.requester_email_status === 'bouncing') return null
  const account = await sendingAccount(tx, tenantId, ticket.email_account_id)
  const cc = opts.channel === 'acknowledgement' ? [] : ticket.cc_emails.filter((a) => !exclude.has(a) && a !== requester)
  const fromAddress = account?.address ?? ctx.config.mailFrom.replace(/^.*<([^>]+)>.*$/, '$1')
  const thread = await threadHeaders(tx, tenantId, ticket.id)
  const id = uuidv7()
  await tx.insertInto('email_messages').values({
    tenant_id: tenantId, id, account_id: account?.id ?? null, direction: 'outbound', channel: opts.channel,
    message_id: outboundMessageId(ctx.emailTokenKey, tenantId, ticket.id, domainOf(fromAddress)),
    in_reply_to: thread.inReplyTo, reference_ids: thread.references,
    from_address: fromAddress, from_name: ticket.org_name, to_addresses: [requester], cc_addresses: cc,
    subject: ticket.subject, status: 'queued', ticket_id: ticket.id, comment_id: opts.commentId ?? null,
  }).execute()
  return id
}

/**
 * Composes a queued mail: the organization's template as it is now, filled with the ticket (and,
 * for a reply, the comment and its author), the ticket number always in the subject, the headers
 * fixed when it was queued, and `Auto-Submitted: auto-replied` on anything that is not a person's
 * reply. The message is stored in the file store and the row points at it, so what was sent can
 * always be read back. Returns the raw message, or null when its ticket or comment is gone.
 */
export async function composeQueued(ctx: AppContext, tenantId: string, id: string): Promise<Buffer | null> {
  return withTenant(ctx.db, { tenantId }, async (tx) => {
    const row = await tx.selectFrom('email_messages').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirstOrThrow()
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
  })
}

/** The acknowledgement for a ticket opened by email (the ticket_created template). */
export async function queueAcknowledgement(ctx: AppContext, tx: Tx, tenantId: string, ticketId: string): Promise<string | null> {
  return queueTicketMail(ctx, tx, tenantId, { channel: 'acknowledgement', ticketId })
}
