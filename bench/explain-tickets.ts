/**
 * EXPLAIN (ANALYZE, BUFFERS) of the ticket list and search statements on 100,000 seeded tickets.
 *
 *   npx tsx bench/explain-tickets.ts            # a fresh database aidly_explain on postgres://postgres@127.0.0.1:5432
 *   DATABASE_URL=postgres://… npx tsx bench/explain-tickets.ts
 *   npx tsx bench/explain-tickets.ts --tickets 1000000 --db aidly_explain_1m --reuse --only search
 *
 * Creates the database (dropping it first if it is left over), migrates it, seeds organization A
 * with 100,000 tickets (`--tickets N`) and two comments each, and organization B with 40,000 and
 * 80,000 using set-based inserts, ANALYZEs, then explains the statements the app runs — built by
 * the same functions the routes call, run as the app role inside a tenant transaction. Exits 1
 * when a statement that must be index-served scans tickets or comments sequentially. The
 * database is dropped at the end unless KEEP=1 or `--reuse`; `--reuse` also keeps a database
 * already seeded with that many tickets (pending migrations are applied) instead of seeding
 * again. `--db NAME` names the database (default aidly_explain), `--only WORD` explains only the
 * cases whose name contains WORD.
 */
import { CompiledQuery, sql } from 'kysely'
import pg from 'pg'
import { BUILTIN_ROLES, type Permission } from '../src/shared/permissions.js'
import type { Actor } from '../src/server/platform/auth/actor.js'
import { openDatabase } from '../src/server/platform/db/engine.js'
import { migrateToLatest } from '../src/server/platform/db/migrate.js'
import type { Tx } from '../src/server/platform/db/schema.js'
import { withSystem, withTenant } from '../src/server/platform/db/tenant.js'
import { uuidv7 } from '../src/server/platform/ids.js'
import { createOrganization } from '../src/server/modules/organizations/create-organization.js'
import { parseTicketFilters } from '../src/server/modules/ticket-lists/filters.js'
import { buildListQueries, listConditions, listTickets, type ListInput } from '../src/server/modules/ticket-lists/list-tickets.js'
import { buildSearchRanking, buildSearchRows, indexedOnly } from '../src/server/modules/ticket-lists/search-tickets.js'
import { buildStatsQuery } from '../src/server/modules/ticket-lists/ticket-stats.js'

const SERVER = process.env.DATABASE_URL

/** The value after `--name` on the command line, if given. */
function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? undefined : process.argv[at + 1]
}

const TICKETS = Number(option('tickets') ?? 100_000)
const DB_NAME = option('db') ?? 'aidly_explain'
const REUSE = process.argv.includes('--reuse')
const ONLY = option('only')
if (!Number.isSafeInteger(TICKETS) || TICKETS < 1000) throw new Error('--tickets must be a whole number ≥ 1000')
if (!/^[a-z_][a-z0-9_]*$/.test(DB_NAME)) throw new Error('--db must be a plain lower-case identifier')

/** The database to use: DATABASE_URL as given, or DB_NAME created on the local server (kept as it is with --reuse). */
async function prepareDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (SERVER) return { url: SERVER, drop: async () => {} }
  const admin = 'postgres://postgres@127.0.0.1:5432/postgres'
  const client = new pg.Client({ connectionString: admin })
  await client.connect()
  const exists = (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME])).rowCount === 1
  if (!REUSE || !exists) {
    await client.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`)
    await client.query(`CREATE DATABASE ${DB_NAME}`)
  }
  await client.end()
  const url = new URL(admin)
  url.pathname = `/${DB_NAME}`
  return {
    url: url.toString(),
    drop: async () => {
      if (process.env.KEEP === '1' || REUSE) return
      const c = new pg.Client({ connectionString: admin })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`)
      await c.end()
    },
  }
}

interface Org { id: string; adminId: string; agentIds: string[]; teamIds: string[] }

