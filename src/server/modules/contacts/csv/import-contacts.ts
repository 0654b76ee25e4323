import { sql } from 'kysely'
import type { Actor } from '../../../platform/auth/actor.js'
import type { ContactPhone, Tx } from '../../../platform/db/schema.js'
import { invalid } from '../../../platform/errors.js'
import { uuidv7 } from '../../../platform/ids.js'
import { applyCustomFields, type ActiveFieldDefinition } from '../../custom-fields/validate.js'
import { emailDomain } from '../find-or-create.js'
import { guardEmail } from '../manage-contacts.js'
import { checkEmail, checkLanguage, checkTimeZone, normalizeAddress, normalizePhones, normalizeTags, phoneKey } from '../normalize.js'
import { ADDRESS_KEYS, PHONE_TYPES } from '../schemas.js'
import { tenantDirectory } from '../scope.js'
import { customFieldInput, parseBool, rowErrors, runImport, splitList, type CsvRow, type ImportOptions, type ImportResult, type ImportSpec, type RowOutcome } from './import-runner.js'

/** Header spellings people use → the contact column they mean. */
const COLUMNS: Record<string, string> = {
  name: 'name', full_name: 'name', contact_name: 'name', contact: 'name',
  email: 'email', e_mail: 'email', email_address: 'email',
  phone: 'phone', phone_number: 'phone', work_phone: 'phone', telephone: 'phone',
  mobile: 'mobile', mobile_phone: 'mobile', cell: 'mobile', cell_phone: 'mobile',
  phones: 'phones',
  company: 'company', company_name: 'company', organization: 'company', organisation: 'company',
  tags: 'tags', tag: 'tags',
  time_zone: 'time_zone', timezone: 'time_zone', tz: 'time_zone',
  language: 'language', lang: 'language', locale: 'language',
  street: 'street', address: 'street', street_address: 'street', address_line1: 'street',
  city: 'city', region: 'region', state: 'region', province: 'region',
  postal_code: 'postal_code', zip: 'postal_code', zip_code: 'postal_code', postcode: 'postal_code',
  country: 'country',
  is_vip: 'is_vip', vip: 'is_vip', is_blocked: 'is_blocked', blocked: 'is_blocked',
  can_see_company_tickets: 'can_see_company_tickets',
}

/** What the export writes that an import reads past. */
const IGNORED = new Set(['id', 'created_at', 'updated_at', 'has_portal_access', 'company_id'])

/** `work: +1 555 0100; mobile: +1 555 0101` (the type is optional) as phones. */
export function parsePhones(value: string | undefined, field: string): ContactPhone[] {
  return splitList(value, /;/).map((part) => {
    const m = /^([a-z]+)\s*:\s*(.+)$/i.exec(part)
    const type = (m?.[1]?.toLowerCase() ?? 'work') as ContactPhone['type']
    if (!(PHONE_TYPES as readonly string[]).includes(type)) throw invalid(field, `"${m?.[1]}" is not a phone type (${PHONE_TYPES.join(', ')})`)
    return { type, number: m?.[2] ?? part }
  })
}

interface State {
  definitions: readonly ActiveFieldDefinition[]
  /** lower(company name) → id, for companies that existed before this batch. */
  companies: Map<string, string>
  /** email domain → the company listing it, or null. */
  domains: Map<string, string | null>
}

/** A row read and checked, before the database is asked anything. */
interface ParsedRow {
  name: string | undefined
  email: string | null
  companyName: string | undefined
  phones: ContactPhone[]
  tags: string[]
  timeZone: string | null
  language: string | null
  address: Record<string, string>
  flags: Partial<Record<'is_vip' | 'is_blocked' | 'can_see_company_tickets', boolean>>
  custom: Record<string, unknown>
}

function parseRow(state: State, row: CsvRow): ParsedRow {
  const c = row.cells
  const name = c.get('name')
  if (name && name.length > 200) throw invalid('name', 'must be at most 200 characters')
  const email = checkEmail(c.get('email'))
  if (!name && !email) throw invalid('name', 'a row needs a name or an email address')
  const companyName = c.get('company')
  if (companyName && companyName.length > 200) throw invalid('company', 'must be at most 200 characters')
  return {
    name, email, companyName,
    phones: normalizePhones([
      ...(c.has('phone') ? [{ type: 'work' as const, number: c.get('phone')! }] : []),
      ...(c.has('mobile') ? [{ type: 'mobile' as const, number: c.get('mobile')! }] : []),
      ...parsePhones(c.get('phones'), 'phones'),
    ], c.has('phones') ? 'phones' : c.has('mobile') ? 'mobile' : 'phone'),
    tags: normalizeTags(splitList(c.get('tags'))),
    timeZone: checkTimeZone(c.get('time_zone')),
    language: checkLanguage(c.get('language')),
    address: normalizeAddress(Object.fromEntries(ADDRESS_KEYS.map((k) => [k, c.get(k)]))),
    flags: Object.fromEntries((['is_vip', 'is_blocked', 'can_see_company_tickets'] as const)
      .filter((f) => c.has(f)).map((f) => [f, parseBool(c.get(f)!, f)])),
    custom: customFieldInput(state.definitions, row.custom),
  }
}

