/**
 * Bench-only preload (`node --import tsx --import ./bench/lib/query-counter.ts …`), enabled by
 * `npm run bench -- --count-queries`. It changes no application code: it wraps `pg`'s
 * Client.prototype.query and Pool.prototype.connect before the app loads `pg` (the same CommonJS
 * module instance the app gets), and counts finished HTTP responses through Node's
 * `http.server.response.finish` diagnostics channel. So statements per request are both counted
 * inside the server process. Every statement sent is one round trip to PostgreSQL (`pg` does not
 * pipeline).
 *
 * On SIGUSR2 it writes a cumulative snapshot to $AIDLY_BENCH_QUERY_COUNTS (JSON); the bench takes
 * one before and one after a scenario and reports the difference (see countsBetween).
 */
import { subscribe } from 'node:diagnostics_channel'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

export interface QueryCounts {
  pid: number
  seq: number
  responses: number
  statements: number
  poolConnects: number
  /** Statement text (whitespace collapsed, 160 chars) → times sent. */
  byText: Record<string, number>
}

const out = process.env.AIDLY_BENCH_QUERY_COUNTS
if (out) {
  const pg = createRequire(path.join(process.cwd(), 'package.json'))('pg') as {
    Client: { prototype: { query: (...args: unknown[]) => unknown } }
    Pool: { prototype: { connect: (...args: unknown[]) => unknown } }
  }
  const counts: QueryCounts = { pid: process.pid, seq: 0, responses: 0, statements: 0, poolConnects: 0, byText: {} }
  // Counted by raw text on the hot path; collapsed and shortened only when a snapshot is written.
  const raw = new Map<string, number>()
  const textOf = (q: unknown): string => {
    const t = typeof q === 'string' ? q : (q as { text?: unknown } | null)?.text
    return typeof t === 'string' ? t : '?'
  }
  const query = pg.Client.prototype.query
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    counts.statements++
    const key = textOf(args[0])
    raw.set(key, (raw.get(key) ?? 0) + 1)
    return query.apply(this, args)
  }
  const connect = pg.Pool.prototype.connect
  pg.Pool.prototype.connect = function (this: unknown, ...args: unknown[]) {
    counts.poolConnects++
    return connect.apply(this, args)
  }
  subscribe('http.server.response.finish', () => { counts.responses++ })
  process.on('SIGUSR2', () => {
    counts.seq++
    counts.byText = {}
    for (const [text, n] of raw) {
      const key = text.replace(/\s+/g, ' ').trim().slice(0, 160)
      counts.byText[key] = (counts.byText[key] ?? 0) + n
    }
    writeFileSync(out, JSON.stringify(counts))
  })
}

/** The counts of one window: `after` minus `before`, statements sorted by how often they ran. */
export function countsBetween(before: QueryCounts, after: QueryCounts) {
  const responses = after.responses - before.responses
  const statements = after.statements - before.statements
  const per = (n: number) => (responses ? Math.round((n / responses) * 100) / 100 : null)
  const byText = Object.entries(after.byText)
    .map(([text, n]) => ({ text, count: n - (before.byText[text] ?? 0) }))
    .filter((s) => s.count > 0)
    .sort((a, b) => b.count - a.count)
    .map((s) => ({ ...s, perResponse: per(s.count) }))
  return {
    responses, statements, statementsPerResponse: per(statements),
    poolConnectsPerResponse: per(after.poolConnects - before.poolConnects), byText,
  }
}
