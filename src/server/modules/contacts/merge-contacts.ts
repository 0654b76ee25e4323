import { sql, type Selectable } from 'kysely'
import type { Static } from 'typebox'
import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { ContactPhone, ContactsTable, Tx } from '../../platform/db/schema.js'
import { conflict, invalid, notFound } from '../../platform/errors.js'
import { getContact } from './manage-contacts.js'
import { phoneKey } from './normalize.js'
import { presentContact, selectContacts, type ContactOut } from './present.js'
import type { MergePreviewSchema, MergeStrategy } from './schemas.js'

type ContactRecord = Selectable<ContactsTable>
type Merged = Static<typeof MergePreviewSchema>['results']['keep_primary']

const isEmpty = (v: unknown): boolean =>
  v === null || v === undefined || v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0)

/** The first non-empty value among the records, in order; the first record's when all are empty. */
function firstFilled<T>(records: readonly ContactRecord[], pick: (r: ContactRecord) => T): T {
  for (const r of records) {
    const v = pick(r)
    if (!isEmpty(v)) return v
  }
  return pick(records[0]!)
}

/** Key by key: the first record that has a value for a key gives it. */
function fillByKey<T>(records: readonly ContactRecord[], pick: (r: ContactRecord) => Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {}
  for (const r of records) {
    for (const [k, v] of Object.entries(pick(r) ?? {})) if (!(k in out) && !isEmpty(v)) out[k] = v
  }
  return out
}

/**
 * The surviving contact's fields under a merge strategy (seed 000's three):
 * - `keep_primary`: the target's non-empty values win; its empty fields take the first source's
 *   value (in the order given); flags stay the target's.
 * - `prefer_newest`: per field, the non-empty value of the most recently updated record wins;
 *   flags are that record's.
 * - `prefer_complete`: any non-empty value fills the target's empty ones; phones and tags are
 *   unioned, custom fields and address merged key by key; VIP or blocked on any record carries
 *   over. Seeing the company's tickets is never widened by a merge.
 * The portal user comes from the target, else from the source that has one.
 */
export function mergeFields(target: ContactRecord, sources: readonly ContactRecord[], strategy: MergeStrategy): Merged {
  const primaryFirst = [target, ...sources]
  const order = strategy === 'prefer_newest'
    ? [...primaryFirst].sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at))
    : primaryFirst
  const scalar = <K extends keyof ContactRecord>(k: K) => firstFilled(order, (r) => r[k])
  const merged: Merged = {
    name: scalar('name'),
    email: scalar('email'),
    phones: scalar('phones') ?? [],
    company_id: scalar('company_id'),
    time_zone: scalar('time_zone'),
    language: scalar('language'),
    address: scalar('address') ?? {},
    tags: scalar('tags'),
    custom_fields: scalar('custom_fields') ?? {},
    is_vip: order[0]!.is_vip,
    is_blocked: order[0]!.is_blocked,
    can_see_company_tickets: target.can_see_company_tickets,
    user_id: firstFilled(primaryFirst, (r) => r.user_id),
  }
  if (strategy === 'prefer_complete') {
    const phones: ContactPhone[] = []
    const seen = new Set<string>()
    for (const p of primaryFirst.flatMap((r) => r.phones ?? [])) {
      if (seen.has(phoneKey(p.number))) continue
      seen.add(phoneKey(p.number))
      phones.push(p)
    }
    merged.phones = phones
    merged.tags = [...new Set(primaryFirst.flatMap((r) => r.tags))]
    merged.custom_fields = fillByKey(primaryFirst, (r) => r.custom_fields)
    merged.address = fillByKey(primaryFirst, (r) => r.address)
    merged.is_vip = primaryFirst.some((r) => r.is_vip)
    merged.is_blocked = primaryFirst.some((r) => r.is_blocked)
  }
  return merged
}

