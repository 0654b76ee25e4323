import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { conflict } from '../../platform/errors.js'
import { emit } from '../../platform/outbox.js'
import { createTicket } from '../tickets/create-ticket.js'
import { recordHistory } from '../tickets/history.js'
import { loadVisibleTicket, type TicketRow } from '../tickets/present.js'
import { reloadTicket } from '../tickets/ticket-writes.js'
import { assertNotMerged } from './add-comment.js'
import { loadComment } from './comment-queries.js'
import { linkTickets } from './links.js'
import { addSystemNote, ticketNumber } from './system-notes.js'

const MAX_SUBJECT = 500

function defaultSubject(original: TicketRow): string {
  return `Split from ${ticketNumber(original)}: ${original.subject}`.slice(0, MAX_SUBJECT)
}

/**
 * Turns a comment into a ticket of its own: same requester, company and priority as the original,
 * the comment's body as the description. The comment itself MOVES to the new ticket (with its
 * files, author, time and revisions), where it opens the conversation; the original keeps an
 * internal note in its place saying where it went. The two tickets are linked `related`, both
 * histories record the split and `ticket.split` is emitted. Internal notes cannot be split (409):
 * their text would become a description the requester sees. Nor can system notes.
 */
export async function splitComment(tx: Tx, actor: Actor, ticketId: string, commentId: string, input: { subject?: string | undefined }): Promise<TicketRow> {
  const original = await loadVisibleTicket(tx, actor, ticketId, { forUpdate: true })
  assertNotMerged(original)
  const comment = await loadComment(tx, actor, ticketId, commentId, { forUpdate: true })
  if (comment.source === 'system') throw conflict('Notes written by the system cannot be split off.', [{ field: 'comment_id', message: 'is a system note' }])
  if (comment.is_internal) {
    throw conflict('An internal note cannot become a ticket: its text would be the description the requester sees.', [{ field: 'comment_id', message: 'is an internal note' }])
  }

  const created = await createTicket(tx, actor, {
    subject: input.subject ?? defaultSubject(original),
    description: comment.body_html,
    priority: original.priority,
    source: original.source,
    ...(original.requester_id ? { requester_id: original.requester_id } : {}),
    company_id: original.company_id,
  })
  await tx.updateTable('comments').set({ ticket_id: created.id })
    .where('tenant_id', '=', actor.tenantId).where('id', '=', commentId).execute()
  await tx.updateTable('attachments').set({ ticket_id: created.id })
    .where('tenant_id', '=', actor.tenantId).where('comment_id', '=', commentId).execute()

  const from = { id: original.id, ticket_number: ticketNumber(original) }
  const into = { id: created.id, ticket_number: ticketNumber(created) }
  await addSystemNote(tx, actor, original.id, `A comment was split off into ${into.ticket_number}.`, { internal: true })
  await recordHistory(tx, actor, original.id, [{ field: 'split', old_value: null, new_value: { comment_id: commentId, into } }])
  await recordHistory(tx, actor, created.id, [{ field: 'split', old_value: null, new_value: { comment_id: commentId, from } }])
  await linkTickets(tx, actor, original.id, created.id, 'related')
  await emit(tx, actor.tenantId, 'ticket.split', { ticket_id: original.id, new_ticket_id: created.id, comment_id: commentId, actor_id: actor.userId })
  return reloadTicket(tx, created.id)
}