const WORDS = [
  'printer', 'invoice', 'login', 'password', 'refund', 'shipping', 'delivery', 'account', 'billing', 'error',
  'crash', 'slow', 'upgrade', 'license', 'export', 'import', 'report', 'dashboard', 'email', 'notification',
  'mobile', 'android', 'iphone', 'browser', 'chrome', 'firefox', 'safari', 'network', 'timeout', 'server',
  'database', 'backup', 'restore', 'calendar', 'meeting', 'order', 'payment', 'card', 'declined', 'address',
  'warehouse', 'label', 'tracking', 'package', 'damaged', 'missing', 'return', 'exchange', 'size', 'color',
]

/** Seeds one organization: people, teams, contacts, categories, tickets and comments, all set-based. */
async function seedOrganization(db: Tx, name: string, tickets: number, commentsPerTicket: number): Promise<Org> {
  const adminId = uuidv7()
  const org = await withSystem(db, async (tx) => {
    await tx.insertInto('users').values({ id: adminId, email: `admin-${adminId}@bench.test`, name: `${name} admin` }).execute()
    return createOrganization(tx, { name, ownerUserId: adminId })
  })
  const tenantId = org.id
  await withSystem(db, async (tx) => {
    await sql`
      WITH people AS (
        INSERT INTO users (id, email, name)
        SELECT gen_random_uuid(), 'agent-' || g || '-' || ${tenantId}::text || '@bench.test', 'Agent ' || g FROM generate_series(1, 30) g
        RETURNING id
      )
      INSERT INTO memberships (tenant_id, id, user_id, role_id)
      SELECT ${tenantId}, gen_random_uuid(), people.id, (SELECT id FROM roles WHERE tenant_id = ${tenantId} AND key = 'agent') FROM people`.execute(tx)
    await sql`INSERT INTO teams (tenant_id, id, name) SELECT ${tenantId}, gen_random_uuid(), 'Team ' || g FROM generate_series(1, 6) g`.execute(tx)
    // Each agent on one team.
    await sql`
      INSERT INTO team_members (tenant_id, team_id, user_id)
      SELECT m.tenant_id, tm.id, m.user_id
      FROM (SELECT tenant_id, user_id, row_number() OVER (ORDER BY user_id) AS n FROM memberships
            WHERE tenant_id = ${tenantId} AND user_id <> ${adminId}) m
      JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM teams WHERE tenant_id = ${tenantId}) tm ON tm.n = m.n % 6`.execute(tx)
    await sql`INSERT INTO companies (tenant_id, id, name) SELECT ${tenantId}, gen_random_uuid(), 'Company ' || g FROM generate_series(1, 500) g`.execute(tx)
    await sql`
      INSERT INTO contacts (tenant_id, id, email, name, company_id)
      SELECT ${tenantId}, gen_random_uuid(), 'customer' || g || '@example.test', 'Customer ' || g,
             (SELECT id FROM companies WHERE tenant_id = ${tenantId} ORDER BY id OFFSET g % 500 LIMIT 1)
      FROM generate_series(1, 5000) g`.execute(tx)
    await sql`INSERT INTO custom_fields (tenant_id, id, entity, key, label, type, options)
      VALUES (${tenantId}, gen_random_uuid(), 'ticket', 'plan', 'Plan', 'select', '[{"value":"free","label":"Free"},{"value":"pro","label":"Pro"},{"value":"enterprise","label":"Enterprise"}]')`.execute(tx)
    await sql`INSERT INTO ticket_categories (tenant_id, id, name) SELECT ${tenantId}, gen_random_uuid(), 'Area ' || g FROM generate_series(1, 5) g`.execute(tx)
    await sql`
      INSERT INTO ticket_categories (tenant_id, id, name, parent_id)
      SELECT ${tenantId}, gen_random_uuid(), 'Topic ' || g, p.id
      FROM generate_series(1, 20) g JOIN LATERAL (SELECT id FROM ticket_categories WHERE tenant_id = ${tenantId} AND parent_id IS NULL ORDER BY id OFFSET g % 5 LIMIT 1) p ON true`.execute(tx)

    // Tickets: a deterministic spread of statuses, priorities, people, tags, due dates and text.
    // "printer" is in about a third of the subjects (a common word), "zeppelin" in a handful.
    await sql`
      WITH st AS (SELECT array_agg(id ORDER BY position) AS ids FROM ticket_statuses WHERE tenant_id = ${tenantId}),
           ag AS (SELECT array_agg(user_id ORDER BY user_id) AS ids FROM memberships WHERE tenant_id = ${tenantId} AND user_id <> ${adminId}),
           tm AS (SELECT array_agg(id ORDER BY id) AS ids FROM teams WHERE tenant_id = ${tenantId}),
           ct AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(company_id ORDER BY id) AS companies FROM contacts WHERE tenant_id = ${tenantId}),
           ca AS (SELECT array_agg(id ORDER BY id) AS ids FROM ticket_categories WHERE tenant_id = ${tenantId}),
           w AS (SELECT ${WORDS}::text[] AS words)
      INSERT INTO tickets (tenant_id, id, number, subject, description_html, description_text, status_id, priority, category_id, source,
                           requester_id, company_id, assignee_id, team_id, due_at, tags, custom_fields, created_at, updated_at, deleted_at, is_spam)
      SELECT ${tenantId}, gen_random_uuid(), g,
        CASE WHEN g % 3 = 0 THEN 'printer ' ELSE '' END || w.words[1 + (g * 7) % 50] || ' ' || w.words[1 + (g * 13) % 50] || ' ' || w.words[1 + (g * 31) % 50]
          || CASE WHEN g % 20011 = 0 THEN ' zeppelin' ELSE '' END,
        '', 'Customer writes about ' || w.words[1 + (g * 17) % 50] || ' and ' || w.words[1 + (g * 19) % 50] || ' after the '
          || w.words[1 + (g * 23) % 50] || ' ' || w.words[1 + (g * 29) % 50] || '. Steps to reproduce: open the ' || w.words[1 + (g * 37) % 50]
          || ' page, click ' || w.words[1 + (g * 41) % 50] || ', wait. Expected ' || w.words[1 + (g * 43) % 50] || ', got ' || w.words[1 + (g * 47) % 50] || '.',
        st.ids[CASE WHEN g % 20 < 3 THEN 1 WHEN g % 20 < 8 THEN 2 WHEN g % 20 < 10 THEN 3 WHEN g % 20 < 11 THEN 4 WHEN g % 20 < 15 THEN 5 WHEN g % 20 < 19 THEN 6 ELSE 7 END],
        (ARRAY['low', 'medium', 'medium', 'high', 'urgent'])[1 + g % 5],
        CASE WHEN g % 2 = 0 THEN ca.ids[1 + g % 25] END,
        (ARRAY['email', 'web_form', 'chat', 'phone', 'api'])[1 + g % 5],
        ct.ids[1 + g % 5000], ct.companies[1 + g % 5000],
        CASE WHEN g % 10 < 3 THEN NULL ELSE ag.ids[1 + g % 30] END,
        CASE WHEN g % 10 < 2 THEN NULL ELSE tm.ids[1 + (g / 7) % 6] END,
        CASE WHEN g % 5 < 2 THEN now() + ((g % 61) - 30) * interval '1 day' END,
        CASE WHEN g % 4 = 0 THEN ARRAY['billing'] WHEN g % 4 = 1 THEN ARRAY['vip', 'billing'] WHEN g % 97 = 0 THEN ARRAY['escalated'] ELSE '{}' END,
        jsonb_build_object('plan', (ARRAY['free', 'pro', 'enterprise'])[1 + g % 3]),
        now() - (${tickets} - g) * interval '5 minutes',
        now() - (${tickets} - g) * interval '5 minutes' + (g % 100) * interval '1 minute',
        CASE WHEN g % 100 = 0 THEN now() END,
        g % 101 = 0
      FROM generate_series(1, ${tickets}) g, st, ag, tm, ct, ca, w`.execute(tx)
    await sql`UPDATE ticket_counters SET last_number = ${tickets} WHERE tenant_id = ${tenantId}`.execute(tx)
    await sql`
      WITH w AS (SELECT ${WORDS}::text[] AS words)
      INSERT INTO comments (tenant_id, id, ticket_id, author_user_id, body_html, body_text, is_internal, created_at)
      SELECT t.tenant_id, gen_random_uuid(), t.id, t.assignee_id, '',
        'Thanks for the details about the ' || w.words[1 + (t.number * k * 11) % 50] || '. We checked the ' || w.words[1 + (t.number * k * 3) % 50]
          || ' and the ' || w.words[1 + (t.number + k * 5) % 50] || CASE WHEN (t.number + k) % 40009 = 0 THEN ' (zeppelin)' ELSE '' END || '.',
        k = 2 AND t.number % 3 = 0,
        t.created_at + k * interval '10 minutes'
      FROM tickets t CROSS JOIN generate_series(1, ${commentsPerTicket}) k, w
      WHERE t.tenant_id = ${tenantId}`.execute(tx)
  })
  const people = await withSystem(db, (tx) => tx.selectFrom('memberships').select('user_id').where('tenant_id', '=', tenantId).where('user_id', '<>', adminId).orderBy('user_id').execute())
  const teams = await withSystem(db, (tx) => tx.selectFrom('teams').select('id').where('tenant_id', '=', tenantId).orderBy('id').execute())
  return { id: tenantId, adminId, agentIds: people.map((p) => p.user_id), teamIds: teams.map((t) => t.id) }
}

