import { sql, type Expression, type SqlBool } from 'kysely'
import type { Static } from 'typebox'
import type { CustomFieldEntity, Tx } from '../../platform/db/schema.js'
import { AppError, invalid } from '../../platform/errors.js'
import { loadActiveFieldDefinitions } from '../custom-fields/validate.js'
import { likeContains } from './normalize.js'
import { presentContact, selectContacts, type ContactOut } from './present.js'
import { flag, type ListContactsQuery } from './schemas.js'

export type ContactFilter = Static<typeof ListContactsQuery>

/**
 * `custom_fields.<key>=value` query keys as one jsonb containment value (served by the GIN
 * index on custom_fields): each value is read as its field's type, and a multiselect matches
 * records that include the option. An unknown key is a 400 naming it.
 */
export async function customFieldFilter(tx: Tx, entity: CustomFieldEntity, query: Record<string, unknown>): Promise<Record<string, unknown> | null> {
  const wanted = Object.entries(query).filter(([k]) => k.startsWith('custom_fields.'))
  if (!wanted.length) return null
  const defs = new Map((await loadActiveFieldDefinitions(tx, entity)).map((d) => [d.key, d]))
  const out: Record<string, unknown> = {}
  for (const [param, raw] of wanted) {
    const key = param.slice('custom_fields.'.length)
    const def = defs.get(key)
    if (!def) throw invalid(param, `is not a custom field of ${entity === 'company' ? 'companies' : 'contacts'}`)
    const value = String(raw)
    switch (def.type) {
      case 'number': {
        const n = Number(value)
        if (value.trim() === '' || !Number.isFinite(n)) throw invalid(param, 'must be a number')
        out[key] = n
        break
      }
      case 'boolean':
        if (!['true', 'false', '1', '0'].includes(value)) throw invalid(param, 'must be true or false')
        out[key] = value === 'true' || value === '1'
        break
      case 'multiselect':
        out[key] = [value]
        break
      default:
        out[key] = value
    }
  }
  return out
}

/**
 * Contacts meeting a condition that needs a GIN or trigram index: the ids are chosen through the
 * tenant_contacts view, where those indexes are usable (scope.ts), in an array computed once —
 * not a semi-join, which a planner without statistics (PGlite is never analyzed) may run as a
 * nested loop over the whole table for every row.
 */
function matching(condition: Expression<SqlBool>): Expression<SqlBool> {
  return sql<SqlBool>`c.id = ANY (ARRAY(SELECT id FROM tenant_contacts WHERE deleted_at IS NULL AND ${condition}))`
}

function conditions(f: ContactFilter, custom: Record<string, unknown> | null): Expression<SqlBool>[] {
  const all: Expression<SqlBool>[] = [sql<SqlBool>`c.deleted_at IS NULL`]
  if (f.q !== undefined) {
    const pattern = likeContains(f.q.trim())
    all.push(matching(sql<SqlBool>`(name ILIKE ${pattern} OR email ILIKE ${pattern})`))
  }
  if (f.company_id !== undefined) all.push(sql<SqlBool>`c.company_id = ${f.company_id}`)
  if (f.tag !== undefined) all.push(matching(sql<SqlBool>`tags @> ARRAY[${f.tag.trim().toLowerCase()}]::text[]`))
  if (f.is_vip !== undefined) all.push(sql<SqlBool>`c.is_vip = ${flag(f.is_vip)}`)
  if (f.is_blocked !== undefined) all.push(sql<SqlBool>`c.is_blocked = ${flag(f.is_blocked)}`)
  if (f.created_after !== undefined) all.push(sql<SqlBool>`c.created_at >= ${f.created_after}::timestamptz`)
  if (f.created_before !== undefined) all.push(sql<SqlBool>`c.created_at < ${f.created_before}::timestamptz`)
  if (custom) all.push(matching(sql<SqlBool>`custom_fields @> ${JSON.stringify(custom)}::jsonb`))
  return all
}

/**
 * A page of contacts with their company names and the total for the filter — two statements,
 * whatever the page size. Sorts are served by contacts_list (created), contacts_name and
 * contacts_email_order; `q`, `tag` and custom fields by the trigram and GIN indexes, reached
 * through the tenant_contacts view (see scope.ts).
 */
export async function listContacts(tx: Tx, f: ContactFilter): Promise<{ contacts: ContactOut[]; total: number; page: number; limit: number }> {
  const page = f.page ?? 1
  const limit = f.limit ?? 25
  if (f.created_after && f.created_before && Date.parse(f.created_after) > Date.parse(f.created_before)) {
    throw new AppError('validation_error', 'created_after must not be later than created_before', [{ field: 'created_after', message: 'is later than created_before' }])
  }
  const custom = await customFieldFilter(tx, 'contact', f as Record<string, unknown>)
  const where = conditions(f, custom)
  const sort = f.sort ?? '-created_at'
  const direction = sort.startsWith('-') ? 'desc' : 'asc'
  const key = sort.replace(/^-/, '')
  let q = selectContacts(tx).where((eb) => eb.and(where))
  q = key === 'name' ? q.orderBy(sql`lower(c.name)`, direction)
    : key === 'email' ? q.orderBy(sql`lower(c.email)`, direction)
    : q.orderBy('c.created_at', direction)
  const rows = await q.orderBy('c.id', direction).limit(limit).offset((page - 1) * limit).execute()
  const counted = await tx.selectFrom('contacts as c').select((eb) => eb.fn.countAll<number>().as('n')).where((eb) => eb.and(where)).executeTakeFirstOrThrow()
  return { contacts: rows.map(presentContact), total: Number(counted.n), page, limit }
}
