import { sql } from 'kysely'
import type { StatusCategory, Tx } from '../../platform/db/schema.js'
import { invalid } from '../../platform/errors.js'
import { tenantConfigCache } from '../../platform/shared-cache.js'

/**
 * Checks on the ids a ticket points to. Each answers 400 naming the field when the id is not one
 * of this organization's — another organization's id looks exactly like a made-up one, so nothing
 * leaks. Row-level security already hides other tenants; the explicit `tenant_id` keeps the
 * queries on their indexes.
 */

export interface StatusRef {
  id: string
  name: string
  category: StatusCategory
}

export async function findStatus(tx: Tx, tenantId: string, id: string, field = 'status_id'): Promise<StatusRef> {
  const row = await tx.selectFrom('ticket_statuses').select(['id', 'name', 'category', 'is_active'])
    .where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
  if (!row) throw invalid(field, 'is not a status of this organization')
  if (!row.is_active) throw invalid(field, `the status "${row.name}" is no longer in use`)
  return { id: row.id, name: row.name, category: row.category }
}

/**
 * A status named the way API clients say it (`"status": "open"`): the active status with that
 * name in any letter case, else the first active status of the category with that key.
 */
export async function findStatusByName(tx: Tx, tenantId: string, name: string, field = 'status'): Promise<StatusRef> {
  const rows = await tx.selectFrom('ticket_statuses').select(['id', 'name', 'category'])
    .where('tenant_id', '=', tenantId).where('is_active', '=', true)
    .where((eb) => eb.or([eb(sql`lower(name)`, '=', name.trim().toLowerCase()), eb('category', '=', name.trim().toLowerCase() as StatusCategory)]))
    .orderBy('position').orderBy('id').execute()
  const byName = rows.find((r) => r.name.toLowerCase() === name.trim().toLowerCase())
  const found = byName ?? rows[0]
  if (!found) throw invalid(field, `there is no status "${name}" in this organization`)
  return found
}

/** The organization's default status for new tickets (its `is_default` one, else the first open-ish one). */
export async function defaultStatus(tx: Tx, tenantId: string): Promise<StatusRef> {
  // Read for every new ticket; cached per organization, cleared by any status change (shared-cache.ts).
  const row = await tenantConfigCache.get(`${tenantId}:default-status`, async () => ({
    value: await tx.selectFrom('ticket_statuses').select(['id', 'name', 'category'])
      .where('tenant_id', '=', tenantId).where('is_active', '=', true)
      .orderBy('is_default', 'desc').orderBy(sql`category = 'new'`, 'desc').orderBy('position').orderBy('id')
      .limit(1).executeTakeFirst() ?? null,
  })) as StatusRef | null
  if (!row) throw invalid('status_id', 'this organization has no active status to start tickets in')
  return row
}

/** The first active status of a category by position, or null. */
export async function firstStatusOf(tx: Tx, tenantId: string, category: StatusCategory): Promise<StatusRef | null> {
  const row = await tx.selectFrom('ticket_statuses').select(['id', 'name', 'category'])
    .where('tenant_id', '=', tenantId).where('category', '=', category).where('is_active', '=', true)
    .orderBy('position').orderBy('id').limit(1).executeTakeFirst()
  return row ?? null
}

export interface NamedRef {
  id: string
  name: string
}

export async function findCategory(tx: Tx, tenantId: string, id: string, field = 'category_id'): Promise<NamedRef> {
  const row = await tx.selectFrom('ticket_categories').select(['id', 'name', 'is_active'])
    .where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
  if (!row) throw invalid(field, 'is not a category of this organization')
  if (!row.is_active) throw invalid(field, `the category "${row.name}" is no longer in use`)
  return { id: row.id, name: row.name }
}

export async function findCompany(tx: Tx, tenantId: string, id: string, field = 'company_id'): Promise<NamedRef> {
  const row = await tx.selectFrom('companies').select(['id', 'name'])
    .where('tenant_id', '=', tenantId).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
  if (!row) throw invalid(field, 'is not a company of this organization')
  return row
}

export interface ContactRow {
  id: string
  name: string
  email: string | null
  company_id: string | null
}

export async function findContact(tx: Tx, tenantId: string, id: string, field = 'requester_id'): Promise<ContactRow> {
  const row = await tx.selectFrom('contacts').select(['id', 'name', 'email', 'company_id'])
    .where('tenant_id', '=', tenantId).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
  if (!row) throw invalid(field, 'is not a contact of this organization')
  return row
}

export async function findTeam(tx: Tx, tenantId: string, id: string, field = 'team_id'): Promise<NamedRef> {
  const row = await tx.selectFrom('teams').select(['id', 'name']).where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
  if (!row) throw invalid(field, 'is not a team of this organization')
  return row
}

/** Someone tickets can be assigned to: an active staff member of this organization. */
export async function findAssignee(tx: Tx, tenantId: string, userId: string, field = 'assignee_id'): Promise<NamedRef> {
  const row = await tx.selectFrom('memberships as m')
    .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'm.tenant_id').onRef('r.id', '=', 'm.role_id'))
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.name', 'm.is_active', 'r.kind'])
    .where('m.tenant_id', '=', tenantId).where('m.user_id', '=', userId).executeTakeFirst()
  if (!row || row.kind !== 'staff') throw invalid(field, 'is not a staff member of this organization')
  if (!row.is_active) throw invalid(field, 'is deactivated in this organization')
  return { id: row.id, name: row.name }
}
