/**
 * --cpu-prof and --count-queries: the Node flags and environment for the server child, collecting
 * its CPU profile after it exits, and snapshots of the statement counts it keeps
 * (bench/lib/query-counter.ts).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Options } from './options.js'
import type { QueryCounts } from './query-counter.js'
import { RESULTS_DIR } from './report.js'
import { cpuSeconds, type Instrumentation } from './server.js'

export interface Instruments {
  /** bench/results/profiles-<timestamp>, when profiling. */
  profileDir: string | null
  /** Where the server writes its statement counts on SIGUSR2, when counting. */
  countsFile: string | null
  child: Instrumentation
}

export function instruments(opts: Options): Instruments {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)
  const profileDir = opts.cpuProf ? path.join(RESULTS_DIR, `profiles-${stamp}`) : null
  if (profileDir) mkdirSync(profileDir, { recursive: true })
  const countsFile = opts.countQueries ? path.join(os.tmpdir(), 'aidly-bench', `query-counts-${process.pid}.json`) : null
  if (countsFile) mkdirSync(path.dirname(countsFile), { recursive: true })
  return {
    profileDir,
    countsFile,
    child: {
      nodeArgs: [
        ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
        ...(countsFile ? ['--import', './bench/lib/query-counter.ts'] : []),
      ],
      env: countsFile ? { AIDLY_BENCH_QUERY_COUNTS: countsFile } : {},
    },
  }
}

/** The profile clock (V8's, CLOCK_MONOTONIC in µs) — the same clock as process.hrtime on Linux. */
export const profileClockUs = () => Number(process.hrtime.bigint() / 1000n)

/**
 * After the server `pid` exited: renames its main-thread profile (CPU.<date>.<time>.<pid>.0.<seq>)
 * to <name>.cpuprofile, writes the load window next to it (<name>.window.json, read by
 * bench/profile-summary.ts) and removes the profile of tsx's module-loader thread (thread 1,
 * idle after start-up). Throws when Node wrote no profile (the server did not exit cleanly).
 */
export function collectProfile(dir: string, pid: number, name: string, windowUs: [number, number]): string {
  const mine = readdirSync(dir).filter((f) => f.startsWith('CPU.') && f.split('.')[3] === String(pid))
  const main = mine.find((f) => f.split('.')[4] === '0')
  if (!main) throw new Error(`no CPU profile from server ${pid} in ${dir} (did it exit through process.exit?)`)
  const file = path.join(dir, `${name}.cpuprofile`)
  renameSync(path.join(dir, main), file)
  for (const f of mine) if (f !== main) rmSync(path.join(dir, f))
  writeFileSync(path.join(dir, `${name}.window.json`), JSON.stringify({ startUs: windowUs[0], endUs: windowUs[1] }))
  return file
}

/** Asks the server for its cumulative statement counts (SIGUSR2) and waits for the new snapshot. */
export async function snapshotCounts(file: string, pid: number): Promise<QueryCounts> {
  const read = (): QueryCounts | null => {
    try {
      return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as QueryCounts : null
    } catch {
      return null // being written
    }
  }
  const last = read()
  const seq = last?.pid === pid ? last.seq : 0
  process.kill(pid, 'SIGUSR2')
  const deadline = Date.now() + 5000
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20))
    const now = read()
    if (now && now.pid === pid && now.seq > seq) return now
  }
  throw new Error(`server ${pid} wrote no statement counts to ${file} within 5 s`)
}

/** CPU seconds used so far by the PostgreSQL backends serving database `db` (by pid; from /proc, when PostgreSQL runs on this machine). */
export function backendCpu(db: string): Map<number, number> {
  const out = new Map<number, number>()
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p))
  } catch {
    return out
  }
  for (const p of pids) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8')
      if (!cmd.startsWith('postgres: ') || !cmd.includes(` ${db} `)) continue
      const s = cpuSeconds(Number(p))
      if (s !== null) out.set(Number(p), s)
    } catch {
      // gone
    }
  }
  return out
}

/** CPU seconds the backends used between two backendCpu() readings (a backend that started in between counts from 0). */
export function backendCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0
  for (const [pid, s] of after) sum += s - (before.get(pid) ?? 0)
  return Math.round(sum * 100) / 100
}
