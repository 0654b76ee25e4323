import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { RowOf, Tx } from '../../platform/db/schema.js'
import { invalid, notFound } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import type { NoteSchema } from './schemas.js'

export type NoteOut = Static<typeof NoteSchema>

/** Whose notes: a contact's or a company's (the notes table holds both). */
export type NoteOwner = { kind: 'contact'; id: string } | { kind: 'company'; id: string }

const column = (owner: NoteOwner) => (owner.kind === 'contact' ? 'n.contact_id' : 'n.company_id') as 'n.contact_id' | 'n.company_id'

function selectNotes(tx: Tx) {
  return tx.selectFrom('notes as n')
    .leftJoin('users as u', 'u.id', 'n.author_id')
    .select(['n.id', 'n.body', 'n.is_pinned', 'n.author_id', 'u.name as author_name', 'n.created_at', 'n.updated_at'])
}

type NoteRow = RowOf<typeof selectNotes>

function presentNote(row: NoteRow): NoteOut {
  return {
    id: row.id,
    body: row.body,
    is_pinned: row.is_pinned,
    author: row.author_id && row.author_name ? { id: row.author_id, name: row.author_name } : null,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

/** Checks the owner is live (404 otherwise); the caller's read of the owner, shared by every note route. */
export async function assertOwnerExists(tx: Tx, owner: NoteOwner): Promise<void> {
  const row = owner.kind === 'contact'
    ? await tx.selectFrom('contacts').select('id').where('id', '=', owner.id).where('deleted_at', 'is', null).forKeyShare().executeTakeFirst()
    : await tx.selectFrom('companies').select('id').where('id', '=', owner.id).where('deleted_at', 'is', null).forKeyShare().executeTakeFirst()
  if (!row) throw notFound(owner.kind === 'contact' ? 'Contact' : 'Company')
}

/** A page of the owner's notes, pinned first, then newest (served by notes_contact / notes_company). */
export async function listNotes(tx: Tx, owner: NoteOwner, page: number, limit: number): Promise<{ notes: NoteOut[]; total: number }> {
  await assertOwnerExists(tx, owner)
  const rows = await selectNotes(tx).where(column(owner), '=', owner.id)
    .orderBy('n.is_pinned', 'desc').orderBy('n.created_at', 'desc').orderBy('n.id', 'desc')
    .limit(limit).offset((page - 1) * limit).execute()
  const total = await tx.selectFrom('notes as n').select((eb) => eb.fn.countAll<number>().as('n'))
    .where(column(owner), '=', owner.id).executeTakeFirstOrThrow()
  return { notes: rows.map(presentNote), total: Number(total.n) }
}

async function getNote(tx: Tx, owner: NoteOwner, noteId: string): Promise<NoteOut> {
  const row = await selectNotes(tx).where(column(owner), '=', owner.id).where('n.id', '=', noteId).executeTakeFirst()
  if (!row) throw notFound('Note')
  return presentNote(row)
}

export async function addNote(tx: Tx, actor: Actor, owner: NoteOwner, input: { body: string; is_pinned?: boolean | undefined }): Promise<NoteOut> {
  await assertOwnerExists(tx, owner)
  const body = input.body.trim()
  if (!body) throw invalid('body', 'must not be blank')
  const id = uuidv7()
  await tx.insertInto('notes').values({
    tenant_id: actor.tenantId, id, body, is_pinned: input.is_pinned ?? false, author_id: actor.userId,
    contact_id: owner.kind === 'contact' ? owner.id : null, company_id: owner.kind === 'company' ? owner.id : null,
  }).execute()
  return getNote(tx, owner, id)
}

export async function updateNote(tx: Tx, owner: NoteOwner, noteId: string, input: { body?: string | undefined; is_pinned?: boolean | undefined }): Promise<NoteOut> {
  await assertOwnerExists(tx, owner)
  const body = input.body?.trim()
  if (body !== undefined && !body) throw invalid('body', 'must not be blank')
  const updated = await tx.updateTable('notes as n')
    .set({ ...(body !== undefined ? { body } : {}), ...(input.is_pinned !== undefined ? { is_pinned: input.is_pinned } : {}), updated_at: sql`now()` })
    .where(column(owner), '=', owner.id).where('n.id', '=', noteId).executeTakeFirst()
  if (!updated.numUpdatedRows) throw notFound('Note')
  return getNote(tx, owner, noteId)
}

export async function deleteNote(tx: Tx, actor: Actor, owner: NoteOwner, noteId: string, ip: string | null): Promise<void> {
  await assertOwnerExists(tx, owner)
  const deleted = await tx.deleteFrom('notes as n').where(column(owner), '=', owner.id).where('n.id', '=', noteId).executeTakeFirst()
  if (!deleted.numDeletedRows) throw notFound('Note')
  await recordAudit(tx, actor, 'note.deleted', owner.kind, owner.id, { note_id: noteId }, ip)
}