/** Organization `name` as seeded by an earlier run, when it holds `tickets` tickets (for --reuse). */
async function seededOrganization(db: Tx, name: string, tickets: number): Promise<Org | null> {
  return withSystem(db, async (tx) => {
    const org = await tx.selectFrom('organizations').select('id').where('name', '=', name).executeTakeFirst()
    if (!org) return null
    const { n } = await tx.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n')).where('tenant_id', '=', org.id).executeTakeFirstOrThrow()
    if (Number(n) !== tickets) return null
    const admin = await tx.selectFrom('users').select('id').where('name', '=', `${name} admin`).executeTakeFirstOrThrow()
    const people = await tx.selectFrom('memberships').select('user_id').where('tenant_id', '=', org.id).where('user_id', '<>', admin.id).orderBy('user_id').execute()
    const teams = await tx.selectFrom('teams').select('id').where('tenant_id', '=', org.id).orderBy('id').execute()
    return { id: org.id, adminId: admin.id, agentIds: people.map((p) => p.user_id), teamIds: teams.map((t) => t.id) }
  })
}

/** Seeds both organizations (or, with --reuse, finds them seeded) and ANALYZEs. */
async function seed(db: Tx): Promise<Org> {
  const t0 = Date.now()
  const seeded = REUSE ? await seededOrganization(db, 'Bench A', TICKETS) : null
  if (seeded) {
    console.log(`organization A: ${TICKETS.toLocaleString('en')} tickets, seeded earlier (--reuse)\n`)
    return seeded
  }
  const a = await seedOrganization(db, 'Bench A', TICKETS, 2)
  console.log(`organization A: ${TICKETS.toLocaleString('en')} tickets, ${(2 * TICKETS).toLocaleString('en')} comments (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
  await seedOrganization(db, 'Bench B', 40_000, 2)
  console.log(`organization B: 40,000 tickets, 80,000 comments (${((Date.now() - t0) / 1000).toFixed(1)} s)`)
  await sql`VACUUM ANALYZE`.execute(db)
  console.log(`VACUUM ANALYZE done (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`)
  return a
}

function actorFor(org: Org, userId: string, roleKey: 'admin' | 'agent'): Actor {
  const role = BUILTIN_ROLES.find((r) => r.key === roleKey)!
  return {
    kind: 'user', userId, tenantId: org.id, sessionId: null, apiKeyId: null,
    role: { id: roleKey, key: roleKey, name: role.name, kind: role.kind, ticketScope: role.ticket_scope, permissions: new Set<Permission>(role.permissions) },
  }
}

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  Alias?: string
  'Actual Rows'?: number
  'Actual Loops'?: number
  'Actual Total Time'?: number
  'Shared Hit Blocks'?: number
  'Shared Read Blocks'?: number
  Plans?: PlanNode[]
}

interface Explained { plan: PlanNode; planning: number; execution: number }

async function explain(tx: Tx, query: CompiledQuery): Promise<Explained> {
  const result = await tx.executeQuery<{ 'QUERY PLAN': Array<{ Plan: PlanNode; 'Planning Time': number; 'Execution Time': number }> }>(
    CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.sql}`, [...query.parameters]))
  const out = result.rows[0]!['QUERY PLAN'][0]!
  return { plan: out.Plan, planning: out['Planning Time'], execution: out['Execution Time'] }
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)]
}

