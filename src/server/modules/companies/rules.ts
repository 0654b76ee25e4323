import { sql } from 'kysely'
import type { Tx } from '../../platform/db/schema.js'
import { conflict, invalid } from '../../platform/errors.js'
import { tenantDirectory } from '../contacts/scope.js'

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})+$`)

/** Email domains lowercased (a leading `@` dropped) and checked as hostnames; 400 naming the bad one. */
export function normalizeDomains(domains: readonly string[] | undefined, field = 'domains'): string[] {
  const out: string[] = []
  for (const [i, raw] of (domains ?? []).entries()) {
    const d = raw.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '')
    if (!HOSTNAME.test(d)) throw invalid(`${field}.${i}`, `"${raw}" is not a domain name such as example.com`)
    if (!out.includes(d)) out.push(d)
  }
  return out
}

/** A website as an http(s) URL; `example.com` becomes `https://example.com`. */
export function normalizeWebsite(website: string | null | undefined, field = 'website'): string | null {
  const w = website?.trim()
  if (!w) return null
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(w) ? w : `https://${w}`
  try {
    const url = new URL(withScheme)
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.')) return url.toString()
  } catch {
    // falls through to the error
  }
  throw invalid(field, 'must be a web address such as https://example.com')
}

/** A phone number as people write them, or 400. */
export function normalizeCompanyPhone(phone: string | null | undefined, field = 'phone'): string | null {
  const p = phone?.trim().replace(/\s+/g, ' ')
  if (!p) return null
  if (p.length < 3 || p.length > 40 || !/^\+?[0-9][0-9 ()./#*x-]*$/.test(p)) throw invalid(field, 'is not a phone number')
  return p
}

/**
 * Domain writes in one organization take turns (a transaction-scoped advisory lock), so two
 * companies cannot both claim a domain in concurrent requests: the array column has no unique
 * index to settle it.
 */
export async function lockDomains(tx: Tx, tenantId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`aidly.company-domains.${tenantId}`}, 0))`.execute(tx)
}

/** 409 naming the first domain another live company lists. Call after {@link lockDomains}. */
export async function assertDomainsFree(tx: Tx, domains: readonly string[], exceptIds: readonly string[] = [], field = 'domains'): Promise<void> {
  if (!domains.length) return
  // Through the view, so that && can use companies_domains (contacts/scope.ts).
  let q = tenantDirectory(tx).selectFrom('tenant_companies').select(['id', 'name', 'domains']).where('deleted_at', 'is', null)
    .where(sql<boolean>`domains && ${sql.val([...domains])}::text[]`)
  if (exceptIds.length) q = q.where('id', 'not in', [...exceptIds])
  const other = await q.limit(1).executeTakeFirst()
  if (other) {
    const taken = domains.find((d) => other.domains.includes(d))!
    throw conflict(`The domain ${taken} already belongs to ${other.name}.`, [{ field, message: `${taken} is used by another company` }])
  }
}

/** A live company to be a parent, or 400. */
export async function assertParentExists(tx: Tx, parentId: string, field = 'parent_id'): Promise<void> {
  const parent = await tx.selectFrom('companies').select('id').where('id', '=', parentId).where('deleted_at', 'is', null).forKeyShare().executeTakeFirst()
  if (!parent) throw invalid(field, 'is not a company of this organization')
}

/** Moves in one organization's company tree take turns, so two moves cannot close a loop together. */
export async function lockTree(tx: Tx, tenantId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`aidly.company-tree.${tenantId}`}, 0))`.execute(tx)
}

/** The ids above `companyId` in the tree (its parent, the parent's parent, …). */
export async function ancestorsOf(tx: Tx, tenantId: string, companyId: string): Promise<string[]> {
  const found = await sql<{ id: string }>`
    WITH RECURSIVE chain (id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM companies WHERE tenant_id = ${tenantId} AND id = ${companyId}
      UNION ALL
      SELECT c.id, c.parent_id, ch.depth + 1 FROM companies c JOIN chain ch ON c.id = ch.parent_id
      WHERE c.tenant_id = ${tenantId} AND ch.depth < 1000
    )
    SELECT id FROM chain WHERE depth > 0`.execute(tx)
  return found.rows.map((r) => r.id)
}

/** 400 for a company as its own parent, 409 for a parent that is one of its own descendants. */
export async function assertNoCycle(tx: Tx, tenantId: string, companyId: string, parentId: string): Promise<void> {
  if (parentId === companyId) throw invalid('parent_id', 'a company cannot be its own parent')
  const above = await ancestorsOf(tx, tenantId, parentId)
  if (above.includes(companyId)) {
    throw conflict('A company cannot be placed under one of its own subsidiaries.', [{ field: 'parent_id', message: 'is a descendant of this company' }])
  }
}

/**
 * Moves live contacts whose email domain is one of `domains` to the company (served by
 * contacts_email_domain); returns how many moved.
 */
export async function assignContactsByDomain(tx: Tx, companyId: string, domains: readonly string[]): Promise<number> {
  if (!domains.length) return 0
  const moved = await tx.updateTable('contacts')
    .set({ company_id: companyId, updated_at: sql`now()` })
    .where('deleted_at', 'is', null)
    .where(sql<boolean>`id = ANY (ARRAY(SELECT id FROM tenant_contacts WHERE deleted_at IS NULL AND email IS NOT NULL
      AND lower(substring(email from '[^@]*$')) = ANY (${sql.val([...domains])}::text[])))`)
    .where((eb) => eb.or([eb('company_id', 'is', null), eb('company_id', '!=', companyId)]))
    .executeTakeFirst()
  return Number(moved.numUpdatedRows)
}
