/**
 * Seeds the benchmark dataset. Organizations and the people who sign in are created through the
 * app's own commands (createOrganization, createUser), so logins, roles and memberships are what
 * the app would have made; the bulk — companies, contacts, tickets, comments, history — is
 * inserted set-based (`INSERT … SELECT generate_series`), the approach of bench/explain-tickets.ts,
 * in chunks so a 1m run reports progress and no transaction gets huge.
 */
import { sql } from 'kysely'
import { hashPassword } from '../../src/server/platform/auth/crypto.js'
import type { Actor } from '../../src/server/platform/auth/actor.js'
import type { AppContext } from '../../src/server/platform/context.js'
import { loadConfig } from '../../src/server/platform/config.js'
import type { Tx } from '../../src/server/platform/db/schema.js'
import { withSystem, withTenant } from '../../src/server/platform/db/tenant.js'
import { uuidv7 } from '../../src/server/platform/ids.js'
import { createOrganization } from '../../src/server/modules/organizations/create-organization.js'
import { createUser } from '../../src/server/modules/users/create-user.js'

export const BENCH_PASSWORD = 'bench-password-2026'
export const BENCH_SLUG = 'bench'
export const ADMIN_EMAIL = 'admin@bench.test'

/** Words of subjects, descriptions and comments; the search scenario queries them. */
export const WORDS = [
  'printer', 'invoice', 'login', 'password', 'refund', 'shipping', 'delivery', 'account', 'billing', 'error',
  'crash', 'slow', 'upgrade', 'license', 'export', 'import', 'report', 'dashboard', 'email', 'notification',
  'mobile', 'android', 'iphone', 'browser', 'chrome', 'firefox', 'safari', 'network', 'timeout', 'server',
  'database', 'backup', 'restore', 'calendar', 'meeting', 'order', 'payment', 'card', 'declined', 'address',
  'warehouse', 'label', 'tracking', 'package', 'damaged', 'missing', 'return', 'exchange', 'size', 'color',
]

const TEAMS = 6
const CATEGORIES = 25 // 5 areas with 4 topics each
const CHUNK = 50_000

export interface OrgPlan {
  name: string
  slug: string
  /** Email domain of the organization's people. */
  domain: string
  tickets: number
  agents: number
  contacts: number
  companies: number
}

/** The organizations of a size: the benchmarked one and two neighbours (multi-tenant realism). */
export function planFor(tickets: number): OrgPlan[] {
  const agents = tickets >= 1_000_000 ? 100 : tickets >= 100_000 ? 50 : tickets >= 10_000 ? 20 : 10
  const main: OrgPlan = {
    name: 'Bench Support', slug: BENCH_SLUG, domain: 'bench.test', tickets, agents,
    contacts: Math.max(500, Math.round(tickets / 20)), companies: Math.max(50, Math.round(tickets / 200)),
  }
  const neighbourTickets = Math.max(200, Math.round(tickets / 10))
  const neighbours = [1, 2].map((n): OrgPlan => ({
    name: `Neighbour ${n}`, slug: `neighbour-${n}`, domain: `neighbour-${n}.test`, tickets: neighbourTickets, agents: 5,
    contacts: Math.max(100, Math.round(neighbourTickets / 20)), companies: Math.max(10, Math.round(neighbourTickets / 200)),
  }))
  return [main, ...neighbours]
}

export interface SeedCounts { organizations: number; users: number; companies: number; contacts: number; tickets: number; comments: number; history: number }

type Log = (line: string) => void

/**
 * Seeds every organization of the plan, then VACUUM ANALYZE: statistics, and the visibility map that
 * index-only scans need (autovacuum would set it on a live database; right after a bulk load it is
 * empty, and every index-only count would read the table too). Returns row counts.
 */
export async function seed(db: Tx, tickets: number, log: Log): Promise<SeedCounts> {
  const passwordHash = await hashPassword(BENCH_PASSWORD)
  for (const plan of planFor(tickets)) await seedOrganization(db, plan, passwordHash, log)
  log('VACUUM ANALYZE')
  await sql`VACUUM ANALYZE`.execute(db)
  return countRows(db)
}

export async function countRows(db: Tx): Promise<SeedCounts> {
  const r = await sql<{ [K in keyof SeedCounts]: number }>`
    SELECT (SELECT count(*) FROM organizations)::int AS organizations, (SELECT count(*) FROM users)::int AS users,
           (SELECT count(*) FROM companies)::int AS companies, (SELECT count(*) FROM contacts)::int AS contacts,
           (SELECT count(*) FROM tickets)::int AS tickets, (SELECT count(*) FROM comments)::int AS comments,
           (SELECT count(*) FROM ticket_history)::int AS history`.execute(db)
  return r.rows[0]!
}