/** Loads the target and sources (locked for a merge); 404 for the target, 400 for a bad source. */
async function loadParties(tx: Tx, targetId: string, sourceIds: readonly string[], lock: boolean) {
  const unique = [...new Set(sourceIds)]
  // Locking in id order: two merges over the same contacts wait for each other instead of deadlocking.
  let q = tx.selectFrom('contacts').selectAll().where('id', 'in', [targetId, ...unique]).where('deleted_at', 'is', null).orderBy('id')
  if (lock) q = q.forUpdate()
  const rows = await q.execute()
  const target = rows.find((r) => r.id === targetId)
  if (!target) throw notFound('Contact')
  if (!unique.length) throw invalid('source_ids', 'name at least one contact to merge into this one')
  if (unique.includes(targetId)) throw invalid('source_ids', 'a contact cannot be merged into itself')
  const sources = unique.map((id) => {
    const row = rows.find((r) => r.id === id)
    if (!row) throw invalid('source_ids', `${id} is not a contact of this organization`)
    return row
  })
  const users = new Set([target, ...sources].map((r) => r.user_id).filter((u): u is string => u !== null))
  if (users.size > 1) {
    throw conflict('More than one of these contacts has portal access as a different user; remove portal access from all but one first.', [{ field: 'source_ids', message: 'several contacts have portal access' }])
  }
  return { target, sources }
}

async function countMoves(tx: Tx, sourceIds: readonly string[]): Promise<{ tickets: number; notes: number }> {
  const tickets = await tx.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).where('requester_id', 'in', sourceIds).executeTakeFirstOrThrow()
  const notes = await tx.selectFrom('notes').select((eb) => eb.fn.countAll<number>().as('n')).where('contact_id', 'in', sourceIds).executeTakeFirstOrThrow()
  return { tickets: Number(tickets.n), notes: Number(notes.n) }
}

/** What merging `sourceIds` into `targetId` would give under each strategy, and what would move. */
export async function previewContactMerge(tx: Tx, targetId: string, sourceIds: readonly string[]) {
  const { target, sources } = await loadParties(tx, targetId, sourceIds, false)
  const presented = await selectContacts(tx).where('c.id', 'in', [target.id, ...sources.map((s) => s.id)]).execute()
  const out = (id: string): ContactOut => presentContact(presented.find((r) => r.id === id)!)
  return {
    target: out(target.id),
    sources: sources.map((s) => out(s.id)),
    results: {
      keep_primary: mergeFields(target, sources, 'keep_primary'),
      prefer_newest: mergeFields(target, sources, 'prefer_newest'),
      prefer_complete: mergeFields(target, sources, 'prefer_complete'),
    },
    moves: await countMoves(tx, sources.map((s) => s.id)),
  }
}

/**
 * Merges contacts into `targetId` in one transaction: the target takes the fields the strategy
 * chooses, the sources' tickets (as requester), comments and notes move to it, and the sources
 * are soft-deleted pointing at it. Sources are retired first, which frees their emails and
 * portal user in the unique indexes so the target can take them over.
 */
export async function mergeContacts(tx: Tx, actor: Actor, targetId: string, input: { source_ids: string[]; strategy: MergeStrategy }, ip: string | null) {
  const { target, sources } = await loadParties(tx, targetId, input.source_ids, true)
  const ids = sources.map((s) => s.id)
  const merged = mergeFields(target, sources, input.strategy)
  await tx.updateTable('contacts').set({ deleted_at: sql`now()`, merged_into_id: targetId, updated_at: sql`now()` }).where('id', 'in', ids).execute()
  let companyId = merged.company_id
  if (companyId) {
    const live = await tx.selectFrom('companies').select('id').where('id', '=', companyId).where('deleted_at', 'is', null).executeTakeFirst()
    if (!live) companyId = target.company_id
  }
  await tx.updateTable('contacts').set({
    name: merged.name, email: merged.email, phones: JSON.stringify(merged.phones), company_id: companyId,
    time_zone: merged.time_zone, language: merged.language, address: JSON.stringify(merged.address), tags: merged.tags,
    custom_fields: JSON.stringify(merged.custom_fields), is_vip: merged.is_vip, is_blocked: merged.is_blocked,
    can_see_company_tickets: merged.can_see_company_tickets, user_id: merged.user_id, updated_at: sql`now()`,
  }).where('id', '=', targetId).execute()
  const tickets = await tx.updateTable('tickets').set({ requester_id: targetId, updated_at: sql`now()` }).where('requester_id', 'in', ids).executeTakeFirst()
  await tx.updateTable('comments').set({ author_contact_id: targetId }).where('author_contact_id', 'in', ids).execute()
  const notes = await tx.updateTable('notes').set({ contact_id: targetId }).where('contact_id', 'in', ids).executeTakeFirst()
  const moved = { tickets: Number(tickets.numUpdatedRows), notes: Number(notes.numUpdatedRows) }
  await recordAudit(tx, actor, 'contact.merged', 'contact', targetId, { source_ids: ids, strategy: input.strategy, moved }, ip)
  return { contact: await getContact(tx, targetId), merged_ids: ids, moved }
}
