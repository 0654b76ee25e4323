import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { forbidden } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { emit } from '../../platform/outbox.js'
import { loadVisibleTicket } from '../tickets/present.js'
import { contactIdsOf } from '../tickets/requester.js'
import { isCustomer } from '../tickets/visibility.js'
import { assertNotMerged } from './add-comment.js'
import { normalizeCommentBody } from './comment-body.js'
import { getComment, loadComment, type CommentRow } from './comment-queries.js'
import { mentionCandidates, resolveMentions } from './mentions.js'
import { CUSTOMER_EDIT_WINDOW_MS, isSupervisor } from './policy.js'
import type { CommentBodyInput, CommentOut } from './schemas.js'

/**
 * Who may change a comment's words: its author — a customer only within 15 minutes of posting —
 * or a manager/admin for comments written by staff or an API key. A customer's words are never
 * edited by staff, and system notes by nobody.
 */
async function assertMayEdit(tx: Tx, actor: Actor, comment: CommentRow): Promise<void> {
  if (comment.source === 'system') throw forbidden('Notes written by the system cannot be edited.')
  if (isCustomer(actor)) {
    const own = await contactIdsOf(tx, actor)
    if (!comment.author_contact_id || !own.includes(comment.author_contact_id)) throw forbidden('You can only edit your own replies.')
    const age = Date.now() - Date.parse(comment.created_at)
    if (age > CUSTOMER_EDIT_WINDOW_MS) throw forbidden('Replies can only be edited within 15 minutes of posting.')
    return
  }
  if (comment.author_user_id !== null && comment.author_user_id === actor.userId) return
  if (comment.author_contact_id) throw forbidden('A customer’s reply cannot be edited by staff.')
  if (!isSupervisor(actor)) throw forbidden('Only the author, a manager or an administrator can edit this comment.')
}

/**
 * Replaces a comment's body, keeping the previous one in its revisions and stamping edited_at.
 * Mentions are read again from the new body; people mentioned for the first time are announced
 * (`comment.mentioned`). Emits `comment.edited`. An edit that changes nothing writes nothing.
 */
export async function editComment(tx: Tx, actor: Actor, ticketId: string, commentId: string, input: CommentBodyInput): Promise<CommentOut> {
  const ticket = await loadVisibleTicket(tx, actor, ticketId)
  assertNotMerged(ticket)
  const comment = await loadComment(tx, actor, ticketId, commentId, { forUpdate: true })
  await assertMayEdit(tx, actor, comment)
  const { html, text } = normalizeCommentBody(input)
  if (html === comment.body_html) return getComment(tx, actor, ticketId, commentId)

  const byStaff = comment.author_contact_id === null
  const mentions = byStaff ? await resolveMentions(tx, actor.tenantId, mentionCandidates(html, text)) : comment.mentions
  await tx.insertInto('comment_revisions').values({
    tenant_id: actor.tenantId, id: uuidv7(), comment_id: commentId, body_html: comment.body_html, edited_by: actor.userId,
  }).execute()
  await tx.updateTable('comments')
    .set({ body_html: html, body_text: text, mentions, edited_at: sql`now()`, updated_at: sql`now()` })
    .where('tenant_id', '=', actor.tenantId).where('id', '=', commentId).execute()

  await emit(tx, actor.tenantId, 'comment.edited', { ticket_id: ticketId, comment_id: commentId, actor_id: actor.userId })
  const added = mentions.filter((id) => !comment.mentions.includes(id))
  if (added.length) await emit(tx, actor.tenantId, 'comment.mentioned', { ticket_id: ticketId, comment_id: commentId, user_ids: added })
  return getComment(tx, actor, ticketId, commentId)
}

/** A comment's earlier bodies, oldest first. Staff only: customers get 403 (after the 404s for what they cannot see). */
export async function listRevisions(tx: Tx, actor: Actor, ticketId: string, commentId: string) {
  await loadVisibleTicket(tx, actor, ticketId)
  await loadComment(tx, actor, ticketId, commentId)
  if (isCustomer(actor)) throw forbidden('Edit history is for staff only.')
  const rows = await tx.selectFrom('comment_revisions as r')
    .leftJoin('users as u', 'u.id', 'r.edited_by')
    .select(['r.id', 'r.body_html', 'r.edited_by', 'u.name as editor_name', 'r.created_at'])
    .where('r.tenant_id', '=', actor.tenantId).where('r.comment_id', '=', commentId)
    .orderBy('r.created_at').orderBy('r.id')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    body: r.body_html,
    edited_by: r.edited_by ? { id: r.edited_by, name: r.editor_name ?? 'Former member' } : null,
    created_at: r.created_at,
  }))
}
