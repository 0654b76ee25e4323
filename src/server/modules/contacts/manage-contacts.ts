import { sql, type Updateable } from 'kysely'
import type { Static } from 'typebox'
import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { DB, Tx } from '../../platform/db/schema.js'
import { conflict, invalid, isUniqueViolation, notFound } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { validateCustomFields } from '../custom-fields/validate.js'
import { companyForEmail } from './find-or-create.js'
import { checkEmail, checkLanguage, checkTimeZone, normalizeAddress, normalizePhones, normalizeTags } from './normalize.js'
import { presentContact, selectContacts, type ContactOut } from './present.js'
import { tenantDirectory } from './scope.js'
import type { CreateContactBody, UpdateContactBody } from './schemas.js'

export type CreateContactInput = Static<typeof CreateContactBody>
export type UpdateContactInput = Static<typeof UpdateContactBody>

export const emailTaken = () => conflict('Another contact already has this email address.', [{ field: 'email', message: 'is already used by another contact' }])

/** Turns the lost race on the contacts_email index into the same 409 the pre-check gives. */
export async function guardEmail<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (isUniqueViolation(error, 'contacts_email')) throw emailTaken()
    throw error
  }
}

/** A live contact of the organization, presented, or 404 (deleted, merged or another tenant's). */
export async function getContact(tx: Tx, id: string): Promise<ContactOut> {
  const row = await selectContacts(tx).where('c.id', '=', id).where('c.deleted_at', 'is', null).executeTakeFirst()
  if (!row) throw notFound('Contact')
  return presentContact(row)
}

/** The live contact row for a change, locked; 404 when there is none. */
export async function lockContact(tx: Tx, id: string) {
  const row = await tx.selectFrom('contacts').selectAll().where('id', '=', id).where('deleted_at', 'is', null).forUpdate().executeTakeFirst()
  if (!row) throw notFound('Contact')
  return row
}

async function assertEmailFree(tx: Tx, email: string, exceptId?: string): Promise<void> {
  // Through the view, so that lower(email) can use contacts_email (scope.ts).
  let q = tenantDirectory(tx).selectFrom('tenant_contacts').select('id').where(sql`lower(email)`, '=', email.toLowerCase()).where('deleted_at', 'is', null)
  if (exceptId) q = q.where('id', '!=', exceptId)
  if (await q.executeTakeFirst()) throw emailTaken()
}

/** A live company of the organization, or 400 naming `field` (another tenant's looks the same as none). */
export async function assertCompanyExists(tx: Tx, companyId: string, field = 'company_id'): Promise<void> {
  const company = await tx.selectFrom('companies').select('id').where('id', '=', companyId).where('deleted_at', 'is', null).forKeyShare().executeTakeFirst()
  if (!company) throw invalid(field, 'is not a company of this organization')
}

/**
 * A new contact. Emails are unique per organization whatever their letter case (409). Without a
 * company, a contact whose email domain a company lists joins that company.
 */
export async function createContact(tx: Tx, actor: Actor, input: CreateContactInput, ip: string | null): Promise<ContactOut> {
  const name = input.name.trim()
  if (!name) throw invalid('name', 'must not be blank')
  const email = checkEmail(input.email)
  if (email) await assertEmailFree(tx, email)
  let companyId = input.company_id ?? null
  if (companyId) await assertCompanyExists(tx, companyId)
  else if (input.company_id === undefined && email) companyId = await companyForEmail(tx, actor.tenantId, email)
  const customFields = await validateCustomFields(tx, 'contact', input.custom_fields ?? {})
  const id = uuidv7()
  await guardEmail(() => tx.insertInto('contacts').values({
    tenant_id: actor.tenantId, id, name, email, company_id: companyId,
    phones: JSON.stringify(normalizePhones(input.phones)),
    time_zone: checkTimeZone(input.time_zone), language: checkLanguage(input.language),
    address: JSON.stringify(normalizeAddress(input.address)), tags: normalizeTags(input.tags),
    custom_fields: JSON.stringify(customFields),
    is_vip: input.is_vip ?? false, is_blocked: input.is_blocked ?? false, can_see_company_tickets: input.can_see_company_tickets ?? false,
  }).execute())
  await recordAudit(tx, actor, 'contact.created', 'contact', id, { company_id: companyId }, ip)
  return getContact(tx, id)
}

/**
 * A partial update. A changed email must be free (409); a contact without a company whose email
 * changes joins the company of the new domain unless the request says which company.
 */
export async function updateContact(tx: Tx, actor: Actor, id: string, input: UpdateContactInput, ip: string | null): Promise<ContactOut> {
  const current = await lockContact(tx, id)
  const changes: Updateable<DB['contacts']> = {}
  if (input.name !== undefined) {
    const name = input.name.trim()
    if (!name) throw invalid('name', 'must not be blank')
    changes.name = name
  }
  if (input.email !== undefined) {
    const email = checkEmail(input.email)
    if (email && email.toLowerCase() !== current.email?.toLowerCase()) await assertEmailFree(tx, email, id)
    changes.email = email
    if (email && input.company_id === undefined && !current.company_id && email.toLowerCase() !== current.email?.toLowerCase()) {
      const joined = await companyForEmail(tx, actor.tenantId, email)
      if (joined) changes.company_id = joined
    }
  }
  if (input.company_id !== undefined) {
    if (input.company_id) await assertCompanyExists(tx, input.company_id)
    changes.company_id = input.company_id
  }
  if (input.phones !== undefined) changes.phones = JSON.stringify(normalizePhones(input.phones))
  if (input.time_zone !== undefined) changes.time_zone = checkTimeZone(input.time_zone)
  if (input.language !== undefined) changes.language = checkLanguage(input.language)
  if (input.address !== undefined) changes.address = JSON.stringify(normalizeAddress(input.address))
  if (input.tags !== undefined) changes.tags = normalizeTags(input.tags)
  if (input.custom_fields !== undefined) {
    changes.custom_fields = JSON.stringify(await validateCustomFields(tx, 'contact', input.custom_fields, { existing: current.custom_fields, partial: true }))
  }
  for (const flag of ['is_vip', 'is_blocked', 'can_see_company_tickets'] as const) {
    if (input[flag] !== undefined) changes[flag] = input[flag]
  }
  await guardEmail(() => tx.updateTable('contacts').set({ ...changes, updated_at: sql`now()` }).where('id', '=', id).execute())
  await recordAudit(tx, actor, 'contact.updated', 'contact', id, { fields: Object.keys(input) }, ip)
  return getContact(tx, id)
}

/**
 * Soft delete: the contact disappears from lists and reads (404) but its tickets keep their
 * requester, and its email is free for a new contact.
 */
export async function deleteContact(tx: Tx, actor: Actor, id: string, ip: string | null): Promise<void> {
  const current = await lockContact(tx, id)
  await tx.updateTable('contacts').set({ deleted_at: sql`now()`, updated_at: sql`now()` }).where('id', '=', id).execute()
  await recordAudit(tx, actor, 'contact.deleted', 'contact', id, { name: current.name, email: current.email }, ip)
}
