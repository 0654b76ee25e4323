/**
 * The write reference: raw inserts of a ticket-like row (same kinds of columns, a primary key, a
 * unique number and one sort index; one autocommitted INSERT per row) by N concurrent clients for
 * the scenario duration — what the database itself manages on this machine, without the app.
 * pg: `pg` clients against the aidly_bench database. PGlite: the same rows into a PGlite of its
 * own (one connection, so the N clients take turns, as the app's requests do).
 */
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import type { Target } from './database.js'
import { summarize, type Measurement } from './load.js'

const CREATE = `
  DROP TABLE IF EXISTS bench_raw_tickets;
  CREATE TABLE bench_raw_tickets (
    tenant_id uuid NOT NULL,
    id uuid NOT NULL,
    number bigint NOT NULL,
    subject text NOT NULL,
    description_html text NOT NULL,
    description_text text NOT NULL,
    status_id uuid NOT NULL,
    priority text NOT NULL,
    source text NOT NULL,
    requester_id uuid,
    tags text[] NOT NULL DEFAULT '{}',
    custom_fields jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, number)
  );
  CREATE INDEX bench_raw_tickets_updated ON bench_raw_tickets (tenant_id, updated_at DESC, id DESC);`

const INSERT = `INSERT INTO bench_raw_tickets (tenant_id, id, number, subject, description_html, description_text, status_id, priority, source, requester_id, tags, custom_fields)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`

const TENANT = randomUUID()
const STATUS = randomUUID()
const TEXT = 'Customer writes about the printer and the invoice after the upgrade. Steps to reproduce: open the dashboard page, click export, wait.'

function rowParams(n: number): unknown[] {
  return [TENANT, randomUUID(), n, `printer invoice ${n}`, `<p>${TEXT}</p>`, TEXT, STATUS, 'high', 'api', randomUUID(), ['billing'], JSON.stringify({ plan: 'pro' })]
}

type Insert = (params: unknown[]) => Promise<unknown>

/** N loops inserting until the deadline; latencies of the measured phase only. */
async function drive(inserts: Insert[], warmup: number, duration: number): Promise<Measurement> {
  let n = 0
  const loop = async (insert: Insert, until: number, latencies: number[] | null, errors: { count: number; samples: string[] }) => {
    while (Date.now() < until) {
      const t = process.hrtime.bigint()
      try {
        await insert(rowParams(++n))
        latencies?.push(Number(process.hrtime.bigint() - t) / 1e6)
      } catch (error) {
        errors.count++
        if (errors.samples.length < 5) errors.samples.push(String(error))
      }
    }
  }
  const ignored = { count: 0, samples: [] as string[] }
  if (warmup > 0) await Promise.all(inserts.map((i) => loop(i, Date.now() + warmup * 1000, null, ignored)))
  const latencies: number[] = []
  const errors = { count: 0, samples: [] as string[] }
  const t0 = Date.now()
  await Promise.all(inserts.map((i) => loop(i, t0 + duration * 1000, latencies, errors)))
  const seconds = (Date.now() - t0) / 1000
  return {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    latency: summarize(latencies),
    errors: errors.count,
    detail: { connectionErrors: 0, timeouts: 0, non2xx: 0, itemErrors: errors.count, statusCodes: {} },
    errorSamples: errors.samples,
    peakRssMb: null,
  }
}

export async function measureRawInserts(target: Target, clients: number, warmup: number, duration: number): Promise<Measurement> {
  if (target.engine === 'pg') {
    const setup = new pg.Client({ connectionString: target.databaseUrl })
    await setup.connect()
    await setup.query(CREATE)
    const conns = await Promise.all(Array.from({ length: clients }, async () => {
      const c = new pg.Client({ connectionString: target.databaseUrl })
      await c.connect()
      return c
    }))
    try {
      return await drive(conns.map((c) => (params) => c.query(INSERT, params)), warmup, duration)
    } finally {
      await Promise.all(conns.map((c) => c.end()))
      await setup.query('DROP TABLE IF EXISTS bench_raw_tickets')
      await setup.end()
    }
  }
  const dir = path.join(os.tmpdir(), 'aidly-bench', 'pglite-raw')
  rmSync(dir, { recursive: true, force: true })
  const db = await PGlite.create({ dataDir: dir })
  try {
    await db.exec(CREATE)
    return await drive(Array.from({ length: clients }, () => (params) => db.query(INSERT, params)), warmup, duration)
  } finally {
    await db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
