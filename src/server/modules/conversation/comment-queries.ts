import type { Actor } from '../../platform/auth/actor.js'
import type { RowOf, Tx } from '../../platform/db/schema.js'
import { notFound } from '../../platform/errors.js'
import { seesInternal } from './policy.js'
import type { AttachmentOut, CommentOut } from './schemas.js'

/** Comments (not deleted) with their author's name, user or contact, joined: one statement per page. */
export function selectComments(tx: Tx) {
  return tx.selectFrom('comments as c')
    .leftJoin('users as u', 'u.id', 'c.author_user_id')
    .leftJoin('contacts as ct', (j) => j.onRef('ct.tenant_id', '=', 'c.tenant_id').onRef('ct.id', '=', 'c.author_contact_id'))
    .select([
      'c.id', 'c.ticket_id', 'c.body_html', 'c.body_text', 'c.is_internal', 'c.source', 'c.author_user_id', 'c.author_contact_id',
      'c.mentions', 'c.edited_at', 'c.created_at', 'u.name as user_name', 'ct.name as contact_name',
    ])
    .where('c.deleted_at', 'is', null)
}

export type CommentRow = RowOf<typeof selectComments>

export function attachmentUrl(id: string): string {
  return `/api/v1/attachments/${id}`
}

export function presentAttachment(row: { id: string; filename: string; content_type: string; size_bytes: number | string }): AttachmentOut {
  return { id: row.id, filename: row.filename, content_type: row.content_type, size_bytes: Number(row.size_bytes), url: attachmentUrl(row.id) }
}

function author(row: CommentRow): CommentOut['author'] {
  if (row.author_contact_id) return { type: 'contact', id: row.author_contact_id, name: row.contact_name ?? 'Former contact' }
  if (row.author_user_id) return { type: 'user', id: row.author_user_id, name: row.user_name ?? 'Former member' }
  return null
}

/**
 * Turns a page of comment rows into what leaves the server, with the attachments of all of them
 * (one statement) and the names of everyone they mention (one statement), whatever the page size.
 */
export async function presentComments(tx: Tx, rows: CommentRow[]): Promise<CommentOut[]> {
  if (!rows.length) return []
  const ids = rows.map((r) => r.id)
  const mentioned = [...new Set(rows.flatMap((r) => r.mentions))]
  const attachments = await tx.selectFrom('attachments').select(['id', 'comment_id', 'filename', 'content_type', 'size_bytes'])
    .where('comment_id', 'in', ids).orderBy('created_at').orderBy('id').execute()
  const people = mentioned.length ? await tx.selectFrom('users').select(['id', 'name']).where('id', 'in', mentioned).execute() : []
  const names = new Map(people.map((p) => [p.id, p.name]))
  const byComment = new Map<string, AttachmentOut[]>()
  for (const a of attachments) {
    const list = byComment.get(a.comment_id!) ?? []
    list.push(presentAttachment(a))
    byComment.set(a.comment_id!, list)
  }
  return rows.map((r) => ({
    id: r.id,
    ticket_id: r.ticket_id,
    body: r.body_html,
    body_text: r.body_text,
    is_internal: r.is_internal,
    source: r.source,
    author: author(r),
    mentions: r.mentions.filter((id) => names.has(id)).map((id) => ({ id, name: names.get(id)! })),
    attachments: byComment.get(r.id) ?? [],
    edited_at: r.edited_at,
    created_at: r.created_at,
  }))
}

/**
 * A page of a ticket's conversation, oldest first. Internal notes are left out in the query
 * itself for anyone who may not read them (customers, viewers), so they never reach the presenter.
 */
export async function listComments(tx: Tx, actor: Actor, ticketId: string, page: number, limit: number): Promise<{ comments: CommentOut[]; total: number }> {
  // Both served by comments_ticket (tenant_id, ticket_id, created_at, id).
  let rows = selectComments(tx).where('c.tenant_id', '=', actor.tenantId).where('c.ticket_id', '=', ticketId)
  let count = tx.selectFrom('comments as c').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('c.tenant_id', '=', actor.tenantId).where('c.ticket_id', '=', ticketId).where('c.deleted_at', 'is', null)
  if (!seesInternal(actor)) {
    rows = rows.where('c.is_internal', '=', false)
    count = count.where('c.is_internal', '=', false)
  }
  const pageRows = await rows.orderBy('c.created_at').orderBy('c.id').limit(limit).offset((page - 1) * limit).execute()
  const total = await count.executeTakeFirstOrThrow()
  return { comments: await presentComments(tx, pageRows), total: Number(total.n) }
}

/** One comment of a (visible) ticket the actor may read, or 404 — internal notes are 404 to those who may not read them. */
export async function loadComment(tx: Tx, actor: Actor, ticketId: string, commentId: string, opts: { forUpdate?: boolean } = {}): Promise<CommentRow> {
  let q = selectComments(tx).where('c.ticket_id', '=', ticketId).where('c.id', '=', commentId)
  if (!seesInternal(actor)) q = q.where('c.is_internal', '=', false)
  if (opts.forUpdate) q = q.forUpdate('c')
  const row = await q.executeTakeFirst()
  if (!row) throw notFound('Comment')
  return row
}

export async function getComment(tx: Tx, actor: Actor, ticketId: string, commentId: string): Promise<CommentOut> {
  const [out] = await presentComments(tx, [await loadComment(tx, actor, ticketId, commentId)])
  return out!
}
