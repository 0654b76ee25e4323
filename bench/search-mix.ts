/**
 * Times search on the bench database, one query at a time, over the seeded vocabulary: every word
 * and every third pair of words (475 queries), as the organization's admin, with the app's own
 * searchTickets in a tenant transaction. Prints the percentiles and the slowest queries.
 *
 *   npm run bench -- --size 1m --reuse --only search   # seeds aidly_bench once, if not there yet
 *   npx tsx bench/search-mix.ts                          # or DATABASE_URL=postgres://…/aidly_bench
 */
import { BUILTIN_ROLES, type Permission } from '../src/shared/permissions.js'
import type { Actor } from '../src/server/platform/auth/actor.js'
import { openDatabase } from '../src/server/platform/db/engine.js'
import { withSystem, withTenant } from '../src/server/platform/db/tenant.js'
import { searchTickets } from '../src/server/modules/ticket-lists/search-tickets.js'
import { WORDS } from './lib/seed.js'

const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/aidly_bench', dataDir: '' })
const { tenantId, adminId } = await withSystem(database.db, async (tx) => {
  const o = await tx.selectFrom('organizations').select('id').where('slug', '=', 'bench').executeTakeFirstOrThrow()
  const m = await tx.selectFrom('memberships as m').innerJoin('roles as r', (j) => j.onRef('r.id', '=', 'm.role_id').onRef('r.tenant_id', '=', 'm.tenant_id'))
    .select('m.user_id').where('m.tenant_id', '=', o.id).where('r.key', '=', 'admin').executeTakeFirstOrThrow()
  return { tenantId: o.id, adminId: m.user_id }
})
const role = BUILTIN_ROLES.find((r) => r.key === 'admin')!
const admin: Actor = { kind: 'user', userId: adminId, tenantId, sessionId: null, apiKeyId: null,
  role: { id: 'admin', key: 'admin', name: role.name, kind: role.kind, ticketScope: role.ticket_scope, permissions: new Set<Permission>(role.permissions) } }
const qs: string[] = [...WORDS]
for (let i = 0; i < WORDS.length; i++) for (let j = i + 1; j < WORDS.length; j += 3) qs.push(`${WORDS[i]} ${WORDS[j]}`)
const times: Array<[number, string]> = []
for (const q of qs) {
  const t0 = performance.now()
  await withTenant(database.db, { tenantId, userId: adminId }, (tx) => searchTickets(tx, admin, { q, filters: {}, page: 1, limit: 25 }))
  times.push([performance.now() - t0, q])
}
times.sort((a, b) => a[0] - b[0])
const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]![0].toFixed(1)
console.log(`${times.length} queries: p50 ${pct(0.5)} p90 ${pct(0.9)} p95 ${pct(0.95)} p99 ${pct(0.99)} max ${pct(1)} ms`)
console.log(times.slice(-12).map(([t, q]) => `${t.toFixed(0)} ms ${q}`).join('\n'))
await database.close()
