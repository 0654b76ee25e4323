import type { CompaniesTable, ContactsTable, Tx } from '../../platform/db/schema.js'

/**
 * The current organization's contacts and companies through the `tenant_contacts` and
 * `tenant_companies` views (migration 0005, decision 0006): the rows row-level security allows,
 * with every index usable — under RLS, conditions with operators that are not leakproof
 * (`ILIKE`, `lower()`, `@>`, `&&`) cannot use theirs. Searches, email lookups and duplicate
 * checks pick ids here; what is shown is read through `contacts`/`companies` under RLS. Reads only.
 */
export function tenantDirectory(tx: Tx) {
  return tx.withTables<{ tenant_contacts: ContactsTable; tenant_companies: CompaniesTable }>()
}
