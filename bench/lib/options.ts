import { parseArgs } from 'node:util'

/** Dataset sizes: tickets in the benchmarked organization (two neighbour organizations get a tenth each). */
export const SIZES = { '2k': 2_000, '10k': 10_000, '100k': 100_000, '1m': 1_000_000 } as const
export type SizeName = keyof typeof SIZES
export type EngineName = 'pg' | 'pglite'

export interface Options {
  size: SizeName
  engines: EngineName[]
  /** Measured seconds per scenario (and per reference). */
  duration: number
  /** Warm-up seconds before each measured run (not reported). */
  warmup: number
  connections: number
  /** Keep the seeded database after the run, and use an existing one of the same size. */
  reuse: boolean
  /** Scenario names to run (all when empty). */
  only: string[]
  /** Profile the server with --cpu-prof: a fresh server per scenario, one .cpuprofile each. */
  cpuProf: boolean
  /** Count SQL statements and responses inside the server (bench/lib/query-counter.ts). */
  countQueries: boolean
}

export const USAGE = `Usage: npm run bench -- [options]

  --size 2k|10k|100k|1m    tickets in the benchmarked organization (default 100k; 2k is a smoke run)
  --engine pg|pglite|both  database engine (default pg: database aidly_bench on
                           postgres://postgres@127.0.0.1:5432, or on the server of DATABASE_URL)
  --duration SECONDS       measured seconds per scenario and per reference (default 10)
  --warmup SECONDS         unmeasured warm-up before each run (default 1)
  --connections N          concurrent HTTP connections / database clients (default 16)
  --reuse                  keep the seeded database after the run and reuse it next time (same size)
  --only a,b               run only these scenarios (names as in the table, e.g. get-ticket,list-tickets)
  --cpu-prof               a fresh server per scenario under node --cpu-prof; profiles in
                           bench/results/profiles-<timestamp>/<scenario>.cpuprofile
  --count-queries          count SQL statements (round trips) per response inside the server
  --help                   this text
`

function positiveInt(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number, got "${raw}"`)
  const n = Number(raw)
  if (n < min || n > max) throw new Error(`${name} must be between ${min} and ${max}, got ${n}`)
  return n
}

/** Parses the command line; throws an Error with a one-line message on a bad value. Null means --help. */
export function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: 'string' },
      engine: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      reuse: { type: 'boolean', default: false },
      only: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'count-queries': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help) return null
  const size = (values.size ?? '100k').toLowerCase()
  if (!(size in SIZES)) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}, got "${values.size}"`)
  const engine = values.engine ?? 'pg'
  if (!['pg', 'pglite', 'both'].includes(engine)) throw new Error(`--engine must be pg, pglite or both, got "${engine}"`)
  return {
    size: size as SizeName,
    engines: engine === 'both' ? ['pg', 'pglite'] : [engine as EngineName],
    duration: positiveInt('--duration', values.duration, 10, 1, 3600),
    warmup: positiveInt('--warmup', values.warmup, 1, 0, 600),
    connections: positiveInt('--connections', values.connections, 16, 1, 1000),
    reuse: values.reuse ?? false,
    only: values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : [],
    cpuProf: values['cpu-prof'] ?? false,
    countQueries: values['count-queries'] ?? false,
  }
}