function describe(n: PlanNode): string {
  const on = n['Relation Name'] ? ` on ${n['Relation Name']}` : ''
  const using = n['Index Name'] ? ` using ${n['Index Name']}` : ''
  return `${n['Node Type']}${using}${on}`
}

/** The scans of a plan (what touches tables), in plan order, with rows. */
function scans(plan: PlanNode): string[] {
  return nodes(plan).filter((n) => /Scan/.test(n['Node Type']) && (n['Relation Name'] || n['Index Name']))
    .map((n) => `${describe(n)} (${n['Actual Rows'] ?? 0} rows × ${n['Actual Loops'] ?? 1})`)
}

function shape(plan: PlanNode, depth = 0, max = 3): string {
  const children = depth < max ? (plan.Plans ?? []).map((p) => shape(p, depth + 1, max)).filter(Boolean) : []
  const self = describe(plan)
  return children.length ? `${self} → [${children.join('; ')}]` : self
}

function blocks(plan: PlanNode): string {
  return `buffers hit ${plan['Shared Hit Blocks'] ?? 0}, read ${plan['Shared Read Blocks'] ?? 0}`
}

interface Statement { label: string; query: CompiledQuery }

interface Case {
  name: string
  /** Seq Scans allowed: aggregates over most of an organization's tickets, where a scan is the right plan. */
  scanOk?: boolean
  build: (tx: Tx) => Promise<Statement[]>
}

