import type { Actor } from '../../../platform/auth/actor.js'
import type { Tx } from '../../../platform/db/schema.js'
import { withTenant } from '../../../platform/db/tenant.js'
import { loadActiveFieldDefinitions } from '../../custom-fields/validate.js'
import { selectContacts, type ContactRow } from '../present.js'
import { ADDRESS_KEYS } from '../schemas.js'
import { BOM, csvLine } from './write-csv.js'

export const EXPORT_BATCH = 1000

/** A custom field value as one cell (lists joined with `; `, as the import splits them). */
export function customCell(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null
  if (Array.isArray(value)) return value.join('; ')
  if (typeof value === 'object') return JSON.stringify(value)
  return value as string | number | boolean
}

/**
 * Streams the organization's live contacts as CSV in the import's columns (so an export imports
 * back to the same contacts). Reads in keyset batches on the primary key, each batch in its own
 * short transaction: the table is never held in memory, and a slow reader never keeps a
 * transaction (or, on PGlite, the database) to itself.
 */
export async function* exportContacts(db: Tx, actor: Actor, batchSize = EXPORT_BATCH): AsyncGenerator<string> {
  const ctx = { tenantId: actor.tenantId, userId: actor.userId }
  const keys = (await withTenant(db, ctx, (tx) => loadActiveFieldDefinitions(tx, 'contact'))).map((d) => d.key)
  yield BOM + csvLine([
    'id', 'name', 'email', 'phones', 'company', 'tags', 'time_zone', 'language', ...ADDRESS_KEYS,
    'is_vip', 'is_blocked', 'can_see_company_tickets', ...keys.map((k) => `cf.${k}`), 'created_at', 'updated_at',
  ])
  let after: string | null = null
  for (;;) {
    const from: string | null = after
    const rows: ContactRow[] = await withTenant(db, ctx, (tx) => {
      let q = selectContacts(tx).where('c.deleted_at', 'is', null)
      if (from) q = q.where('c.id', '>', from)
      return q.orderBy('c.id').limit(batchSize).execute()
    })
    if (!rows.length) return
    let chunk = ''
    for (const r of rows) {
      chunk += csvLine([
        r.id, r.name, r.email, (r.phones ?? []).map((p) => `${p.type}: ${p.number}`).join('; '), r.company_id ? r.company_name : null,
        r.tags.join(', '), r.time_zone, r.language, ...ADDRESS_KEYS.map((k) => r.address?.[k] ?? null),
        r.is_vip, r.is_blocked, r.can_see_company_tickets, ...keys.map((k) => customCell(r.custom_fields?.[k])),
        r.created_at, r.updated_at,
      ])
    }
    yield chunk
    after = rows[rows.length - 1]!.id
    if (rows.length < batchSize) return
  }
}
