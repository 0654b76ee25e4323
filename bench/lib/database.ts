/**
 * The benchmark database of each engine: created, migrated and seeded (or reused), read for the
 * fixture the scenarios need, then closed before the server starts — PGlite allows one process.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import { openDatabase, type Database } from '../../src/server/platform/db/engine.js'
import { migrateToLatest } from '../../src/server/platform/db/migrate.js'
import { SIZES, type EngineName, type SizeName } from './options.js'
import { ADMIN_EMAIL, BENCH_PASSWORD, BENCH_SLUG, countRows, seed, type SeedCounts } from './seed.js'

export const DB_NAME = 'aidly_bench'
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres'

/** Where the engine's data lives: a database URL (pg) or a data dir (PGlite, under the temp folder). */
export interface Target {
  engine: EngineName
  /** pg: the aidly_bench URL; pglite: undefined. */
  databaseUrl: string | undefined
  /** pglite: the data dir (PGlite under <dir>/pg); pg: the server's data dir (attachments, queued mail). */
  dataDir: string
  /** Where to report it (no password). */
  location: string
}

/** What the scenarios draw ids and bodies from. */
export interface Fixture {
  tenantId: string
  adminEmail: string
  agentEmails: string[]
  password: string
  /** Live (not deleted, not spam) ticket ids in random order; at most 50,000. */
  ticketIds: string[]
  contactCount: number
}

export interface Prepared {
  target: Target
  fixture: Fixture
  counts: SeedCounts
  reused: boolean
  seedSeconds: number
  serverVersion: string
  /** Drops the database (or removes the data dir) unless --reuse. */
  cleanup: () => Promise<void>
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

function redact(url: string): string {
  const u = new URL(url)
  u.password = ''
  return u.toString()
}

/** The server to use: DATABASE_URL names it (its database part is replaced by aidly_bench). */
export function pgServer(): string {
  return withDatabase(process.env.DATABASE_URL?.trim() || DEFAULT_SERVER, 'postgres')
}

async function adminQuery(query: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: pgServer() })
  await client.connect()
  try {
    return await client.query(query, params)
  } finally {
    await client.end()
  }
}

/** The seed marker: which size the database holds. Absent or different means seed afresh. */
async function seededSize(db: Database): Promise<string | null> {
  const exists = await sql<{ t: string | null }>`SELECT to_regclass('public.bench_seed')::text AS t`.execute(db.db)
  if (!exists.rows[0]?.t) return null
  const row = await sql<{ size: string }>`SELECT size FROM bench_seed LIMIT 1`.execute(db.db)
  return row.rows[0]?.size ?? null
}

export async function prepare(engine: EngineName, size: SizeName, reuse: boolean, log: (line: string) => void): Promise<Prepared> {
  const target = engine === 'pg' ? await preparePg(reuse) : preparePglite(size, reuse)
  let database = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, poolSize: 4 })
  let reused = false
  let seedSeconds = 0
  try {
    const marker = await seededSize(database)
    if (reuse && marker === size) {
      reused = true
      log(`reusing the seeded ${size} database at ${target.location}`)
      await migrateToLatest(database.db)
    } else {
      if (reuse) {
        // A leftover of another size, or of a seed that did not finish: start over.
        await database.close()
        await wipe(target)
        database = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir, poolSize: 4 })
      }
      const t0 = Date.now()
      await migrateToLatest(database.db)
      log(`seeding ${size} (${SIZES[size].toLocaleString('en')} tickets) into ${target.location}`)
      await seed(database.db, SIZES[size], log)
      await sql`CREATE TABLE bench_seed (size text NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())`.execute(database.db)
      await sql`INSERT INTO bench_seed (size) VALUES (${size})`.execute(database.db)
      seedSeconds = (Date.now() - t0) / 1000
      log(`seeded in ${seedSeconds.toFixed(1)} s`)
    }
    const counts = await countRows(database.db)
    const fixture = await readFixture(database)
    const version = await sql<{ v: string }>`SELECT version() AS v`.execute(database.db)
    return {
      target, fixture, counts, reused, seedSeconds, serverVersion: version.rows[0]!.v,
      cleanup: async () => { if (!reuse) await dropTarget(target) },
    }
  } finally {
    await database.close()
  }
}

