import { sql, type Updateable } from 'kysely'
import type { Static } from 'typebox'
import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { DB, Tx } from '../../platform/db/schema.js'
import { invalid, notFound } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { validateCustomFields } from '../custom-fields/validate.js'
import { normalizeTags } from '../contacts/normalize.js'
import { presentCompany, selectCompanies, type CompanyOut } from './present.js'
import {
  assertDomainsFree, assertNoCycle, assertParentExists, assignContactsByDomain, lockDomains, lockTree,
  normalizeCompanyPhone, normalizeDomains, normalizeWebsite,
} from './rules.js'
import type { CreateCompanyBody, UpdateCompanyBody } from './schemas.js'

export type CreateCompanyInput = Static<typeof CreateCompanyBody>
export type UpdateCompanyInput = Static<typeof UpdateCompanyBody>

/** A live company, presented with its counts, or 404 (deleted, merged or another tenant's). */
export async function getCompany(tx: Tx, id: string): Promise<CompanyOut> {
  const row = await selectCompanies(tx).where('co.id', '=', id).where('co.deleted_at', 'is', null).executeTakeFirst()
  if (!row) throw notFound('Company')
  return presentCompany(row)
}

/**
 * A new company. Its domains must not belong to another company (409). Existing contacts of
 * those domains stay where they are unless `assignContacts` — new contacts join it either way.
 */
export async function createCompany(tx: Tx, actor: Actor, input: CreateCompanyInput, opts: { assignContacts?: boolean | undefined; ip: string | null }): Promise<CompanyOut> {
  const name = input.name.trim()
  if (!name) throw invalid('name', 'must not be blank')
  const domains = normalizeDomains(input.domains)
  if (input.parent_id) await assertParentExists(tx, input.parent_id)
  if (domains.length) {
    await lockDomains(tx, actor.tenantId)
    await assertDomainsFree(tx, domains)
  }
  const customFields = await validateCustomFields(tx, 'company', input.custom_fields ?? {})
  const id = uuidv7()
  await tx.insertInto('companies').values({
    tenant_id: actor.tenantId, id, name, domains, parent_id: input.parent_id ?? null,
    phone: normalizeCompanyPhone(input.phone), website: normalizeWebsite(input.website), tags: normalizeTags(input.tags),
    custom_fields: JSON.stringify(customFields),
  }).execute()
  const assigned = opts.assignContacts ? await assignContactsByDomain(tx, id, domains) : undefined
  await recordAudit(tx, actor, 'company.created', 'company', id, { name, domains, ...(assigned !== undefined ? { assigned_contacts: assigned } : {}) }, opts.ip)
  const company = await getCompany(tx, id)
  return assigned !== undefined ? { ...company, assigned_contacts: assigned } : company
}

/**
 * A partial update. Moving under itself is a 400, under one of its own subsidiaries a 409.
 * With `assignContacts`, contacts of the domains this update adds move to the company.
 */
export async function updateCompany(tx: Tx, actor: Actor, id: string, input: UpdateCompanyInput, opts: { assignContacts?: boolean | undefined; ip: string | null }): Promise<CompanyOut> {
  if (input.parent_id) await lockTree(tx, actor.tenantId)
  const domains = input.domains !== undefined ? normalizeDomains(input.domains) : undefined
  if (domains?.length) await lockDomains(tx, actor.tenantId)
  const current = await tx.selectFrom('companies').selectAll().where('id', '=', id).where('deleted_at', 'is', null).forUpdate().executeTakeFirst()
  if (!current) throw notFound('Company')
  const changes: Updateable<DB['companies']> = {}
  if (input.name !== undefined) {
    const name = input.name.trim()
    if (!name) throw invalid('name', 'must not be blank')
    changes.name = name
  }
  if (domains !== undefined) {
    await assertDomainsFree(tx, domains, [id])
    changes.domains = domains
  }
  if (input.parent_id !== undefined) {
    if (input.parent_id && input.parent_id !== current.parent_id) {
      await assertParentExists(tx, input.parent_id)
      await assertNoCycle(tx, actor.tenantId, id, input.parent_id)
    }
    changes.parent_id = input.parent_id
  }
  if (input.phone !== undefined) changes.phone = normalizeCompanyPhone(input.phone)
  if (input.website !== undefined) changes.website = normalizeWebsite(input.website)
  if (input.tags !== undefined) changes.tags = normalizeTags(input.tags)
  if (input.custom_fields !== undefined) {
    changes.custom_fields = JSON.stringify(await validateCustomFields(tx, 'company', input.custom_fields, { existing: current.custom_fields, partial: true }))
  }
  await tx.updateTable('companies').set({ ...changes, updated_at: sql`now()` }).where('id', '=', id).execute()
  const added = (domains ?? []).filter((d) => !current.domains.includes(d))
  const assigned = opts.assignContacts ? await assignContactsByDomain(tx, id, added) : undefined
  await recordAudit(tx, actor, 'company.updated', 'company', id, {
    fields: Object.keys(input), ...(assigned !== undefined ? { assigned_contacts: assigned } : {}),
  }, opts.ip)
  const company = await getCompany(tx, id)
  return assigned !== undefined ? { ...company, assigned_contacts: assigned } : company
}

/**
 * Soft delete: the company leaves lists and reads (404), its domains stop matching new
 * contacts, and it shows as no company on its contacts and as no parent on its subsidiaries —
 * the links themselves are kept, so nothing is lost.
 */
export async function deleteCompany(tx: Tx, actor: Actor, id: string, ip: string | null): Promise<void> {
  const deleted = await tx.updateTable('companies').set({ deleted_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', id).where('deleted_at', 'is', null).returning(['name', 'domains']).executeTakeFirst()
  if (!deleted) throw notFound('Company')
  await recordAudit(tx, actor, 'company.deleted', 'company', id, { name: deleted.name, domains: deleted.domains }, ip)
}