async function main(): Promise<void> {
  const { url, drop } = await prepareDatabase()
  const database = await openDatabase({ databaseUrl: url, dataDir: '' })
  let failed = false
  try {
    await migrateToLatest(database.db)
    console.log(`database ${new URL(url).pathname.slice(1)}: migrated`)
    const a = await seed(database.db)

    const admin = actorFor(a, a.adminId, 'admin')
    const agentId = a.agentIds[0]!
    const agent = actorFor(a, agentId, 'agent')
    const list = (actor: Actor, query: Record<string, unknown>, extra: Partial<ListInput> = {}) => async (tx: Tx) => {
      const { sort, ...filters } = query
      const q = await buildListQueries(tx, actor, { filters: parseTicketFilters(filters), sort: (sort as ListInput['sort']) ?? '-updated_at', limit: 25, page: 1, ...extra })
      const ids = (await q.pageIds.execute()).map((r) => r.id)
      return [
        { label: 'page ids', query: q.pageIds.compile() },
        ...(ids.length ? [{ label: `read model (${ids.length} rows)`, query: q.page(ids).compile() }] : []),
        ...(q.count ? [{ label: 'count', query: q.count.compile() }] : []),
      ]
    }
    const search = (actor: Actor, q: string) => async (tx: Tx) => {
      await indexedOnly(tx) // as searchTickets does
      const { page } = await buildSearchRanking(tx, actor, { q, filters: {}, page: 1, limit: 25 })
      const ids = (await page.execute()).map((r) => r.ticket_id)
      return [
        { label: 'ranking', query: page.compile() },
        ...(ids.length ? [{ label: `read model + highlights (${ids.length} rows)`, query: buildSearchRows(tx, actor, q, ids).compile() }] : []),
      ]
    }
    const cursorAtPage50 = async (tx: Tx): Promise<string> => {
      let cursor = ''
      for (let page = 1; page < 50; page++) {
        const r = await listTickets(tx, admin, { filters: {}, sort: '-updated_at', limit: 25, cursor })
        cursor = r.meta.next_cursor!
      }
      return cursor
    }

    const cases: Case[] = [
      { name: 'default list (admin, -updated_at)', build: list(admin, {}) },
      { name: 'default list (agent, team scope)', build: list(agent, {}) },
      { name: 'status_category=new,open,pending,on_hold', build: list(admin, { status_category: 'new,open,pending,on_hold' }) },
      { name: 'assignee=me (agent, team scope)', build: list(agent, { assignee: 'me' }) },
      { name: 'My open view (agent: assignee=me + open categories)', build: list(agent, { assignee: 'me', status_category: ['new', 'open', 'pending', 'on_hold'] }) },
      { name: 'tag=escalated (rare tag)', build: list(admin, { tag: 'escalated' }) },
      { name: 'tag=vip,billing (common tags)', build: list(admin, { tag: 'vip,billing' }) },
      { name: 'overdue=true sort=due_at (Overdue view)', build: list(admin, { overdue: true, sort: 'due_at' }) },
      { name: 'sort=-priority', build: list(admin, { sort: '-priority' }) },
      { name: 'sort=due_at', build: list(admin, { sort: 'due_at' }) },
      { name: 'sort=-due_at', build: list(admin, { sort: '-due_at' }) },
      { name: 'sort=number', build: list(admin, { sort: 'number' }) },
      {
        name: 'category (with sub-categories)',
        build: async (tx) => {
          const parent = await tx.selectFrom('ticket_categories').select('id').where('parent_id', 'is', null).orderBy('id').executeTakeFirstOrThrow()
          return list(admin, { category_id: parent.id })(tx)
        },
      },
      { name: 'cf.plan=enterprise', build: list(admin, { 'cf.plan': 'enterprise' }) },
      {
        name: 'cursor page 50 (-updated_at)',
        build: async (tx) => list(admin, {}, { page: undefined, cursor: await cursorAtPage50(tx) })(tx),
      },
      { name: 'search "printer" (common word, admin)', build: search(admin, 'printer') },
      { name: 'search "printer" (common word, agent, team scope)', build: search(agent, 'printer') },
      { name: 'search "zeppelin" (rare word, admin)', build: search(admin, 'zeppelin') },
      { name: 'search "zeppelin" (rare word, agent)', build: search(agent, 'zeppelin') },
      { name: 'search "refund export" (two words, admin)', build: search(admin, 'refund export') },
      { name: 'search "refund export" (two words, agent)', build: search(agent, 'refund export') },
      { name: 'search "login color" (two common words never together)', build: search(admin, 'login color') },
      { name: 'search "TKT-004243" (number lookup)', build: search(admin, 'TKT-004243') },
      { name: 'search "TKT-004243" (number lookup, agent)', build: search(agent, 'TKT-004243') },
      {
        name: 'stats (admin; one aggregate over all visible tickets)',
        scanOk: true,
        build: async (tx) => [{ label: 'aggregate', query: buildStatsQuery(sql.join(await listConditions(tx, admin, {}), sql` AND `)).compile(tx) }],
      },
    ]

    const summary: string[] = []
    for (const c of cases.filter((k) => !ONLY || k.name.includes(ONLY))) {
      await withTenant(database.db, { tenantId: a.id, userId: agentId }, async (tx) => {
        for (const { label, query } of await c.build(tx)) {
          await explain(tx, query) // warm the cache; the second run is reported
          const e = await explain(tx, query)
          // A branch the statement never ran (Actual Loops 0, e.g. search's fallback) costs nothing.
          const seq = nodes(e.plan).filter((n) => n['Node Type'] === 'Seq Scan' && (n['Relation Name'] === 'tickets' || n['Relation Name'] === 'comments') && n['Actual Loops'] !== 0)
          const bad = seq.length > 0 && !c.scanOk
          if (bad) failed = true
          console.log(`■ ${c.name} — ${label}: ${e.execution.toFixed(2)} ms (planning ${e.planning.toFixed(2)} ms), ${blocks(e.plan)}${bad ? '  ✗ SEQ SCAN' : ''}`)
          console.log(`  plan:  ${shape(e.plan)}`)
          console.log(`  scans: ${scans(e.plan).join(' | ')}\n`)
          summary.push(`${bad ? '✗' : '✓'} ${`${c.name} — ${label}`.padEnd(72)} ${e.execution.toFixed(2).padStart(9)} ms`)
        }
      })
    }
    console.log(summary.join('\n'))
    console.log(failed ? '\nFAIL: a list or search statement scans tickets or comments sequentially' : '\nOK: every list and search statement is index-served')
  } finally {
    await database.close()
    await drop()
  }
  process.exit(failed ? 1 : 0)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
