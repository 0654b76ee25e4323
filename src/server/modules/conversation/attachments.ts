import type { Actor } from '../../platform/auth/actor.js'
import { can } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { forbidden, notFound } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { recordHistory } from '../tickets/history.js'
import { loadVisibleTicket } from '../tickets/present.js'
import { isCustomer } from '../tickets/visibility.js'
import { assertNotMerged } from './add-comment.js'
import { seesInternal } from './policy.js'

/** A file read from an upload and already in the file store. */
export interface StoredUpload {
  key: string
  filename: string
  contentType: string
  size: number
}

/**
 * Records uploaded files as attachments of a ticket the actor can see, not yet on any comment
 * (attach them with a comment's attachment_ids). The files are stored before this runs, outside
 * the transaction; a file whose rows are never written stays in the content-addressed store
 * unreferenced, which costs space but nothing else.
 */
export async function recordUploads(tx: Tx, actor: Actor, ticketId: string, uploads: StoredUpload[]) {
  const ticket = await loadVisibleTicket(tx, actor, ticketId)
  assertNotMerged(ticket)
  const rows = uploads.map((u) => ({
    tenant_id: actor.tenantId, id: uuidv7(), ticket_id: ticketId, comment_id: null,
    file_key: u.key, filename: u.filename, content_type: u.contentType, size_bytes: u.size, uploaded_by: actor.userId,
  }))
  await tx.insertInto('attachments').values(rows).execute()
  return rows.map((r) => ({ id: r.id, filename: r.filename, content_type: r.content_type, size_bytes: r.size_bytes }))
}

/**
 * An attachment the actor may see, or 404. Its ticket must be visible to them; a file on an
 * internal note needs the right to read internal notes; a file on a deleted comment is gone; and
 * a file on no comment (an upload not attached yet) is shown to customers only if they uploaded
 * it, so an agent's draft upload never reaches the requester before it is put on a reply — except
 * the files of the email that opened the ticket (no uploader), which were the requester's own.
 */
export async function loadAttachment(tx: Tx, actor: Actor, id: string, opts: { forUpdate?: boolean } = {}) {
  let q = tx.selectFrom('attachments as a')
    .leftJoin('comments as c', (j) => j.onRef('c.tenant_id', '=', 'a.tenant_id').onRef('c.id', '=', 'a.comment_id'))
    .select(['a.id', 'a.ticket_id', 'a.comment_id', 'a.file_key', 'a.filename', 'a.content_type', 'a.size_bytes', 'a.uploaded_by', 'c.is_internal', 'c.deleted_at as comment_deleted_at'])
    .where('a.tenant_id', '=', actor.tenantId).where('a.id', '=', id)
  if (opts.forUpdate) q = q.forUpdate('a')
  const row = await q.executeTakeFirst()
  if (!row) throw notFound('Attachment')
  const ticket = await loadVisibleTicket(tx, actor, row.ticket_id)
  if (row.comment_id) {
    if (row.comment_deleted_at !== null || (row.is_internal && !seesInternal(actor))) throw notFound('Attachment')
  } else if (isCustomer(actor) && row.uploaded_by !== null && row.uploaded_by !== actor.userId) {
    // uploaded_by null: a file of the email that opened the ticket, part of the requester's own message.
    throw notFound('Attachment')
  }
  return { ...row, ticket }
}

/**
 * Deletes an attachment. An upload not yet on a comment may be removed by whoever uploaded it or
 * anyone who may edit tickets; one on a comment only by staff who may edit tickets, which the
 * ticket's history records. The stored file stays (other attachments may share its bytes).
 */
export async function deleteAttachment(tx: Tx, actor: Actor, id: string): Promise<void> {
  const a = await loadAttachment(tx, actor, id, { forUpdate: true })
  const mayEditTickets = !isCustomer(actor) && can(actor, 'tickets:update')
  if (a.comment_id === null) {
    const uploader = actor.userId !== null && a.uploaded_by === actor.userId
    if (!uploader && !mayEditTickets) throw forbidden('Only the uploader or someone who may edit tickets can remove this file.')
  } else if (!mayEditTickets) {
    throw forbidden('Removing a file from a comment needs the tickets:update permission.')
  }
  await tx.deleteFrom('attachments').where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute()
  if (a.comment_id !== null) {
    await recordHistory(tx, actor, a.ticket_id, [{ field: 'attachment_removed', old_value: { id: a.id, filename: a.filename, comment_id: a.comment_id }, new_value: null }])
  }
}