/** The admin as an actor, with the role read from the database (what authenticate() would build). */
async function adminActor(tx: Tx, tenantId: string, userId: string): Promise<Actor> {
  const role = await tx.selectFrom('roles').select(['id', 'key', 'name', 'kind', 'ticket_scope', 'permissions'])
    .where('tenant_id', '=', tenantId).where('key', '=', 'admin').executeTakeFirstOrThrow()
  return {
    kind: 'user', userId, tenantId, sessionId: null, apiKeyId: null,
    role: { id: role.id, key: role.key, name: role.name, kind: role.kind, ticketScope: role.ticket_scope, permissions: new Set(role.permissions) },
  }
}

async function seedOrganization(db: Tx, plan: OrgPlan, passwordHash: string, log: Log): Promise<void> {
  const t0 = Date.now()
  const adminId = uuidv7()
  const adminEmail = `admin@${plan.domain}`
  const org = await withSystem(db, async (tx) => {
    await tx.insertInto('users').values({ id: adminId, email: adminEmail, name: `${plan.name} Admin`, password_hash: passwordHash, password_changed_at: new Date() }).execute()
    return createOrganization(tx, { name: plan.name, slug: plan.slug, ownerUserId: adminId })
  })
  const tenantId = org.id

  // Reference data, set-based.
  await withSystem(db, async (tx) => {
    await sql`INSERT INTO teams (tenant_id, id, name) SELECT ${tenantId}, gen_random_uuid(), 'Team ' || g FROM generate_series(1, ${TEAMS}) g`.execute(tx)
    await sql`
      INSERT INTO companies (tenant_id, id, name, domains)
      SELECT ${tenantId}, gen_random_uuid(), 'Company ' || g, ARRAY['company' || g || '.example']
      FROM generate_series(1, ${plan.companies}) g`.execute(tx)
    await sql`
      WITH co AS (SELECT array_agg(id ORDER BY id) AS ids FROM companies WHERE tenant_id = ${tenantId})
      INSERT INTO contacts (tenant_id, id, email, name, company_id, is_vip)
      SELECT ${tenantId}, gen_random_uuid(), 'customer' || g || '@example.test', 'Customer ' || g,
             CASE WHEN g % 5 = 0 THEN NULL ELSE co.ids[1 + g % ${plan.companies}] END, g % 50 = 0
      FROM generate_series(1, ${plan.contacts}) g, co`.execute(tx)
    await sql`INSERT INTO custom_fields (tenant_id, id, entity, key, label, type, options)
      VALUES (${tenantId}, gen_random_uuid(), 'ticket', 'plan', 'Plan', 'select', '[{"value":"free","label":"Free"},{"value":"pro","label":"Pro"},{"value":"enterprise","label":"Enterprise"}]')`.execute(tx)
    await sql`INSERT INTO ticket_categories (tenant_id, id, name) SELECT ${tenantId}, gen_random_uuid(), 'Area ' || g FROM generate_series(1, 5) g`.execute(tx)
    await sql`
      INSERT INTO ticket_categories (tenant_id, id, name, parent_id)
      SELECT ${tenantId}, gen_random_uuid(), 'Topic ' || g, p.id
      FROM generate_series(1, ${CATEGORIES - 5}) g
      JOIN LATERAL (SELECT id FROM ticket_categories WHERE tenant_id = ${tenantId} AND parent_id IS NULL ORDER BY id OFFSET g % 5 LIMIT 1) p ON true`.execute(tx)
  })

  // Agents through the users module, as an admin adding them would (each on one team, with a password).
  const ctx = { config: loadConfig({ AIDLY_DATA_DIR: '/nonexistent', AIDLY_SECRET: 'x'.repeat(32) }) } as Pick<AppContext, 'config'> as AppContext
  await withTenant(db, { tenantId, userId: adminId }, async (tx) => {
    const actor = await adminActor(tx, tenantId, adminId)
    const teams = await tx.selectFrom('teams').select('id').where('tenant_id', '=', tenantId).orderBy('name').execute()
    for (let i = 1; i <= plan.agents; i++) {
      await createUser(ctx, tx, actor, {
        name: `Agent ${i}`, email: `agent${i}@${plan.domain}`, role: 'agent', team_ids: [teams[(i - 1) % teams.length]!.id], passwordHash,
      }, null)
    }
  })

  for (let lo = 1; lo <= plan.tickets; lo += CHUNK) {
    const hi = Math.min(plan.tickets, lo + CHUNK - 1)
    await withSystem(db, (tx) => seedTickets(tx, tenantId, adminId, plan, lo, hi))
    if (plan.tickets > CHUNK) log(`  ${plan.slug}: tickets ${hi.toLocaleString('en')} / ${plan.tickets.toLocaleString('en')} (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
  }
  await withSystem(db, (tx) => sql`UPDATE ticket_counters SET last_number = ${plan.tickets} WHERE tenant_id = ${tenantId}`.execute(tx))
  log(`organization ${plan.slug}: ${plan.agents} agents, ${plan.contacts.toLocaleString('en')} contacts, ${plan.tickets.toLocaleString('en')} tickets (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
}

/**
 * Tickets lo..hi of an organization with their comments (1–3 each: the customer's message, an
 * agent's reply, an internal note) and history (created, then the status change and assignment
 * that brought each ticket where it is). A deterministic spread of statuses, priorities, people,
 * tags, due dates and text; "printer" is in a third of the subjects, "zeppelin" in a handful.
 */
async function seedTickets(tx: Tx, tenantId: string, adminId: string, plan: OrgPlan, lo: number, hi: number): Promise<void> {
  const total = plan.tickets
  // Creation times spread over two years, the newest two hours ago; updates up to 99 minutes later.
  const stepSeconds = (2 * 365 * 86400) / total
  await sql`
    WITH st AS (SELECT array_agg(id ORDER BY position) AS ids FROM ticket_statuses WHERE tenant_id = ${tenantId}),
         ag AS (SELECT array_agg(user_id ORDER BY user_id) AS ids FROM memberships WHERE tenant_id = ${tenantId} AND user_id <> ${adminId}),
         tm AS (SELECT array_agg(id ORDER BY id) AS ids FROM teams WHERE tenant_id = ${tenantId}),
         ct AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(company_id ORDER BY id) AS companies FROM contacts WHERE tenant_id = ${tenantId}),
         ca AS (SELECT array_agg(id ORDER BY id) AS ids FROM ticket_categories WHERE tenant_id = ${tenantId}),
         w AS (SELECT ${WORDS}::text[] AS words)
    INSERT INTO tickets (tenant_id, id, number, subject, description_html, description_text, status_id, priority, category_id, source,
                         requester_id, company_id, assignee_id, team_id, due_at, tags, custom_fields, first_response_at, resolved_at, closed_at,
                         created_by, created_at, updated_at, last_activity_at, deleted_at, is_spam)
    SELECT ${tenantId}, gen_random_uuid(), g, x.subject, '<p>' || x.description || '</p>', x.description,
      st.ids[x.si], (ARRAY['low', 'medium', 'medium', 'high', 'urgent'])[1 + g % 5],
      CASE WHEN g % 2 = 0 THEN ca.ids[1 + g % ${CATEGORIES}] END,
      (ARRAY['email', 'web_form', 'chat', 'phone', 'api'])[1 + g % 5],
      ct.ids[1 + g % ${plan.contacts}], ct.companies[1 + g % ${plan.contacts}],
      CASE WHEN g % 10 < 3 THEN NULL ELSE ag.ids[1 + g % ${plan.agents}] END,
      CASE WHEN g % 10 < 2 THEN NULL ELSE tm.ids[1 + (g / 7) % ${TEAMS}] END,
      CASE WHEN g % 5 < 2 THEN now() + ((g % 61) - 30) * interval '1 day' END,
      CASE WHEN g % 4 = 0 THEN ARRAY['billing'] WHEN g % 4 = 1 THEN ARRAY['vip', 'billing'] WHEN g % 97 = 0 THEN ARRAY['escalated'] ELSE '{}' END,
      jsonb_build_object('plan', (ARRAY['free', 'pro', 'enterprise'])[1 + g % 3]),
      CASE WHEN g % 3 >= 1 THEN x.created_at + interval '20 minutes' END,
      CASE WHEN x.si IN (5, 6) THEN x.updated_at END,
      CASE WHEN x.si = 6 THEN x.updated_at END,
      NULL, x.created_at, x.updated_at, x.updated_at,
      CASE WHEN g % 100 = 0 THEN x.updated_at END,
      g % 101 = 0
    FROM generate_series(${lo}::int, ${hi}::int) g
    CROSS JOIN st CROSS JOIN ag CROSS JOIN tm CROSS JOIN ct CROSS JOIN ca CROSS JOIN w
    CROSS JOIN LATERAL (SELECT
      CASE WHEN g % 3 = 0 THEN 'printer ' ELSE '' END || w.words[1 + (g * 7) % 50] || ' ' || w.words[1 + (g * 13) % 50] || ' ' || w.words[1 + (g * 31) % 50]
        || CASE WHEN g % 20011 = 0 THEN ' zeppelin' ELSE '' END AS subject,
      'Customer writes about ' || w.words[1 + (g * 17) % 50] || ' and ' || w.words[1 + (g * 19) % 50] || ' after the '
        || w.words[1 + (g * 23) % 50] || ' ' || w.words[1 + (g * 29) % 50] || '. Steps to reproduce: open the ' || w.words[1 + (g * 37) % 50]
        || ' page, click ' || w.words[1 + (g * 41) % 50] || ', wait. Expected ' || w.words[1 + (g * 43) % 50] || ', got ' || w.words[1 + (g * 47) % 50] || '.' AS description,
      CASE WHEN g % 20 < 3 THEN 1 WHEN g % 20 < 8 THEN 2 WHEN g % 20 < 10 THEN 3 WHEN g % 20 < 11 THEN 4 WHEN g % 20 < 15 THEN 5 WHEN g % 20 < 19 THEN 6 ELSE 7 END AS si,
      now() - interval '2 hours' - (${total}::int - g) * ${stepSeconds}::float8 * interval '1 second' AS created_at,
      now() - interval '2 hours' - (${total}::int - g) * ${stepSeconds}::float8 * interval '1 second' + (g % 100) * interval '1 minute' AS updated_at
    ) x`.execute(tx)

  await sql`
    WITH w AS (SELECT ${WORDS}::text[] AS words)
    INSERT INTO comments (tenant_id, id, ticket_id, author_user_id, author_contact_id, body_html, body_text, is_internal, source, created_at, updated_at)
    SELECT t.tenant_id, gen_random_uuid(), t.id,
      CASE WHEN k = 1 THEN NULL ELSE coalesce(t.assignee_id, ${adminId}) END,
      CASE WHEN k = 1 THEN t.requester_id END,
      '<p>' || c.body || '</p>', c.body, k = 3,
      CASE WHEN k = 1 THEN 'email' ELSE 'web' END,
      t.created_at + k * interval '10 minutes', t.created_at + k * interval '10 minutes'
    FROM tickets t
    CROSS JOIN LATERAL generate_series(1, 1 + (t.number % 3)::int) k
    CROSS JOIN w
    CROSS JOIN LATERAL (SELECT CASE k
      WHEN 1 THEN 'Hello, the ' || w.words[1 + (t.number * 11) % 50] || ' still shows ' || w.words[1 + (t.number * 3) % 50] || ' when I try the ' || w.words[1 + (t.number + 5) % 50] || '.'
      WHEN 2 THEN 'Thanks for the details about the ' || w.words[1 + (t.number * 22) % 50] || '. We checked the ' || w.words[1 + (t.number * 6) % 50]
        || ' and the ' || w.words[1 + (t.number + 10) % 50] || CASE WHEN t.number % 40009 = 0 THEN ' (zeppelin)' ELSE '' END || '.'
      ELSE 'Internal: looks like the ' || w.words[1 + (t.number * 33) % 50] || ' issue again, see ' || w.words[1 + (t.number * 9) % 50] || '.'
      END AS body) c
    WHERE t.tenant_id = ${tenantId} AND t.number BETWEEN ${lo} AND ${hi}`.execute(tx)

  // History: created (every ticket), the status change (tickets past New), the assignment.
  await sql`
    INSERT INTO ticket_history (tenant_id, id, ticket_id, actor_id, actor_kind, field, old_value, new_value, created_at)
    SELECT t.tenant_id, gen_random_uuid(), t.id, ${adminId}, 'user', 'created', NULL,
      jsonb_build_object('number', t.number, 'subject', t.subject, 'status', jsonb_build_object('id', s0.id, 'name', s0.name, 'category', s0.category)),
      t.created_at
    FROM tickets t
    JOIN ticket_statuses s0 ON s0.tenant_id = t.tenant_id AND s0.is_default
    WHERE t.tenant_id = ${tenantId} AND t.number BETWEEN ${lo} AND ${hi}
    UNION ALL
    SELECT t.tenant_id, gen_random_uuid(), t.id, coalesce(t.assignee_id, ${adminId}), 'user', 'status',
      jsonb_build_object('id', s0.id, 'name', s0.name, 'category', s0.category),
      jsonb_build_object('id', s.id, 'name', s.name, 'category', s.category),
      t.updated_at
    FROM tickets t
    JOIN ticket_statuses s ON s.tenant_id = t.tenant_id AND s.id = t.status_id
    JOIN ticket_statuses s0 ON s0.tenant_id = t.tenant_id AND s0.is_default
    WHERE t.tenant_id = ${tenantId} AND t.number BETWEEN ${lo} AND ${hi} AND t.status_id <> s0.id
    UNION ALL
    SELECT t.tenant_id, gen_random_uuid(), t.id, ${adminId}, 'user', 'assignee', NULL,
      jsonb_build_object('id', u.id, 'name', u.name), t.created_at + interval '5 minutes'
    FROM tickets t JOIN users u ON u.id = t.assignee_id
    WHERE t.tenant_id = ${tenantId} AND t.number BETWEEN ${lo} AND ${hi}`.execute(tx)
}