function union<T>(a: readonly T[], b: readonly T[], key: (x: T) => string): T[] {
  const seen = new Set(a.map(key))
  const out = [...a]
  for (const x of b) {
    if (seen.has(key(x))) continue
    seen.add(key(x))
    out.push(x)
  }
  return out
}

/** A contact as it will be written: the whole row, for an insert or an update by primary key. */
interface Pending {
  id: string
  isNew: boolean
  name: string
  email: string | null
  company_id: string | null
  phones: ContactPhone[]
  tags: string[]
  time_zone: string | null
  language: string | null
  address: Record<string, string>
  custom_fields: Record<string, unknown>
  is_vip: boolean
  is_blocked: boolean
  can_see_company_tickets: boolean
}

/** Looks up, for a batch, the companies named in it (creating the missing ones) and those of new contacts' domains. */
async function resolveCompanies(tx: Tx, actor: Actor, state: State, parsed: ParsedRow[]): Promise<Map<string, string>> {
  const byName = new Map<string, string>()
  const wanted = new Map<string, string>()
  for (const p of parsed) {
    if (!p.companyName) continue
    const key = p.companyName.toLowerCase()
    const known = state.companies.get(key)
    if (known) byName.set(key, known)
    else if (!wanted.has(key)) wanted.set(key, p.companyName)
  }
  if (wanted.size) {
    const found = await tenantDirectory(tx).selectFrom('tenant_companies').select(['id', sql<string>`lower(name)`.as('key')])
      .where('tenant_id', '=', actor.tenantId).where('deleted_at', 'is', null).where(sql`lower(name)`, 'in', [...wanted.keys()])
      .orderBy('created_at', 'desc').execute()
    // Oldest last, so it wins when two companies share a name (as in a single lookup).
    for (const r of found) {
      byName.set(r.key, r.id)
      state.companies.set(r.key, r.id)
    }
    const missing = [...wanted].filter(([key]) => !byName.has(key))
    if (missing.length) {
      // Not cached in state: if the batch is rolled back, these companies go with it.
      const rows = missing.map(([key, name]) => ({ key, row: { tenant_id: actor.tenantId, id: uuidv7(), name, custom_fields: '{}' } }))
      await tx.insertInto('companies').values(rows.map((r) => r.row)).execute()
      for (const r of rows) byName.set(r.key, r.row.id)
    }
  }
  const domains = [...new Set(parsed.filter((p) => p.email && !p.companyName).map((p) => emailDomain(p.email!)))].filter((d) => !state.domains.has(d))
  if (domains.length) {
    const rows = await tenantDirectory(tx).selectFrom('tenant_companies').select(['id', 'domains']).where('tenant_id', '=', actor.tenantId).where('deleted_at', 'is', null)
      .where(sql<boolean>`domains && ${sql.val(domains)}::text[]`).orderBy('created_at', 'desc').execute()
    for (const d of domains) state.domains.set(d, null)
    for (const r of rows) for (const d of r.domains) if (state.domains.has(d)) state.domains.set(d, r.id)
  }
  return byName
}

/**
 * A batch of rows in a handful of statements: the contacts with the rows' emails are read in one
 * go (locked), companies resolved in one or two, new contacts inserted in one statement and
 * changed ones written back in another. A contact with a row's email (in any letter case; its
 * own spelling is kept) is updated — empty cells leave its values alone, phones and tags are
 * added to its own, custom fields and address merged key by key — and any other row makes a new
 * contact. A company named in a row is found by name or created; a new contact without one joins
 * the company of its email domain. Rows repeating an email update the contact the first made.
 */
