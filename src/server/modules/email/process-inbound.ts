import { sql, type CommonTableExpressionFactory, type Compilable, type QueryCreator } from 'kysely'
import { systemActor, type Actor } from '../../platform/auth/actor.js'
import type { AppContext } from '../../platform/context.js'
import type { DB, EmailOutcome, EmailStatus, Tx } from '../../platform/db/schema.js'
import { withTenant } from '../../platform/db/tenant.js'
import { uuidv7 } from '../../platform/ids.js'
import { emit } from '../../platform/outbox.js'
import { findOrCreateContact } from '../contacts/find-or-create.js'
import { reopenForCustomer } from '../conversation/add-comment.js'
import { createTicket } from '../tickets/create-ticket.js'
import { recordHistory } from '../tickets/history.js'
import type { TicketRow } from '../tickets/present.js'
import { reloadTicket } from '../tickets/ticket-writes.js'
import { saveParts, visibleBody, type SavedPart } from './body.js'
import { classifyMessage } from './classify.js'
import { loadFacts, type InboundFacts, type MailboxFacts } from './facts.js'
import { inboundRow, pickAccount, readInbound, storeInbound, type Intake, type MailboxRef, type ReadInbound } from './intake.js'
import { acknowledgementRow, type MailTicket } from './outbound.js'
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

/**
 * A write a decision leaves for the end of the transaction: it goes out in one statement with the
 * message's own row, as a data-modifying CTE, so that the writes after a ticket number is taken
 * cost one round trip while its counter row is locked.
 */
type Write = CommonTableExpressionFactory<DB, `w${number}`>

interface Decision {
  status: EmailStatus
  outcome: EmailOutcome | null
  reason: string | null
  ticketId: string | null
  commentId: string | null
  writes?: Write[]
}

const drop = (reason: string, ticketId: string | null = null): Decision =>
  ({ status: 'dropped', outcome: 'dropped', reason, ticketId, commentId: null })
const unrouted = (reason: string): Decision => ({ status: 'unrouted', outcome: null, reason, ticketId: null, commentId: null })

function resultOf(id: string, d: { status: EmailStatus; outcome: EmailOutcome | null; reason: string | null; ticket_id: string | null; comment_id: string | null }): InboundResult {
  const outcome = d.outcome ?? (d.status === 'received' ? 'queued' : 'unrouted')
  return { id, status: d.status, outcome, reason: d.reason, ticket_id: d.ticket_id, comment_id: d.comment_id }
}

/** What a decision sets on the message's row. */
function outcomeColumns(d: Decision) {
  return { status: d.status, outcome: d.outcome, reason: d.reason?.slice(0, 1000) ?? null, ticket_id: d.ticketId, comment_id: d.commentId }
}

/** Runs the decision's writes and `message` (the write of the message's own row) as one statement. */
async function saveOutcome(tx: Tx, d: Decision, message: (db: QueryCreator<DB>) => Compilable & { execute(): Promise<unknown> }): Promise<void> {
  let db: QueryCreator<DB> = tx
  // The CTEs are written, never read: the statement's view of the schema stays DB.
  for (const [i, write] of (d.writes ?? []).entries()) db = db.with(`w${i}`, write) as unknown as QueryCreator<DB>
  await message(db).execute()
}

function partsWrite(tenantId: string, ticketId: string, commentId: string | null, parts: SavedPart[]): Write[] {
  if (!parts.length) return []
  return [(db) => db.insertInto('attachments').values(parts.map((p) => ({
    tenant_id: tenantId, id: p.id, ticket_id: ticketId, comment_id: commentId, file_key: p.key, filename: p.filename,
    content_type: p.contentType, size_bytes: p.size, is_inline: p.inline, content_id: p.contentId, uploaded_by: null,
  })))]
}

