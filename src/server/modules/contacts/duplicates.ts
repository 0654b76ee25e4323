import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { Tx } from '../../platform/db/schema.js'
import type { DuplicateGroupSchema } from './schemas.js'

export type DuplicateGroup = Static<typeof DuplicateGroupSchema>

/** How similar two names in the same company or email domain must be (pg_trgm similarity). */
export const SIMILAR_NAME_THRESHOLD = 0.6

/** How many of the newest contacts are checked for duplicates among all contacts. */
export const DUPLICATE_WINDOW = 1000

/** How many of the newest contacts of a company, and of an email domain, names are compared with. */
export const SIMILAR_CANDIDATES = 100

interface RawGroup { reason: DuplicateGroup['reason']; key: string; similarity?: number; ids: string[] }

/**
 * Groups of contacts that are likely the same person, for the newest {@link DUPLICATE_WINDOW}
 * contacts (new contacts are where duplicates come from) against all of them. The same email
 * cannot happen (unique index), so:
 * 1. the same phone number (its last ten digits);
 * 2. the same name (any letter case) in the same company;
 * 3. names with trigram similarity above 0.6 in the same company or email domain (compared with
 *    the newest {@link SIMILAR_CANDIDATES} of each, so a free-mail domain cannot make it quadratic).
 * Each kind is one statement that reads the table at most once — through the tenant_contacts view,
 * so the phone-key, company and domain indexes are usable (scope.ts) — and compares only within
 * the window's phones, companies and domains. At most `limit` groups.
 */
export async function findDuplicateContacts(tx: Tx, limit: number): Promise<DuplicateGroup[]> {
  // The window, materialized once per statement; every later step reads the table at most once
  // (an index probe on PostgreSQL, one scan at worst), so no plan is a loop over the table.
  const window = sql`w AS MATERIALIZED (
      SELECT id, name, company_id, phones, lower(substring(email from '[^@]*$')) AS domain
      FROM tenant_contacts WHERE deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT ${DUPLICATE_WINDOW})`
  const phones = await sql<{ key: string; ids: string[] }>`
    WITH ${window},
    wk AS MATERIALIZED (SELECT DISTINCT unnest(contact_phone_keys(phones)) AS k FROM w),
    hit AS MATERIALIZED (
      SELECT o.id, o.created_at, k FROM tenant_contacts o CROSS JOIN LATERAL unnest(contact_phone_keys(o.phones)) k
      WHERE o.deleted_at IS NULL AND contact_phone_keys(o.phones) && ARRAY(SELECT k FROM wk))
    SELECT k AS key, array_agg(id ORDER BY created_at, id) AS ids FROM hit WHERE k IN (SELECT k FROM wk)
    GROUP BY k HAVING count(*) > 1 ORDER BY k LIMIT ${limit}`.execute(tx)
  const sameName = await sql<{ ids: string[] }>`
    WITH ${window},
    nm AS MATERIALIZED (SELECT DISTINCT company_id, lower(name) AS n FROM w WHERE company_id IS NOT NULL)
    SELECT array_agg(o.id ORDER BY o.id) AS ids FROM tenant_contacts o JOIN nm ON o.company_id = nm.company_id AND lower(o.name) = nm.n
    WHERE o.deleted_at IS NULL GROUP BY nm.company_id, nm.n HAVING count(*) > 1 ORDER BY nm.company_id, nm.n LIMIT ${limit}`.execute(tx)
  const similar = await sql<{ a: string; b: string; score: number }>`
    WITH ${window},
    cand AS MATERIALIZED (
      SELECT id, name, company_id, domain FROM (
        SELECT o.id, o.name, o.company_id, lower(substring(o.email from '[^@]*$')) AS domain,
          row_number() OVER (PARTITION BY o.company_id ORDER BY o.created_at DESC) AS in_company,
          row_number() OVER (PARTITION BY lower(substring(o.email from '[^@]*$')) ORDER BY o.created_at DESC) AS in_domain
        FROM tenant_contacts o
        WHERE o.deleted_at IS NULL AND (
          o.company_id = ANY (ARRAY(SELECT company_id FROM w WHERE company_id IS NOT NULL))
          OR lower(substring(o.email from '[^@]*$')) = ANY (ARRAY(SELECT domain FROM w WHERE domain IS NOT NULL)))
      ) x WHERE in_company <= ${SIMILAR_CANDIDATES} OR in_domain <= ${SIMILAR_CANDIDATES}),
    pairs AS (
      SELECT w.id AS a, c.id AS b, w.name AS an, c.name AS bn FROM w JOIN cand c ON c.company_id = w.company_id AND c.id <> w.id
      UNION
      SELECT w.id, c.id, w.name, c.name FROM w JOIN cand c ON c.domain = w.domain AND c.id <> w.id)
    SELECT a, b, similarity(an, bn)::float8 AS score FROM pairs
    WHERE lower(an) <> lower(bn) AND similarity(an, bn) > ${SIMILAR_NAME_THRESHOLD}
    LIMIT ${limit * 4}`.execute(tx)

  const groups: RawGroup[] = [
    ...phones.rows.map((r) => ({ reason: 'phone' as const, key: r.key, ids: r.ids })),
    ...sameName.rows.map((r) => ({ reason: 'name_and_company' as const, key: '', ids: r.ids })),
  ]
  const seenPairs = new Set<string>()
  for (const r of similar.rows) {
    const ids = [r.a, r.b].sort()
    if (seenPairs.has(ids.join(':'))) continue
    seenPairs.add(ids.join(':'))
    groups.push({ reason: 'similar_name', key: Number(r.score).toFixed(2), similarity: Number(r.score), ids })
  }

  const chosen = groups.slice(0, limit)
  const ids = [...new Set(chosen.flatMap((g) => g.ids))]
  if (!ids.length) return []
  // One read for every contact in every group (no N+1).
  const rows = await tx.selectFrom('contacts as c')
    .leftJoin('companies as co', (j) => j.onRef('co.tenant_id', '=', 'c.tenant_id').onRef('co.id', '=', 'c.company_id').on('co.deleted_at', 'is', null))
    .select(['c.id', 'c.name', 'c.email', 'c.company_id', 'co.name as company_name', 'c.created_at'])
    .where('c.id', 'in', ids).execute()
  const byId = new Map(rows.map((r) => [r.id, {
    id: r.id, name: r.name, email: r.email, created_at: r.created_at,
    company: r.company_id && r.company_name ? { id: r.company_id, name: r.company_name } : null,
  }]))
  return chosen.map((g) => ({
    reason: g.reason,
    key: g.reason === 'name_and_company' ? byId.get(g.ids[0]!)?.name ?? g.key : g.key,
    ...(g.similarity !== undefined ? { similarity: Math.round(g.similarity * 100) / 100 } : {}),
    contacts: g.ids.map((id) => byId.get(id)).filter((c) => c !== undefined),
  }))
}
