import { sql } from 'kysely'
import { systemActor, type Actor } from '../../platform/auth/actor.js'
import type { AppContext } from '../../platform/context.js'
import type { EmailOutcome, EmailStatus, Tx } from '../../platform/db/schema.js'
import { withTenant } from '../../platform/db/tenant.js'
import { uuidv7 } from '../../platform/ids.js'
import { emit } from '../../platform/outbox.js'
import { findOrCreateContact } from '../contacts/find-or-create.js'
import { reopenForCustomer } from '../conversation/add-comment.js'
import { createTicket } from '../tickets/create-ticket.js'
import { recordHistory } from '../tickets/history.js'
import { reloadTicket } from '../tickets/ticket-writes.js'
import { saveParts, visibleBody, type SavedPart } from './body.js'
import { classifyMessage } from './classify.js'
import { queueAcknowledgement } from './outbound.js'
import { parseMail, type InboundMail } from './parse.js'
import { findThread } from './thread.js'

/** What became of an inbound message. */
export interface InboundResult {
  id: string
  status: EmailStatus
  outcome: EmailOutcome | 'unrouted' | 'queued'
  reason: string | null
  ticket_id: string | null
  comment_id: string | null
}

/** Categories in which a reply no longer continues the ticket: it opens a new one. */
const FINISHED = new Set(['closed', 'cancelled'])
const SENDER_WINDOW_MINUTES = 10

interface Decision {
  status: EmailStatus
  outcome: EmailOutcome | null
  reason: string | null
  ticketId: string | null
  commentId: string | null
}

const drop = (reason: string, ticketId: string | null = null): Decision =>
  ({ status: 'dropped', outcome: 'dropped', reason, ticketId, commentId: null })

function resultOf(id: string, d: { status: EmailStatus; outcome: EmailOutcome | null; reason: string | null; ticket_id: string | null; comment_id: string | null }): InboundResult {
  const outcome = d.outcome ?? (d.status === 'received' ? 'queued' : 'unrouted')
  return { id, status: d.status, outcome, reason: d.reason, ticket_id: d.ticket_id, comment_id: d.comment_id }
}

async function insertParts(tx: Tx, tenantId: string, ticketId: string, commentId: string | null, parts: SavedPart[]): Promise<void> {
  if (!parts.length) return
  await tx.insertInto('attachments').values(parts.map((p) => ({
    tenant_id: tenantId, id: p.id, ticket_id: ticketId, comment_id: commentId, file_key: p.key, filename: p.filename,
    content_type: p.contentType, size_bytes: p.size, is_inline: p.inline, content_id: p.contentId, uploaded_by: null,
  }))).execute()
}

/** Addresses copied on the message that are neither ours nor the requester's: kept on the ticket. */
async function ccToKeep(tx: Tx, mail: InboundMail, requesterEmail: string | null): Promise<string[]> {
  const ours = new Set((await tx.selectFrom('email_accounts').select('address').execute()).map((r) => r.address))
  const sender = mail.from?.address
  return [...new Set([...mail.to, ...mail.cc].map((a) => a.address))]
    .filter((a) => !ours.has(a) && a !== requesterEmail && a !== sender && !/^(mailer-daemon|postmaster|no-?reply)@/.test(a))
    .slice(0, 50)
}

/** A bounce: noted on the ticket whose mail bounced, that outbound mail marked failed, the addresses marked bouncing. */
async function recordBounce(tx: Tx, actor: Actor, originalId: string | null, recipients: string[], reason: string): Promise<string | null> {
  let ticketId: string | null = null
  if (originalId) {
    const original = await tx.selectFrom('email_messages').select(['id', 'ticket_id'])
      .where('tenant_id', '=', actor.tenantId).where('message_id', '=', originalId).where('direction', '=', 'outbound')
      .executeTakeFirst()
    if (original) {
      ticketId = original.ticket_id
      await tx.updateTable('email_messages').set({ status: 'failed', last_error: `bounced: ${reason}`.slice(0, 2000) })
        .where('tenant_id', '=', actor.tenantId).where('id', '=', original.id).execute()
    }
  }
  if (recipients.length) {
    await tx.updateTable('contacts').set({ email_status: 'bouncing', updated_at: sql`now()` })
      .where('tenant_id', '=', actor.tenantId).where(sql<string>`lower(email)`, '=', sql<string>`ANY(${sql.val(recipients)}::text[])`).execute()
  }
  if (ticketId) await recordHistory(tx, actor, ticketId, [{ field: 'email_bounced', old_value: null, new_value: { recipients, reason } }])
  return ticketId
}

