import type { Static } from 'typebox'
import type { RowOf, Tx } from '../../platform/db/schema.js'
import type { ContactSchema } from './schemas.js'

export type ContactOut = Static<typeof ContactSchema>

/**
 * The one contact read: the row with its company's name joined (a deleted company shows as
 * none), so lists and single reads share one statement. Contacts are aliased `c`.
 */
export function selectContacts(tx: Tx) {
  return tx.selectFrom('contacts as c')
    .leftJoin('companies as co', (j) => j.onRef('co.tenant_id', '=', 'c.tenant_id').onRef('co.id', '=', 'c.company_id').on('co.deleted_at', 'is', null))
    .select([
      'c.id', 'c.name', 'c.email', 'c.phones', 'c.company_id', 'c.time_zone', 'c.language', 'c.address', 'c.tags',
      'c.custom_fields', 'c.is_vip', 'c.is_blocked', 'c.can_see_company_tickets', 'c.user_id', 'c.email_status',
      'c.created_at', 'c.updated_at', 'co.name as company_name',
    ])
}

export type ContactRow = RowOf<typeof selectContacts>

export function presentContact(row: ContactRow): ContactOut {
  const company = row.company_id && row.company_name ? { id: row.company_id, name: row.company_name } : null
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phones: row.phones ?? [],
    company_id: company ? row.company_id : null,
    company,
    time_zone: row.time_zone,
    language: row.language,
    address: row.address ?? {},
    tags: row.tags,
    custom_fields: row.custom_fields ?? {},
    is_vip: row.is_vip,
    is_blocked: row.is_blocked,
    can_see_company_tickets: row.can_see_company_tickets,
    user_id: row.user_id,
    has_portal_access: row.user_id !== null,
    email_status: row.email_status,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}
