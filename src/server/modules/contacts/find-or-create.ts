import { sql } from 'kysely'
import type { Tx } from '../../platform/db/schema.js'
import { currentTenantId } from '../../platform/db/tenant.js'
import { uuidv7 } from '../../platform/ids.js'
import { tenantDirectory } from './scope.js'

/** The part after the last @, lowercased: what company email domains are matched against. */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).trim().toLowerCase()
}

/**
 * Whether to look up through the tenant views: inside the organization's tenant transaction, where
 * row-level security would keep `lower(email)` and `@>` from their indexes (scope.ts) and a lookup
 * read every contact — 25 ms per new ticket at 50,000 contacts. Outside one (system work) the
 * tables are read directly, with their indexes.
 */
const throughViews = (tenantId: string) => currentTenantId() === tenantId

/** The company (not deleted) that lists this email's domain, if any. */
export async function companyForEmail(tx: Tx, tenantId: string, email: string): Promise<string | null> {
  const matches = sql<boolean>`domains @> ARRAY[${emailDomain(email)}]::text[]`
  const row = throughViews(tenantId)
    ? await tenantDirectory(tx).selectFrom('tenant_companies').select(['id']).where('tenant_id', '=', tenantId).where('deleted_at', 'is', null)
      .where(matches).orderBy('created_at').limit(1).executeTakeFirst()
    : await tx.selectFrom('companies').select(['id']).where('tenant_id', '=', tenantId).where('deleted_at', 'is', null)
      .where(matches).orderBy('created_at').limit(1).executeTakeFirst()
  return row?.id ?? null
}

export interface ContactRef {
  id: string
  email: string | null
  name: string
  company_id: string | null
  is_blocked: boolean
  created: boolean
}

/**
 * The organization's contact for an email address, created when new (named `name`, or the part
 * before the @), and joined to the company whose domain matches. Emails match case-insensitively.
 * Runs in the caller's tenant transaction; a concurrent create of the same email is settled by
 * the unique index, and the loser reads the winner's row.
 */
export async function findOrCreateContact(tx: Tx, tenantId: string, input: { email: string; name?: string | null; userId?: string | null }): Promise<ContactRef> {
  const email = input.email.trim()
  const existing = await findContactByEmail(tx, tenantId, email)
  if (existing) return { ...existing, created: false }
  const companyId = await companyForEmail(tx, tenantId, email)
  const name = input.name?.trim() || email.slice(0, email.lastIndexOf('@')) || email
  const inserted = await tx.insertInto('contacts')
    .values({ tenant_id: tenantId, id: uuidv7(), email, name: name.slice(0, 200), company_id: companyId, user_id: input.userId ?? null, phones: '[]', address: '{}', custom_fields: '{}' })
    .onConflict((oc) => oc.expression(sql`tenant_id, lower(email)`).where('deleted_at', 'is', null).where('email', 'is not', null).doNothing())
    .returning(['id', 'email', 'name', 'company_id', 'is_blocked'])
    .executeTakeFirst()
  if (inserted) return { ...inserted, created: true }
  const winner = await findContactByEmail(tx, tenantId, email)
  if (!winner) throw new Error('contact vanished after a conflicting insert')
  return { ...winner, created: false }
}

const contactsTable = (tx: Tx) => tx.selectFrom('contacts')

/**
 * The organization's live contacts with this email (in any letter case), as a query to select
 * from: through the tenant view in its tenant transaction, so the email index serves it (see
 * throughViews). The view has the table's columns, so the query reads the same either way.
 */
export function contactsWithEmail(tx: Tx, tenantId: string, email: string) {
  const from = throughViews(tenantId) ? tenantDirectory(tx).selectFrom('tenant_contacts') as unknown as ReturnType<typeof contactsTable> : contactsTable(tx)
  return from.where('tenant_id', '=', tenantId).where('deleted_at', 'is', null).where(sql<boolean>`lower(email) = ${email.toLowerCase()}`)
}

async function findContactByEmail(tx: Tx, tenantId: string, email: string) {
  return contactsWithEmail(tx, tenantId, email).select(['id', 'email', 'name', 'company_id', 'is_blocked']).executeTakeFirst()
}

/**
 * Links a customer user to the organization's contact for their email (found or created), so the
 * tickets staff opened for that address are theirs in the portal from the first sign-in. A contact
 * already linked to someone else is left alone. Called whenever a membership gets a customer role.
 */
export async function linkCustomerContact(tx: Tx, tenantId: string, userId: string): Promise<void> {
  const linked = await tx.selectFrom('contacts').select('id')
    .where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('deleted_at', 'is', null).executeTakeFirst()
  if (linked) return
  const user = await tx.selectFrom('users').select(['email', 'name']).where('id', '=', userId).executeTakeFirst()
  if (!user) return
  const contact = await findOrCreateContact(tx, tenantId, { email: user.email, name: user.name, userId })
  if (contact.created) return
  await tx.updateTable('contacts').set({ user_id: userId, updated_at: sql`now()` })
    .where('tenant_id', '=', tenantId).where('id', '=', contact.id).where('user_id', 'is', null).execute()
}
