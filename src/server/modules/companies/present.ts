import type { Static } from 'typebox'
import type { RowOf, Tx } from '../../platform/db/schema.js'
import { OPEN_CATEGORIES } from '../tickets/defaults.js'
import type { CompanySchema } from './schemas.js'

export type CompanyOut = Static<typeof CompanySchema>

/**
 * The one company read: the row, its parent's name, and its live contacts and open tickets
 * counted by correlated subqueries (contacts_company and tickets_company serve them), so a page
 * of companies is one statement. Companies are aliased `co`.
 */
export function selectCompanies(tx: Tx) {
  return tx.selectFrom('companies as co')
    .leftJoin('companies as p', (j) => j.onRef('p.tenant_id', '=', 'co.tenant_id').onRef('p.id', '=', 'co.parent_id').on('p.deleted_at', 'is', null))
    .select([
      'co.id', 'co.name', 'co.domains', 'co.parent_id', 'p.name as parent_name', 'co.phone', 'co.website', 'co.tags',
      'co.custom_fields', 'co.created_at', 'co.updated_at',
      (eb) => eb.selectFrom('contacts as ct').select(eb.fn.countAll<number>().as('n'))
        .whereRef('ct.tenant_id', '=', 'co.tenant_id').whereRef('ct.company_id', '=', 'co.id').where('ct.deleted_at', 'is', null)
        .as('contact_count'),
      (eb) => eb.selectFrom('tickets as t')
        .innerJoin('ticket_statuses as s', (j) => j.onRef('s.tenant_id', '=', 't.tenant_id').onRef('s.id', '=', 't.status_id'))
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('t.tenant_id', '=', 'co.tenant_id').whereRef('t.company_id', '=', 'co.id').where('t.deleted_at', 'is', null)
        .where('s.category', 'in', OPEN_CATEGORIES)
        .as('open_ticket_count'),
    ])
}

export type CompanyRow = RowOf<typeof selectCompanies>

export function presentCompany(row: CompanyRow): CompanyOut {
  const parent = row.parent_id && row.parent_name ? { id: row.parent_id, name: row.parent_name } : null
  return {
    id: row.id,
    name: row.name,
    domains: row.domains,
    parent_id: parent ? row.parent_id : null,
    parent,
    phone: row.phone,
    website: row.website,
    tags: row.tags,
    custom_fields: row.custom_fields ?? {},
    contact_count: Number(row.contact_count ?? 0),
    open_ticket_count: Number(row.open_ticket_count ?? 0),
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}
