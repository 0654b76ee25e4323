import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { Tx } from '../../platform/db/schema.js'
import { invalid, notFound } from '../../platform/errors.js'
import { getCompany } from './manage-companies.js'
import type { CompanyOut } from './present.js'
import { ancestorsOf, lockDomains, lockTree } from './rules.js'

const empty = (v: unknown) => v === null || v === undefined || v === ''

/**
 * Merges companies into `targetId` in one transaction. The target keeps its own values and
 * takes the sources' where it has none; domains and tags are unioned and custom fields merged key
 * by key. The sources' contacts, tickets, notes and subsidiaries move to the target, and the
 * sources are soft-deleted pointing at it. The tree stays a tree: a target that hung below a
 * source moves up to the nearest company that is not merged away, and a subsidiary of a source
 * that sits above the target takes the source's place instead of going under the target.
 */
export async function mergeCompanies(tx: Tx, actor: Actor, targetId: string, input: { source_ids: string[] }, ip: string | null): Promise<{
  company: CompanyOut; merged_ids: string[]; moved: { contacts: number; tickets: number; notes: number; child_companies: number }
}> {
  const sourceIds = [...new Set(input.source_ids)]
  await lockTree(tx, actor.tenantId)
  await lockDomains(tx, actor.tenantId)
  const rows = await tx.selectFrom('companies').selectAll().where('id', 'in', [targetId, ...sourceIds]).where('deleted_at', 'is', null)
    .orderBy('id').forUpdate().execute()
  const target = rows.find((r) => r.id === targetId)
  if (!target) throw notFound('Company')
  if (sourceIds.includes(targetId)) throw invalid('source_ids', 'a company cannot be merged into itself')
  const sources = sourceIds.map((id) => {
    const row = rows.find((r) => r.id === id)
    if (!row) throw invalid('source_ids', `${id} is not a company of this organization`)
    return row
  })
  const merging = new Set(sourceIds)

  /** The nearest company above `id` that is not being merged away (null at the top). */
  const survivingParent = async (id: string): Promise<string | null> => {
    for (const above of await ancestorsOf(tx, actor.tenantId, id)) if (!merging.has(above)) return above === targetId ? null : above
    return null
  }
  const targetAncestors = new Set(await ancestorsOf(tx, actor.tenantId, targetId))
  let parentId = target.parent_id
  if (parentId && merging.has(parentId)) parentId = await survivingParent(targetId)

  const all = [target, ...sources]
  const pick = <K extends 'phone' | 'website'>(k: K) => all.find((r) => !empty(r[k]))?.[k] ?? null
  const customFields: Record<string, unknown> = {}
  for (const r of all) for (const [k, v] of Object.entries(r.custom_fields ?? {})) if (!(k in customFields) && !empty(v)) customFields[k] = v

  await tx.updateTable('companies').set({ deleted_at: sql`now()`, merged_into_id: targetId, updated_at: sql`now()` }).where('id', 'in', sourceIds).execute()
  await tx.updateTable('companies').set({
    domains: [...new Set(all.flatMap((r) => r.domains))],
    tags: [...new Set(all.flatMap((r) => r.tags))],
    phone: pick('phone'), website: pick('website'), parent_id: parentId,
    custom_fields: JSON.stringify(customFields), updated_at: sql`now()`,
  }).where('id', '=', targetId).execute()

  // Subsidiaries of the sources: under the target, except one that is above the target.
  let childCompanies = 0
  const children = await tx.selectFrom('companies').select(['id', 'parent_id']).where('parent_id', 'in', sourceIds)
    .where('id', '!=', targetId).where('deleted_at', 'is', null).execute()
  for (const child of children) {
    const newParent = targetAncestors.has(child.id) ? await survivingParent(child.parent_id!) : targetId
    const safeParent = newParent === child.id ? null : newParent
    await tx.updateTable('companies').set({ parent_id: safeParent, updated_at: sql`now()` }).where('id', '=', child.id).execute()
    childCompanies++
  }

  const contacts = await tx.updateTable('contacts').set({ company_id: targetId, updated_at: sql`now()` }).where('company_id', 'in', sourceIds).executeTakeFirst()
  const tickets = await tx.updateTable('tickets').set({ company_id: targetId, updated_at: sql`now()` }).where('company_id', 'in', sourceIds).executeTakeFirst()
  const notes = await tx.updateTable('notes').set({ company_id: targetId }).where('company_id', 'in', sourceIds).executeTakeFirst()
  const moved = {
    contacts: Number(contacts.numUpdatedRows), tickets: Number(tickets.numUpdatedRows), notes: Number(notes.numUpdatedRows), child_companies: childCompanies,
  }
  await recordAudit(tx, actor, 'company.merged', 'company', targetId, { source_ids: sourceIds, moved }, ip)
  return { company: await getCompany(tx, targetId), merged_ids: sourceIds, moved }
}
