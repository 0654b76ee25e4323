import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { withTenant } from '../../platform/db/tenant.js'
import { conflict, invalid } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { applyCustomFields, loadActiveFieldDefinitions, type ActiveFieldDefinition } from '../custom-fields/validate.js'
import { customCell, EXPORT_BATCH } from '../contacts/csv/export-contacts.js'
import { customFieldInput, rowErrors, runImport, splitList, type CsvRow, type ImportOptions, type ImportResult, type ImportSpec, type RowOutcome } from '../contacts/csv/import-runner.js'
import { BOM, csvLine } from '../contacts/csv/write-csv.js'
import { normalizeTags } from '../contacts/normalize.js'
import { tenantDirectory } from '../contacts/scope.js'
import { assertDomainsFree, assertNoCycle, lockDomains, normalizeCompanyPhone, normalizeDomains, normalizeWebsite } from './rules.js'

const COLUMNS: Record<string, string> = {
  name: 'name', company: 'name', company_name: 'name',
  domains: 'domains', domain: 'domains', email_domains: 'domains',
  parent: 'parent', parent_company: 'parent', parent_name: 'parent',
  phone: 'phone', phone_number: 'phone', telephone: 'phone',
  website: 'website', url: 'website', web: 'website',
  tags: 'tags', tag: 'tags',
}
const IGNORED = new Set(['id', 'created_at', 'updated_at', 'parent_id', 'contact_count', 'open_ticket_count'])

interface State { definitions: readonly ActiveFieldDefinition[] }

type Found = { id: string; domains: string[]; tags: string[]; custom_fields: Record<string, unknown> }

async function findCompany(tx: Tx, name: string | undefined, domains: string[]): Promise<Found | undefined> {
  if (domains.length) {
    const byDomain = await tx.selectFrom('companies').select(['id', 'domains', 'tags', 'custom_fields']).where('deleted_at', 'is', null)
      .where(sql<boolean>`id = ANY (ARRAY(SELECT id FROM tenant_companies WHERE deleted_at IS NULL AND domains && ${sql.val(domains)}::text[]))`)
      .forUpdate().limit(2).execute()
    if (byDomain.length > 1) throw conflict('The domains belong to more than one company.', [{ field: 'domains', message: 'match several companies' }])
    if (byDomain[0]) return byDomain[0]
  }
  if (!name) return undefined
  return tx.selectFrom('companies').select(['id', 'domains', 'tags', 'custom_fields']).where('deleted_at', 'is', null)
    .where(sql<boolean>`id = ANY (ARRAY(SELECT id FROM tenant_companies WHERE deleted_at IS NULL AND lower(name) = ${name.toLowerCase()}))`).orderBy('created_at').limit(1).forUpdate().executeTakeFirst()
}

/** The company named `name` (created when there is none yet, so files in any order import). */
async function parentByName(tx: Tx, actor: Actor, name: string): Promise<string> {
  const found = await tenantDirectory(tx).selectFrom('tenant_companies').select('id').where(sql`lower(name)`, '=', name.toLowerCase()).where('deleted_at', 'is', null)
    .orderBy('created_at').limit(1).executeTakeFirst()
  if (found) return found.id
  if (name.length > 200) throw invalid('parent', 'must be at most 200 characters')
  const id = uuidv7()
  await tx.insertInto('companies').values({ tenant_id: actor.tenantId, id, name, custom_fields: '{}' }).execute()
  return id
}

/**
 * One row: the company listing one of the row's domains, else the one with the row's name, is
 * updated (empty cells leave its values; domains and tags are added; custom fields merged);
 * otherwise a company is made. A parent named in the row is found by name or created.
 */