async function applyContactRows(tx: Tx, actor: Actor, state: State, rows: CsvRow[]): Promise<RowOutcome[]> {
  const outcomes: RowOutcome[] = new Array(rows.length)
  const parsed: Array<ParsedRow | null> = rows.map((row, i) => {
    try {
      return parseRow(state, row)
    } catch (error) {
      outcomes[i] = rowErrors(row.line, error)
      return null
    }
  })
  const valid = parsed.filter((p): p is ParsedRow => p !== null)
  const emails = [...new Set(valid.filter((p) => p.email).map((p) => p.email!.toLowerCase()))]
  // The ids through the view (so lower(email) uses contacts_email), then the rows locked; a row
  // whose email changed in between is not taken.
  const ids = emails.length
    ? (await tenantDirectory(tx).selectFrom('tenant_contacts').select('id').where('deleted_at', 'is', null).where(sql`lower(email)`, 'in', emails).execute()).map((r) => r.id)
    : []
  const locked = ids.length ? await tx.selectFrom('contacts').selectAll().where('id', 'in', ids).where('deleted_at', 'is', null).forUpdate().execute() : []
  const existing = locked.filter((r) => r.email && emails.includes(r.email.toLowerCase()))
  const pending = new Map<string, Pending>()
  for (const r of existing) {
    const { id, name, email, company_id, phones, tags, time_zone, language, address, custom_fields, is_vip, is_blocked, can_see_company_tickets } = r
    pending.set(email!.toLowerCase(), { id, isNew: false, name, email, company_id, phones: phones ?? [], tags, time_zone, language, address: address ?? {}, custom_fields: custom_fields ?? {}, is_vip, is_blocked, can_see_company_tickets })
  }
  const companies = await resolveCompanies(tx, actor, state, valid)
  const touched = new Set<Pending>()
  const inserts: Pending[] = []

  parsed.forEach((p, i) => {
    if (!p) return
    try {
      const key = p.email?.toLowerCase()
      const current = key ? pending.get(key) : undefined
      const companyId = p.companyName ? companies.get(p.companyName.toLowerCase())! : undefined
      if (current) {
        const custom = applyCustomFields(state.definitions, 'contact', p.custom, { existing: current.custom_fields, partial: true })
        if (p.name) current.name = p.name
        if (companyId) current.company_id = companyId
        current.phones = union(current.phones, p.phones, (x) => phoneKey(x.number))
        current.tags = union(current.tags, p.tags, (t) => t)
        if (p.timeZone) current.time_zone = p.timeZone
        if (p.language) current.language = p.language
        current.address = { ...current.address, ...p.address }
        current.custom_fields = custom
        Object.assign(current, p.flags)
        if (!current.isNew) touched.add(current)
        outcomes[i] = 'updated'
        return
      }
      const record: Pending = {
        id: uuidv7(), isNew: true, email: p.email,
        name: p.name ?? (p.email!.slice(0, p.email!.lastIndexOf('@')) || p.email!).slice(0, 200),
        company_id: companyId ?? (p.email ? state.domains.get(emailDomain(p.email)) ?? null : null),
        phones: p.phones, tags: p.tags, time_zone: p.timeZone, language: p.language, address: p.address,
        custom_fields: applyCustomFields(state.definitions, 'contact', p.custom),
        is_vip: p.flags.is_vip ?? false, is_blocked: p.flags.is_blocked ?? false, can_see_company_tickets: p.flags.can_see_company_tickets ?? false,
      }
      if (key) pending.set(key, record)
      inserts.push(record)
      outcomes[i] = 'imported'
    } catch (error) {
      outcomes[i] = rowErrors(rows[i]!.line, error)
    }
  })

  const values = (r: Pending) => ({
    tenant_id: actor.tenantId, id: r.id, name: r.name, email: r.email, company_id: r.company_id, phones: JSON.stringify(r.phones),
    tags: r.tags, time_zone: r.time_zone, language: r.language, address: JSON.stringify(r.address),
    custom_fields: JSON.stringify(r.custom_fields), is_vip: r.is_vip, is_blocked: r.is_blocked, can_see_company_tickets: r.can_see_company_tickets,
  })
  if (inserts.length) await guardEmail(() => tx.insertInto('contacts').values(inserts.map(values)).execute())
  if (touched.size) {
    // Every changed contact in one statement: an insert that always meets its own primary key.
    await tx.insertInto('contacts').values([...touched].map(values))
      .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'), company_id: eb.ref('excluded.company_id'), phones: eb.ref('excluded.phones'),
        tags: eb.ref('excluded.tags'), time_zone: eb.ref('excluded.time_zone'), language: eb.ref('excluded.language'),
        address: eb.ref('excluded.address'), custom_fields: eb.ref('excluded.custom_fields'), is_vip: eb.ref('excluded.is_vip'),
        is_blocked: eb.ref('excluded.is_blocked'), can_see_company_tickets: eb.ref('excluded.can_see_company_tickets'),
        updated_at: sql`now()`,
      })))
      .execute()
  }
  return outcomes
}

const CONTACTS_SPEC: ImportSpec<State> = {
  entity: 'contact',
  auditAction: 'contacts.imported',
  columns: COLUMNS,
  ignored: IGNORED,
  check: (cols) => (cols.has('name') || cols.has('email') ? null : 'needs a name or an email column'),
  setup: async (_tx, definitions) => ({ definitions, companies: new Map(), domains: new Map() }),
  reset: (state) => { state.companies.clear() },
  apply: applyContactRows,
}

/**
 * Imports contacts from CSV (columns: name, email, phone, mobile, phones, company, tags,
 * time_zone, language, street, city, region, postal_code, country, is_vip, is_blocked,
 * can_see_company_tickets and `cf.<key>` for custom fields), upserting by email.
 */
export function importContacts(db: Tx, actor: Actor, source: AsyncIterable<Buffer | Uint8Array | string>, opts: ImportOptions = {}): Promise<ImportResult> {
  return runImport(db, actor, source, CONTACTS_SPEC, opts)
}
