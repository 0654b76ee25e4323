import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { conflict, forbidden, invalid } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { emit } from '../../platform/outbox.js'
import { loadVisibleTicket, type TicketRow } from '../tickets/present.js'
import { firstStatusOf } from '../tickets/references.js'
import { contactIdsOf } from '../tickets/requester.js'
import { saveTicketChanges, statusStampColumns } from '../tickets/ticket-writes.js'
import { statusValue } from '../tickets/update-ticket.js'
import { isCustomer } from '../tickets/visibility.js'
import { normalizeCommentBody } from './comment-body.js'
import { getComment } from './comment-queries.js'
import { mentionCandidates, resolveMentions } from './mentions.js'
import { seesInternal } from './policy.js'
import type { CommentOut, CreateCommentInput } from './schemas.js'

/** Status categories a customer's reply takes a ticket out of: it is waiting on them, or was thought solved. */
const REOPENED_BY_CUSTOMER = new Set(['pending', 'resolved'])

/** Refuses writes to a ticket that was merged away: the conversation goes on in the survivor. */
export function assertNotMerged(ticket: TicketRow): void {
  if (ticket.merged_into_id) {
    throw conflict('This ticket was merged into another one; continue there.', [{ field: 'id', message: `was merged into ${ticket.merged_into_id}` }])
  }
}

/** The contact a customer writes as: the ticket's requester when that is theirs, else their own contact. */
async function customerAuthor(tx: Tx, actor: Actor, ticket: TicketRow): Promise<string> {
  const own = await contactIdsOf(tx, actor)
  if (ticket.requester_id && own.includes(ticket.requester_id)) return ticket.requester_id
  if (!own[0]) throw forbidden('Your account has no contact in this organization.')
  return own[0]
}

/** Puts earlier uploads of this ticket on the new comment; customers may only attach their own uploads. */
async function attachUploads(tx: Tx, actor: Actor, ticketId: string, commentId: string, ids: readonly string[]): Promise<void> {
  if (!ids.length) return
  let q = tx.updateTable('attachments').set({ comment_id: commentId })
    .where('tenant_id', '=', actor.tenantId).where('ticket_id', '=', ticketId).where('comment_id', 'is', null).where('id', 'in', [...ids])
  if (isCustomer(actor)) q = q.where('uploaded_by', '=', actor.userId)
  const attached = await q.returning('id').execute()
  if (attached.length !== ids.length) throw invalid('attachment_ids', 'must be files uploaded to this ticket that are not attached to a comment yet')
}

/**
 * A customer's reply on a ticket waiting on them (pending) or resolved moves it to the
 * organization's first `open` status, with the history entry and `ticket.updated` event any
 * status change has. Workflow transition rules govern people's status changes, not this
 * automatic one: a reply is never refused because of them.
 */
export async function reopenForCustomer(tx: Tx, actor: Actor, ticket: TicketRow): Promise<void> {
  if (!REOPENED_BY_CUSTOMER.has(ticket.status_category)) return
  const open = await firstStatusOf(tx, actor.tenantId, 'open')
  if (!open) return
  await saveTicketChanges(tx, actor, ticket.id, { status_id: open.id, ...statusStampColumns('open') }, [{
    field: 'status',
    old_value: statusValue({ id: ticket.status_id, name: ticket.status_name, category: ticket.status_category }),
    new_value: statusValue(open),
  }], 'ticket.updated', { reason: 'customer_reply' })
}

/**
 * Adds a reply or internal note to a ticket the actor can see. Customers write as their contact
 * and only publicly (an internal note from anyone without comments:internal is a 403). Staff
 * @mentions (mention spans or `@email`) of active staff members are kept and announced with
 * `comment.mentioned`. The first public staff reply stamps first_response_at; a customer reply
 * reopens a pending or resolved ticket. Emits `comment.added`.
 */
export async function addComment(tx: Tx, actor: Actor, ticketId: string, input: CreateCommentInput): Promise<CommentOut> {
  // Locked so that concurrent replies agree on first_response_at and on reopening.
  const ticket = await loadVisibleTicket(tx, actor, ticketId, { forUpdate: true })
  assertNotMerged(ticket)
  const internal = input.is_internal ?? false
  if (internal && !seesInternal(actor)) throw forbidden('Internal notes need the comments:internal permission.')
  const customer = isCustomer(actor)
  const { html, text } = normalizeCommentBody(input)
  const authorContactId = customer ? await customerAuthor(tx, actor, ticket) : null
  const mentions = customer ? [] : await resolveMentions(tx, actor.tenantId, mentionCandidates(html, text))

  const id = uuidv7()
  await tx.insertInto('comments').values({
    tenant_id: actor.tenantId, id, ticket_id: ticketId,
    author_user_id: customer ? null : actor.userId, author_contact_id: authorContactId,
    body_html: html, body_text: text, is_internal: internal, source: actor.kind === 'api_key' ? 'api' : 'web', mentions,
  }).execute()
  await attachUploads(tx, actor, ticketId, id, input.attachment_ids ?? [])

  if (customer) await reopenForCustomer(tx, actor, ticket)
  const firstResponse = !customer && !internal && ticket.first_response_at === null
  await tx.updateTable('tickets')
    .set({ updated_at: sql`now()`, last_activity_at: sql`now()`, ...(firstResponse ? { first_response_at: sql`COALESCE(first_response_at, now())` } : {}) })
    .where('tenant_id', '=', actor.tenantId).where('id', '=', ticketId).execute()

  await emit(tx, actor.tenantId, 'comment.added', { ticket_id: ticketId, comment_id: id, is_internal: internal, actor_id: actor.userId })
  if (mentions.length) await emit(tx, actor.tenantId, 'comment.mentioned', { ticket_id: ticketId, comment_id: id, user_ids: mentions })
  return getComment(tx, actor, ticketId, id)
}
