import { sql, type Expression, type SqlBool } from 'kysely'
import type { Static } from 'typebox'
import type { Tx } from '../../platform/db/schema.js'
import { customFieldFilter } from '../contacts/list-contacts.js'
import { likeContains } from '../contacts/normalize.js'
import { presentContact, selectContacts, type ContactOut } from '../contacts/present.js'
import { presentCompany, selectCompanies, type CompanyOut } from './present.js'
import type { ListCompaniesQuery } from './schemas.js'

export type CompanyFilter = Static<typeof ListCompaniesQuery>

/**
 * A page of companies with parent names and contact / open-ticket counts, and the total — two
 * statements whatever the page size. Served by companies_list (created), companies_name (name),
 * the trigram index on names (q) and the GIN indexes on domains, tags and custom fields (reached
 * through the tenant_companies view, see contacts/scope.ts).
 */
export async function listCompanies(tx: Tx, f: CompanyFilter): Promise<{ companies: CompanyOut[]; total: number; page: number; limit: number }> {
  const page = f.page ?? 1
  const limit = f.limit ?? 25
  const custom = await customFieldFilter(tx, 'company', f as Record<string, unknown>)
  const where: Expression<SqlBool>[] = [sql<SqlBool>`co.deleted_at IS NULL`]
  // Chosen through the tenant_companies view, where the GIN and trigram indexes are usable, as an
  // array computed once (see `matching` in contacts/list-contacts.ts).
  const ids = (condition: Expression<SqlBool>) => sql<SqlBool>`co.id = ANY (ARRAY(SELECT id FROM tenant_companies WHERE deleted_at IS NULL AND ${condition}))`
  if (f.q !== undefined) where.push(ids(sql<SqlBool>`name ILIKE ${likeContains(f.q.trim())}`))
  if (f.domain !== undefined) where.push(ids(sql<SqlBool>`domains @> ARRAY[${f.domain.trim().toLowerCase()}]::text[]`))
  if (f.tag !== undefined) where.push(ids(sql<SqlBool>`tags @> ARRAY[${f.tag.trim().toLowerCase()}]::text[]`))
  if (f.parent_id !== undefined) where.push(sql<SqlBool>`co.parent_id = ${f.parent_id}`)
  if (custom) where.push(ids(sql<SqlBool>`custom_fields @> ${JSON.stringify(custom)}::jsonb`))
  const sort = f.sort ?? 'name'
  const direction = sort.startsWith('-') ? 'desc' : 'asc'
  let q = selectCompanies(tx).where((eb) => eb.and(where))
  q = sort.endsWith('name') ? q.orderBy(sql`lower(co.name)`, direction) : q.orderBy('co.created_at', direction)
  const rows = await q.orderBy('co.id', direction).limit(limit).offset((page - 1) * limit).execute()
  const counted = await tx.selectFrom('companies as co').select((eb) => eb.fn.countAll<number>().as('n')).where((eb) => eb.and(where)).executeTakeFirstOrThrow()
  return { companies: rows.map(presentCompany), total: Number(counted.n), page, limit }
}

/** A page of a company's live contacts by name (served by contacts_company_name). */
export async function listCompanyContacts(tx: Tx, companyId: string, page: number, limit: number): Promise<{ contacts: ContactOut[]; total: number }> {
  const rows = await selectContacts(tx).where('c.company_id', '=', companyId).where('c.deleted_at', 'is', null)
    .orderBy(sql`lower(c.name)`).orderBy('c.id').limit(limit).offset((page - 1) * limit).execute()
  const total = await tx.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('company_id', '=', companyId).where('deleted_at', 'is', null).executeTakeFirstOrThrow()
  return { contacts: rows.map(presentContact), total: Number(total.n) }
}