async function senderOverLimit(tx: Tx, tenantId: string, sender: string, selfId: string, limit: number): Promise<boolean> {
  const row = await tx.selectFrom('email_messages').select(sql<number>`count(*)::int`.as('n'))
    .where('tenant_id', '=', tenantId).where('direction', '=', 'inbound').where('from_address', '=', sender)
    .where('id', '!=', selfId)
    .where('received_at', '>', sql<string>`now() - make_interval(mins => ${SENDER_WINDOW_MINUTES})`)
    .where('status', 'in', ['processed', 'dropped'])
    .executeTakeFirstOrThrow()
  return row.n >= limit
}

export interface Work {
  ctx: AppContext
  tx: Tx
  actor: Actor
  row: { id: string; account_id: string | null; message_id: string }
  mail: InboundMail
  raw: Buffer
  parts: SavedPart[]
  skipped: string[]
}

/** The message as a reply on an existing ticket: a public comment by its sender, reopening the ticket if it waited on them. */
export async function addEmailComment(w: Work, ticketId: string): Promise<Decision> {
  const { tx, actor, mail } = w
  const tenantId = actor.tenantId
  const ticket = await reloadTicket(tx, ticketId)
  await tx.selectFrom('tickets').select('id').where('tenant_id', '=', tenantId).where('id', '=', ticketId).forNoKeyUpdate().execute()
  const sender = mail.from!
  const staff = await tx.selectFrom('memberships as m').innerJoin('users as u', 'u.id', 'm.user_id')
    .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'm.tenant_id').onRef('r.id', '=', 'm.role_id'))
    .select('u.id').where('m.tenant_id', '=', tenantId).where(sql<string>`lower(u.email)`, '=', sender.address)
    .where('r.kind', '=', 'staff').where('m.is_active', '=', true).executeTakeFirst()
  const contact = staff ? null : await findOrCreateContact(tx, tenantId, { email: sender.address, name: sender.name || null })
  const body = visibleBody(mail, w.parts, w.skipped)
  const commentId = uuidv7()
  await tx.insertInto('comments').values({
    tenant_id: tenantId, id: commentId, ticket_id: ticketId, author_user_id: staff?.id ?? null, author_contact_id: contact?.id ?? null,
    body_html: body.html, body_text: body.text, is_internal: false, source: 'email', mentions: [],
  }).execute()
  await insertParts(tx, tenantId, ticketId, commentId, w.parts)
  if (!staff) await reopenForCustomer(tx, actor, ticket)
  const cc = await ccToKeep(tx, mail, ticket.requester_email?.toLowerCase() ?? null)
  await tx.updateTable('tickets')
    .set({ updated_at: sql`now()`, last_activity_at: sql`now()`, cc_emails: sql`ARRAY(SELECT DISTINCT unnest(cc_emails || ${sql.val(cc)}::text[]))` })
    .where('tenant_id', '=', tenantId).where('id', '=', ticketId).execute()
  await emit(tx, tenantId, 'comment.added', { ticket_id: ticketId, comment_id: commentId, is_internal: false, actor_id: staff?.id ?? null, source: 'email' })
  return { status: 'processed', outcome: 'comment_added', reason: null, ticketId, commentId }
}

/** The message as a new ticket from its sender, with the mailbox's defaults, and an acknowledgement queued. */
async function openEmailTicket(w: Work, account: { id: string; default_team_id: string | null; default_priority: string | null; default_category_id: string | null }): Promise<Decision> {
  const { tx, actor, mail } = w
  const sender = mail.from!
  const body = visibleBody(mail, w.parts, w.skipped)
  const ticket = await createTicket(tx, actor, {
    subject: mail.subject || '(no subject)',
    description: body.html,
    source: 'email',
    requester: { email: sender.address, name: sender.name || undefined },
    ...(account.default_priority ? { priority: account.default_priority as 'low' } : {}),
    ...(account.default_team_id ? { team_id: account.default_team_id } : {}),
    ...(account.default_category_id ? { category_id: account.default_category_id } : {}),
  })
  await insertParts(tx, actor.tenantId, ticket.id, null, w.parts)
  // Linked now so that the acknowledgement's In-Reply-To names this message.
  await tx.updateTable('email_messages').set({ ticket_id: ticket.id }).where('tenant_id', '=', actor.tenantId).where('id', '=', w.row.id).execute()
  const cc = await ccToKeep(tx, mail, sender.address)
  await tx.updateTable('tickets').set({ cc_emails: cc, email_account_id: account.id })
    .where('tenant_id', '=', actor.tenantId).where('id', '=', ticket.id).execute()
  await queueAcknowledgement(w.ctx, tx, actor.tenantId, ticket.id)
  return { status: 'processed', outcome: 'ticket_created', reason: null, ticketId: ticket.id, commentId: null }
}