async function preparePg(reuse: boolean): Promise<Target> {
  const url = withDatabase(pgServer(), DB_NAME)
  const exists = (await adminQuery('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME])).rowCount
  if (exists && !reuse) await adminQuery(`DROP DATABASE ${DB_NAME} WITH (FORCE)`)
  if (!exists || !reuse) await adminQuery(`CREATE DATABASE ${DB_NAME}`)
  const dataDir = path.join(os.tmpdir(), 'aidly-bench', 'pg-files')
  mkdirSync(dataDir, { recursive: true })
  return { engine: 'pg', databaseUrl: url, dataDir, location: redact(url) }
}

function preparePglite(size: SizeName, reuse: boolean): Target {
  const dataDir = path.join(os.tmpdir(), 'aidly-bench', `pglite-${size}`)
  if (existsSync(dataDir) && !reuse) rmSync(dataDir, { recursive: true, force: true })
  mkdirSync(dataDir, { recursive: true })
  return { engine: 'pglite', databaseUrl: undefined, dataDir, location: path.join(dataDir, 'pg') }
}

async function wipe(target: Target): Promise<void> {
  if (target.engine === 'pg') {
    await adminQuery(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`)
    await adminQuery(`CREATE DATABASE ${DB_NAME}`)
    return
  }
  rmSync(target.dataDir, { recursive: true, force: true })
  mkdirSync(target.dataDir, { recursive: true })
}

/** Drops what `prepare` made (called when --reuse is not given). */
export async function dropTarget(target: Target): Promise<void> {
  if (target.engine === 'pg') await adminQuery(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`)
  rmSync(target.dataDir, { recursive: true, force: true })
}

async function readFixture(database: Database): Promise<Fixture> {
  const db = database.db
  const org = await db.selectFrom('organizations').select('id').where('slug', '=', BENCH_SLUG).executeTakeFirstOrThrow()
  const agents = await db.selectFrom('memberships as m').innerJoin('users as u', 'u.id', 'm.user_id').innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'm.tenant_id').onRef('r.id', '=', 'm.role_id'))
    .select('u.email').where('m.tenant_id', '=', org.id).where('r.key', '=', 'agent').orderBy('u.email').execute()
  const tickets = await sql<{ id: string }>`
    SELECT id FROM tickets WHERE tenant_id = ${org.id} AND deleted_at IS NULL AND NOT is_spam AND merged_into_id IS NULL
    ORDER BY random() LIMIT 50000`.execute(db)
  const contacts = await db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', org.id)
    .where('email', 'like', 'customer%@example.test').executeTakeFirstOrThrow()
  return {
    tenantId: org.id,
    adminEmail: ADMIN_EMAIL,
    agentEmails: agents.map((a) => a.email),
    password: BENCH_PASSWORD,
    ticketIds: tickets.rows.map((r) => r.id),
    contactCount: Number(contacts.n),
  }
}

/**
 * Outbox events not yet dispatched (pg only: PGlite is held by the server process). Write
 * scenarios leave a backlog — mail rendering, webhooks — that the server works off after the
 * requests answered; run.ts waits for it between scenarios so one scenario's background work
 * does not run into the next one's numbers.
 */
export async function outboxBacklog(target: Target): Promise<number | null> {
  if (target.engine !== 'pg') return null
  const client = new pg.Client({ connectionString: target.databaseUrl })
  await client.connect()
  try {
    const r = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE dispatched_at IS NULL AND failed_at IS NULL AND available_at <= now()')
    return r.rows[0]!.n
  } finally {
    await client.end()
  }
}

/** Waits until the outbox is drained (or `timeoutS` passes); returns the backlog found and the seconds it took. */
export async function drainOutbox(target: Target, timeoutS = 120): Promise<{ backlog: number | null; seconds: number | null }> {
  const backlog = await outboxBacklog(target)
  if (backlog === null) return { backlog: null, seconds: null }
  const t0 = Date.now()
  let left = backlog
  while (left > 0 && Date.now() - t0 < timeoutS * 1000) {
    await new Promise((r) => setTimeout(r, 250))
    left = (await outboxBacklog(target)) ?? 0
  }
  return { backlog, seconds: left > 0 ? null : (Date.now() - t0) / 1000 }
}