/** Addresses copied on the message that are neither ours nor the requester's: kept on the ticket. */
function ccToKeep(mail: InboundMail, requesterEmail: string | null, accounts: readonly MailboxRef[]): string[] {
  const ours = new Set(accounts.map((a) => a.address))
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

export interface Work {
  ctx: AppContext
  tx: Tx
  actor: Actor
  row: { id: string; account_id: string | null; message_id: string }
  mail: InboundMail
  raw: Buffer
  parts: SavedPart[]
  skipped: string[]
  facts: InboundFacts
}

/**
 * The message as a reply on an existing ticket (as read before this call): a public comment by
 * its sender, reopening the ticket if it waited on them. The ticket is locked first.
 */
async function addEmailComment(w: Work, ticket: TicketRow): Promise<Decision> {
  const { tx, actor, mail, facts } = w
  const tenantId = actor.tenantId
  await tx.selectFrom('tickets').select('id').where('tenant_id', '=', tenantId).where('id', '=', ticket.id).forNoKeyUpdate().execute()
  const sender = mail.from!
  const staffId = facts.staffId
  const contact = staffId ? null : await findOrCreateContact(tx, tenantId, { email: sender.address, name: sender.name || null })
  const body = visibleBody(mail, w.parts, w.skipped)
  const commentId = uuidv7()
  if (!staffId) await reopenForCustomer(tx, actor, ticket)
  const cc = ccToKeep(mail, ticket.requester_email?.toLowerCase() ?? null, facts.accounts)
  await emit(tx, tenantId, 'comment.added', { ticket_id: ticket.id, comment_id: commentId, is_internal: false, actor_id: staffId, source: 'email' })
  return {
    status: 'processed', outcome: 'comment_added', reason: null, ticketId: ticket.id, commentId,
    writes: [
      (db) => db.insertInto('comments').values({
        tenant_id: tenantId, id: commentId, ticket_id: ticket.id, author_user_id: staffId, author_contact_id: contact?.id ?? null,
        body_html: body.html, body_text: body.text, is_internal: false, source: 'email', mentions: [],
      }),
      ...partsWrite(tenantId, ticket.id, commentId, w.parts),
      (db) => db.updateTable('tickets')
        .set({ updated_at: sql`now()`, last_activity_at: sql`now()`, cc_emails: sql`ARRAY(SELECT DISTINCT unnest(cc_emails || ${sql.val(cc)}::text[]))` })
        .where('tenant_id', '=', tenantId).where('id', '=', ticket.id),
    ],
  }
}

/**
 * An unrouted message assigned by hand to a ticket the actor can see (read by the caller): it
 * becomes a reply from its sender there, with its attachments, exactly as if it had threaded by itself.
 */
export async function assignToTicket(w: Omit<Work, 'facts'>, ticket: TicketRow): Promise<InboundResult> {
  const { tx, actor, row } = w
  const facts = await loadFacts(tx, actor.tenantId, w.mail, row, w.ctx.config.mailSenderLimit)
  const decision = { ...await addEmailComment({ ...w, facts }, ticket), reason: 'assigned by hand' }
  await saveOutcome(tx, decision, (db) => db.updateTable('email_messages').set({ ...outcomeColumns(decision), processed_at: sql`now()` })
    .where('tenant_id', '=', actor.tenantId).where('id', '=', row.id))
  return resultOf(row.id, outcomeColumns(decision))
}

/** The requester's email status for the acknowledgement: known when the requester is the sender's contact as read with the facts. */
async function requesterEmailStatus(w: Work, ticket: TicketRow): Promise<'ok' | 'bouncing' | null> {
  const known = w.facts.senderContact
  if (known && known.id === ticket.requester_id) return known.email_status
  if (!ticket.requester_id) return null
  const row = await w.tx.selectFrom('contacts').select('email_status')
    .where('tenant_id', '=', w.actor.tenantId).where('id', '=', ticket.requester_id).executeTakeFirst()
  return row?.email_status ?? null
}

/** The message as a new ticket from its sender, with the mailbox's defaults, and an acknowledgement queued. */
async function openEmailTicket(w: Work, account: MailboxFacts): Promise<Decision> {
  const { tx, actor, mail, facts } = w
  const tenantId = actor.tenantId
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
  const cc = ccToKeep(mail, sender.address, facts.accounts)
  const mailTicket: MailTicket = {
    ...ticket, cc_emails: cc, email_account_id: account.id, org_name: facts.orgName,
    requester_email_status: await requesterEmailStatus(w, ticket),
  }
  // Linked to this message (its row is written with the ticket id) so that the acknowledgement's In-Reply-To names it.
  const ack = acknowledgementRow(w.ctx, tenantId, facts.acknowledgement, mailTicket, facts.accounts, w.row.message_id)
  return {
    status: 'processed', outcome: 'ticket_created', reason: null, ticketId: ticket.id, commentId: null,
    writes: [
      ...partsWrite(tenantId, ticket.id, null, w.parts),
      (db) => db.updateTable('tickets').set({ cc_emails: cc, email_account_id: account.id })
        .where('tenant_id', '=', tenantId).where('id', '=', ticket.id),
      // Queued after the message it answers was received (at now(), this transaction's start):
      // threads are ordered by received_at, and the acknowledgement is the later of the two.
      ...(ack ? [(db: QueryCreator<DB>) => db.insertInto('email_messages').values({ ...ack, received_at: sql`clock_timestamp()` })] : []),
    ],
  }
}

async function decide(w: Work): Promise<Decision> {
  const { tx, actor, mail, row, ctx, facts } = w
  const tenantId = actor.tenantId
  if (facts.earlier) return { status: 'processed', outcome: 'duplicate', reason: null, ticketId: facts.earlier.ticket_id, commentId: null }

  const kind = classifyMessage(mail.parsed, w.raw)
  if (kind.kind === 'bounce') {
    const ticketId = await recordBounce(tx, actor, kind.original_message_id, kind.recipients, kind.reason)
    return drop(`bounce: ${kind.reason}`, ticketId)
  }
  if (kind.kind === 'auto_reply') return drop(`auto_reply: ${kind.reason}`)
  const account = row.account_id ? facts.accounts.find((a) => a.id === row.account_id) : undefined
  if (!account) return unrouted('no_matching_mailbox')
  const sender = mail.from?.address
  if (!sender) return unrouted('no_sender')
  if (facts.accounts.some((a) => a.address === sender)) return drop('loop: sent from one of our own mailboxes')
  if (facts.senderContact?.is_blocked) return drop('blocked_sender')
  if (facts.senderRecent >= ctx.config.mailSenderLimit) return drop('rate_limited: too many messages from this sender')

  const thread = await findThread(tx, ctx.emailTokenKey, tenantId, facts.ticketPrefix, mail, facts.referenced)
  if (thread) {
    const ticket = await reloadTicket(tx, thread.ticketId)
    if (!FINISHED.has(ticket.status_category)) return addEmailComment(w, ticket)
  }
  if (!account.auto_create) return unrouted('auto_create_off')
  return openEmailTicket(w, account)
}

/** Serializes the processing of messages with the same Message-ID in an organization: the second one sees the first's outcome. */
async function lockMessageId(tx: Tx, tenantId: string, messageId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${tenantId}:${messageId}`}, 0))`.execute(tx)
}

/**
 * Processes one stored inbound message in one transaction with everything it produces (the
 * ticket or comment, its files' rows, contacts, the bounce notes): either all of it commits or
 * none, and a message already processed is never processed again, so retries after a crash
 * neither lose nor duplicate anything. Messages with the same Message-ID are serialized by an
 * advisory lock; the second one is a `duplicate`.
 */
export async function processInbound(ctx: AppContext, tenantId: string, id: string): Promise<InboundResult> {
  const head = await withTenant(ctx.db, { tenantId }, (tx) => tx.selectFrom('email_messages')
    .select(['id', 'status', 'outcome', 'reason', 'ticket_id', 'comment_id', 'raw_key', 'account_id', 'message_id'])
    .where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirstOrThrow())
  if (head.status !== 'received') return resultOf(id, head)
  const raw = head.raw_key ? await ctx.files.get(head.raw_key) : null
  if (!raw) throw new Error(`raw message ${id} is missing from the file store`)
  const mail = await parseMail(raw)
  const { parts, skipped } = await saveParts(ctx.files, mail, ctx.config.attachmentMaxBytes)

  return withTenant(ctx.db, { tenantId }, async (tx) => {
    const row = await tx.selectFrom('email_messages').select(['id', 'status', 'outcome', 'reason', 'ticket_id', 'comment_id', 'account_id', 'message_id'])
      .where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirstOrThrow()
    if (row.status !== 'received') return resultOf(id, row)
    await lockMessageId(tx, tenantId, row.message_id)
    const facts = await loadFacts(tx, tenantId, mail, row, ctx.config.mailSenderLimit)
    const decision = await decide({ ctx, tx, actor: systemActor(tenantId), row, mail, raw, parts, skipped, facts })
    await saveOutcome(tx, decision, (db) => db.updateTable('email_messages')
      .set({ ...outcomeColumns(decision), processed_at: sql`now()`, locked_until: null, last_error: null })
      .where('tenant_id', '=', tenantId).where('id', '=', id))
    return resultOf(id, outcomeColumns(decision))
  })
}

/**
 * Takes in a message delivered by HTTP: stores it and processes it in one transaction, so a
 * message that is processed at once is written once, with its outcome. When processing fails,
 * that transaction rolls back and the message is stored on its own (status `received`), for the
 * worker to retry: `failure` says why. An unreadable message is stored as unrouted.
 */
export async function receiveInbound(ctx: AppContext, intake: Intake): Promise<{ result: InboundResult; failure?: unknown }> {
  const read = await readInbound(ctx, intake.raw)
  const id = uuidv7()
  const { mail } = read
  if (mail) {
    try {
      return { result: await storeProcessed(ctx, intake, read, mail, id) }
    } catch (failure) {
      const stored = await storeInbound(ctx, intake, undefined, read, id)
      return { result: resultOf(id, { status: stored.status, outcome: null, reason: stored.reason, ticket_id: null, comment_id: null }), failure }
    }
  }
  const stored = await storeInbound(ctx, intake, undefined, read, id)
  return { result: resultOf(id, { status: stored.status, outcome: null, reason: stored.reason, ticket_id: null, comment_id: null }) }
}

async function storeProcessed(ctx: AppContext, intake: Intake, read: ReadInbound, mail: InboundMail, id: string): Promise<InboundResult> {
  const { tenantId } = intake
  const { parts, skipped } = await saveParts(ctx.files, mail, ctx.config.attachmentMaxBytes)
  return withTenant(ctx.db, { tenantId }, async (tx) => {
    await lockMessageId(tx, tenantId, mail.messageId)
    const facts = await loadFacts(tx, tenantId, mail, { id, message_id: mail.messageId }, ctx.config.mailSenderLimit)
    const stored = inboundRow(intake, read, id, intake.accountId ?? pickAccount(facts.accounts, mail))
    const row = { id, account_id: stored.account_id, message_id: stored.message_id }
    const decision = await decide({ ctx, tx, actor: systemActor(tenantId), row, mail, raw: intake.raw, parts, skipped, facts })
    await saveOutcome(tx, decision, (db) => db.insertInto('email_messages').values({ ...stored, ...outcomeColumns(decision), processed_at: sql`now()` }))
    return resultOf(id, outcomeColumns(decision))
  })
}