async function decide(w: Work): Promise<Decision> {
  const { tx, actor, mail, row, ctx } = w
  const tenantId = actor.tenantId
  const earlier = await tx.selectFrom('email_messages').select(['ticket_id'])
    .where('tenant_id', '=', tenantId).where('message_id', '=', row.message_id).where('id', '!=', row.id)
    .where((eb) => eb.or([eb('outcome', 'in', ['ticket_created', 'comment_added']), eb('direction', '=', 'outbound')]))
    .orderBy('received_at').limit(1).executeTakeFirst()
  if (earlier) return { status: 'processed', outcome: 'duplicate', reason: null, ticketId: earlier.ticket_id, commentId: null }

  const kind = classifyMessage(mail.parsed, w.raw)
  if (kind.kind === 'bounce') {
    const ticketId = await recordBounce(tx, actor, kind.original_message_id, kind.recipients, kind.reason)
    return drop(`bounce: ${kind.reason}`, ticketId)
  }
  if (kind.kind === 'auto_reply') return drop(`auto_reply: ${kind.reason}`)
  if (!row.account_id) return { status: 'unrouted', outcome: null, reason: 'no_matching_mailbox', ticketId: null, commentId: null }
  const account = await tx.selectFrom('email_accounts').select(['id', 'address', 'auto_create', 'default_team_id', 'default_priority', 'default_category_id'])
    .where('tenant_id', '=', tenantId).where('id', '=', row.account_id).executeTakeFirst()
  if (!account) return { status: 'unrouted', outcome: null, reason: 'no_matching_mailbox', ticketId: null, commentId: null }
  const sender = mail.from?.address
  if (!sender) return { status: 'unrouted', outcome: null, reason: 'no_sender', ticketId: null, commentId: null }
  const ours = await tx.selectFrom('email_accounts').select('id').where('tenant_id', '=', tenantId).where('address', '=', sender).executeTakeFirst()
  if (ours) return drop('loop: sent from one of our own mailboxes')
  const known = await tx.selectFrom('contacts').select(['is_blocked']).where('tenant_id', '=', tenantId)
    .where('deleted_at', 'is', null).where(sql<string>`lower(email)`, '=', sender).executeTakeFirst()
  if (known?.is_blocked) return drop('blocked_sender')
  if (await senderOverLimit(tx, tenantId, sender, row.id, ctx.config.mailSenderLimit)) return drop('rate_limited: too many messages from this sender')

  const prefix = (await tx.selectFrom('organizations').select('ticket_prefix').where('id', '=', tenantId).executeTakeFirstOrThrow()).ticket_prefix
  const thread = await findThread(tx, ctx.emailTokenKey, tenantId, prefix, mail)
  if (thread) {
    const ticket = await reloadTicket(tx, thread.ticketId)
    if (!FINISHED.has(ticket.status_category)) return addEmailComment(w, thread.ticketId)
  }
  if (!account.auto_create) return { status: 'unrouted', outcome: null, reason: 'auto_create_off', ticketId: null, commentId: null }
  return openEmailTicket(w, account)
}

/**
 * Processes one stored inbound message in one transaction with everything it produces (the
 * ticket or comment, its files' rows, contacts, the bounce notes): either all of it commits or
 * none, and a message already processed is never processed again, so retries after a crash
 * neither lose nor duplicate anything. Messages with the same Message-ID are serialized by an
 * advisory lock; the second one is a `duplicate`.
 */
export async function processInbound(ctx: AppContext, tenantId: string, id: string, parsed?: InboundMail | null): Promise<InboundResult> {
  const head = await withTenant(ctx.db, { tenantId }, (tx) => tx.selectFrom('email_messages')
    .select(['id', 'status', 'outcome', 'reason', 'ticket_id', 'comment_id', 'raw_key', 'account_id', 'message_id'])
    .where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirstOrThrow())
  if (head.status !== 'received') return resultOf(id, head)
  const raw = head.raw_key ? await ctx.files.get(head.raw_key) : null
  if (!raw) throw new Error(`raw message ${id} is missing from the file store`)
  const mail = parsed ?? await parseMail(raw)
  const { parts, skipped } = await saveParts(ctx.files, mail, ctx.config.attachmentMaxBytes)

  return withTenant(ctx.db, { tenantId }, async (tx) => {
    const row = await tx.selectFrom('email_messages').select(['id', 'status', 'outcome', 'reason', 'ticket_id', 'comment_id', 'account_id', 'message_id'])
      .where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirstOrThrow()
    if (row.status !== 'received') return resultOf(id, row)
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${tenantId}:${row.message_id}`}, 0))`.execute(tx)
    const decision = await decide({ ctx, tx, actor: systemActor(tenantId), row, mail, raw, parts, skipped })
    const done = await tx.updateTable('email_messages').set({
      status: decision.status, outcome: decision.outcome, reason: decision.reason?.slice(0, 1000) ?? null,
      ticket_id: decision.ticketId, comment_id: decision.commentId, processed_at: sql`now()`, locked_until: null, last_error: null,
    }).where('tenant_id', '=', tenantId).where('id', '=', id)
      .returning(['status', 'outcome', 'reason', 'ticket_id', 'comment_id']).executeTakeFirstOrThrow()
    return resultOf(id, done)
  })
}