async function applyCompanyRow(tx: Tx, actor: Actor, state: State, row: CsvRow): Promise<'imported' | 'updated'> {
  const c = row.cells
  const name = c.get('name')
  if (name && name.length > 200) throw invalid('name', 'must be at most 200 characters')
  const domains = normalizeDomains(splitList(c.get('domains'), /[;,\s]+/))
  const phone = normalizeCompanyPhone(c.get('phone'))
  const website = normalizeWebsite(c.get('website'))
  const tags = normalizeTags(splitList(c.get('tags')))
  const customInput = customFieldInput(state.definitions, row.custom)
  if (domains.length) await lockDomains(tx, actor.tenantId)
  const existing = await findCompany(tx, name, domains)
  const parentName = c.get('parent')
  const parentId = parentName ? await parentByName(tx, actor, parentName) : undefined
  if (existing) {
    const allDomains = [...new Set([...existing.domains, ...domains])]
    await assertDomainsFree(tx, allDomains, [existing.id])
    if (parentId) await assertNoCycle(tx, actor.tenantId, existing.id, parentId)
    const customFields = applyCustomFields(state.definitions, 'company', customInput, { existing: existing.custom_fields, partial: true })
    await tx.updateTable('companies').set({
      ...(name ? { name } : {}),
      domains: allDomains,
      ...(tags.length ? { tags: [...new Set([...existing.tags, ...tags])] } : {}),
      ...(phone ? { phone } : {}),
      ...(website ? { website } : {}),
      ...(parentId ? { parent_id: parentId } : {}),
      custom_fields: JSON.stringify(customFields),
      updated_at: sql`now()`,
    }).where('id', '=', existing.id).execute()
    return 'updated'
  }
  if (!name) throw invalid('name', 'a new company needs a name')
  await assertDomainsFree(tx, domains)
  const customFields = applyCustomFields(state.definitions, 'company', customInput)
  await tx.insertInto('companies').values({
    tenant_id: actor.tenantId, id: uuidv7(), name, domains, tags, phone, website, parent_id: parentId ?? null,
    custom_fields: JSON.stringify(customFields),
  }).execute()
  return 'imported'
}

/**
 * Companies row by row, each in a savepoint: a row reads and writes several companies (its
 * match, its parent), and one that fails half-way must leave nothing behind.
 */
async function applyCompanyRows(tx: Tx, actor: Actor, state: State, rows: CsvRow[]): Promise<RowOutcome[]> {
  const outcomes: RowOutcome[] = []
  for (const row of rows) {
    await sql`SAVEPOINT company_row`.execute(tx)
    try {
      outcomes.push(await applyCompanyRow(tx, actor, state, row))
      await sql`RELEASE SAVEPOINT company_row`.execute(tx)
    } catch (error) {
      await sql`ROLLBACK TO SAVEPOINT company_row`.execute(tx)
      outcomes.push(rowErrors(row.line, error))
    }
  }
  return outcomes
}

const COMPANIES_SPEC: ImportSpec<State> = {
  entity: 'company',
  auditAction: 'companies.imported',
  columns: COLUMNS,
  ignored: IGNORED,
  check: (cols) => (cols.has('name') || cols.has('domains') ? null : 'needs a name or a domains column'),
  setup: async (_tx, definitions) => ({ definitions }),
  apply: applyCompanyRows,
}

/**
 * Imports companies from CSV (columns: name, domains, parent, phone, website, tags and
 * `cf.<key>`), upserting by domain, then by name.
 */
export function importCompanies(db: Tx, actor: Actor, source: AsyncIterable<Buffer | Uint8Array | string>, opts: ImportOptions = {}): Promise<ImportResult> {
  return runImport(db, actor, source, COMPANIES_SPEC, opts)
}

/** Streams the live companies as CSV in the import's columns, in keyset batches (see exportContacts). */
export async function* exportCompanies(db: Tx, actor: Actor, batchSize = EXPORT_BATCH): AsyncGenerator<string> {
  const ctx = { tenantId: actor.tenantId, userId: actor.userId }
  const keys = (await withTenant(db, ctx, (tx) => loadActiveFieldDefinitions(tx, 'company'))).map((d) => d.key)
  yield BOM + csvLine(['id', 'name', 'domains', 'parent', 'phone', 'website', 'tags', ...keys.map((k) => `cf.${k}`), 'created_at', 'updated_at'])
  let after: string | null = null
  for (;;) {
    const from: string | null = after
    const rows = await withTenant(db, ctx, (tx) => {
      let q = tx.selectFrom('companies as co')
        .leftJoin('companies as p', (j) => j.onRef('p.tenant_id', '=', 'co.tenant_id').onRef('p.id', '=', 'co.parent_id').on('p.deleted_at', 'is', null))
        .select(['co.id', 'co.name', 'co.domains', 'p.name as parent_name', 'co.phone', 'co.website', 'co.tags', 'co.custom_fields', 'co.created_at', 'co.updated_at'])
        .where('co.deleted_at', 'is', null)
      if (from) q = q.where('co.id', '>', from)
      return q.orderBy('co.id').limit(batchSize).execute()
    })
    if (!rows.length) return
    yield rows.map((r) => csvLine([
      r.id, r.name, r.domains.join(', '), r.parent_name, r.phone, r.website, r.tags.join(', '),
      ...keys.map((k) => customCell(r.custom_fields?.[k])), r.created_at, r.updated_at,
    ])).join('')
    after = rows[rows.length - 1]!.id
    if (rows.length < batchSize) return
  }
}
