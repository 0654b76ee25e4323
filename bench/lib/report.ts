/** The terminal table and the JSON file of a run. */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { SeedCounts } from './seed.js'
import type { Measurement } from './load.js'
import type { EngineName, Options, SizeName } from './options.js'
import type { countsBetween } from './query-counter.js'

export const RESULTS_DIR = path.resolve(import.meta.dirname, '../results')

export interface TargetResult { label: string; met: boolean }

export interface ScenarioResult {
  name: string
  title: string
  kind: 'read' | 'write'
  connections: number
  rowsPerRequest: number
  measurement: Measurement | null
  /** Set when the scenario could not run at all (counted as an error). */
  failure?: string
  /** read: req/s ÷ bare Fastify req/s; write: req/s × rowsPerRequest ÷ raw insert rows/s. */
  ratio: number | null
  ratioBasis: 'bare-fastify req/s' | 'raw-insert rows/s'
  targets: TargetResult[]
  /**
   * After the scenario: outbox events left undispatched (pg only; PGlite is held by the server),
   * and the seconds until the backlog was drained and the server idle (under 5% of a CPU) —
   * the background cost of the writes. Null seconds: still busy after 120 s.
   */
  settle?: { outboxBacklog: number | null; seconds: number | null }
  /**
   * CPU seconds during warm-up + measurement: the server process (all threads) and the PostgreSQL
   * backends of the bench database (pg on this machine only), and per request.
   */
  cpu?: { serverSeconds: number | null; postgresSeconds: number | null; requests: number; serverMsPerRequest: number | null; postgresMsPerRequest: number | null }
  /** --cpu-prof: the server's profile for this scenario, and the load window in the profile's clock (µs). */
  profile?: { file: string; windowUs: [number, number] } | { error: string }
  /** --count-queries: statements and responses counted inside the server, during the load and through settling. */
  queries?: { duringLoad: ReturnType<typeof countsBetween>; withSettle: ReturnType<typeof countsBetween> | null } | { error: string }
}

export interface EngineReport {
  startedAt: string
  finishedAt: string
  engine: EngineName
  size: SizeName
  machine: ReturnType<typeof machineInfo> & { loadAverageAtEnd: number[] }
  settings: { duration: number; warmup: number; connections: number; reuse: boolean; only: string[]; cpuProf: boolean; countQueries: boolean; latencyPercentiles: string }
  database: { location: string; serverVersion: string; reused: boolean; seedSeconds: number; rows: SeedCounts }
  references: { bareFastify: Measurement | null; rawInsert: Measurement | null; rawInsertNote: string }
  server: { pid: number; peakRssMbOverRun: number | null; log: string } | null
  scenarios: ScenarioResult[]
  notBuiltYet: Array<{ name: string; title: string; waitingFor: string }>
}

export function machineInfo() {
  const cpus = os.cpus()
  return {
    hostname: os.hostname(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    freeMemoryGbAtStart: Math.round((os.freemem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((n) => Math.round(n * 100) / 100),
  }
}

export const PERCENTILE_NOTE = 'p50/p95/p99 are exact nearest-rank percentiles over the response time of every 2xx response completed in the '
  + 'measured window, taken from autocannon\'s "response" event (sub-millisecond resolution); autocannon\'s own histogram has 1 ms resolution and no p95'

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const ms = (n: number) => (n < 10 ? fmt(n, 2) : n < 100 ? fmt(n, 1) : fmt(n, 0))

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd()
}

/** The terminal table: references first, then each scenario with its ratio and targets. */
export function renderTable(report: EngineReport): string {
  const head = ['scenario', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'RSS MB', 'vs reference', 'targets']
  const lines: string[][] = []
  const refs: Array<[string, Measurement | null, string]> = [
    ['ref: bare Fastify, 1 JSON route', report.references.bareFastify, 'req/s'],
    [`ref: raw INSERT (${report.engine === 'pg' ? 'pg' : 'PGlite'}), rows/s`, report.references.rawInsert, 'rows/s'],
  ]
  for (const [label, m] of refs) {
    lines.push(m
      ? [label, fmt(m.rps), ms(m.latency.p50), ms(m.latency.p95), ms(m.latency.p99), fmt(m.errors), m.peakRssMb === null ? '—' : fmt(m.peakRssMb), '', '']
      : [label, 'failed', '', '', '', '', '', '', ''])
  }
  for (const s of report.scenarios) {
    const m = s.measurement
    const marks = s.targets.map((t) => `${t.met ? '✓' : '✗'} ${t.label}`).join(' · ')
    const name = s.connections === report.settings.connections ? s.name : `${s.name} (${s.connections} conn.)`
    const ratio = s.ratio === null ? '—' : `${fmt(s.ratio * 100, 1)}% ${s.kind === 'read' ? 'fastify' : 'insert'}`
    lines.push(m && !s.failure
      ? [name, fmt(m.rps, m.rps < 100 ? 1 : 0), ms(m.latency.p50), ms(m.latency.p95), ms(m.latency.p99), fmt(m.errors), m.peakRssMb === null ? '—' : fmt(m.peakRssMb), ratio, marks]
      : [name, 'FAILED', '', '', '', '', '', '', `${marks} (${s.failure ?? ''})`])
  }
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const out = [row(head, widths), widths.map((w) => '─'.repeat(w)).join('  ')]
  for (const [i, l] of lines.entries()) {
    out.push(row(l, widths))
    if (i === 1) out.push(widths.map((w) => '─'.repeat(w)).join('  '))
  }
  return out.join('\n')
}

/** The scenarios' error details, for the terminal. */
export function renderErrors(report: EngineReport): string {
  const out: string[] = []
  for (const s of report.scenarios) {
    const m = s.measurement
    if (s.failure) out.push(`${s.name}: could not run: ${s.failure}`)
    if (!m || m.errors === 0) continue
    const d = m.detail
    out.push(`${s.name}: ${m.errors} error(s) — connection ${d.connectionErrors}, timeouts ${d.timeouts}, non-2xx ${d.non2xx}, failed items ${d.itemErrors}; status codes ${JSON.stringify(d.statusCodes)}`)
    for (const sample of m.errorSamples) out.push(`    ${sample}`)
  }
  return out.join('\n')
}

export function writeReport(report: EngineReport): string {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const stamp = report.startedAt.replace(/[:.]/g, '-')
  const file = path.join(RESULTS_DIR, `${stamp}-${report.engine}-${report.size}.json`)
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`)
  return file
}

export function settingsOf(opts: Options): EngineReport['settings'] {
  return { duration: opts.duration, warmup: opts.warmup, connections: opts.connections, reuse: opts.reuse, only: opts.only, cpuProf: opts.cpuProf, countQueries: opts.countQueries, latencyPercentiles: PERCENTILE_NOTE }
}
