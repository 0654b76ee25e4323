/**
 * Servers under test as child processes — Aidly and the bare Fastify reference — so their memory
 * is measured apart from the load generator. Aidly runs compiled, as `npm start` runs it
 * (dist/server/aidly.mjs, built by scripts/ensure-server.mjs); with --cpu-prof or
 * --count-queries it runs from the TypeScript sources instead, so profiles name source files.
 * Node runs the entry itself (`node --import tsx` for TypeScript), so the pid is the server's,
 * not a wrapper's.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { Target } from './database.js'

export const ROOT = path.resolve(import.meta.dirname, '../..')
const LOG_DIR = path.join(os.tmpdir(), 'aidly-bench')
const running = new Set<ChildServer>()

/** Stops every child server still running (on Ctrl-C). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()))
}

export interface ChildServer {
  pid: number
  /** http://127.0.0.1:<port> */
  origin: string
  logFile: string
  stop: () => Promise<void>
}

/** A port nobody listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

async function start(name: string, entry: string, args: string[], env: NodeJS.ProcessEnv, readyPath: string, port: number, timeoutMs: number, nodeArgs: string[] = []): Promise<ChildServer> {
  mkdirSync(LOG_DIR, { recursive: true })
  const logFile = path.join(LOG_DIR, `${name}.log`)
  const fd = openSync(logFile, 'w')
  const loader = entry.endsWith('.ts') || nodeArgs.some((a) => a.endsWith('.ts')) ? ['--import', 'tsx'] : []
  const child: ChildProcess = spawn(process.execPath, [...loader, ...nodeArgs, entry, ...args], { cwd: ROOT, env, stdio: ['ignore', fd, fd] })
  closeSync(fd)
  const state: { exited: string | null } = { exited: null }
  const exit = new Promise<void>((resolve) => child.once('exit', (code, signal) => { state.exited = `exited with ${signal ?? code}`; resolve() }))
  const origin = `http://127.0.0.1:${port}`
  const server: ChildServer = {
    pid: child.pid!,
    origin,
    logFile,
    stop: async () => {
      running.delete(server)
      if (state.exited) return
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      await exit
      clearTimeout(killer)
    },
  }
  running.add(server)
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (state.exited) {
      running.delete(server)
      throw new Error(`${name} ${state.exited} before it was ready; its log (${logFile}):\n${tail(logFile)}`)
    }
    try {
      const res = await fetch(origin + readyPath, { signal: AbortSignal.timeout(2000) })
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop()
      throw new Error(`${name} was not ready within ${timeoutMs / 1000} s; its log (${logFile}):\n${tail(logFile)}`)
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  return server
}

/** Extra Node flags and environment for the server child (--cpu-prof, --count-queries). */
export interface Instrumentation {
  nodeArgs?: string[]
  env?: NodeJS.ProcessEnv
}

/**
 * `aidly serve` on the prepared database: demo off, auth limits raised, tokens valid for a day.
 * stop() sends SIGTERM: the server drains and calls process.exit(0), which is when Node writes a
 * --cpu-prof profile (a SIGKILL, after 20 s, would lose it).
 */
export async function startAidly(target: Target, extra: Instrumentation = {}): Promise<ChildServer> {
  const port = await freePort()
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.DATABASE_URL
  delete env.REDIS_URL
  Object.assign(env, {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    AIDLY_PUBLIC_URL: `http://127.0.0.1:${port}`,
    AIDLY_DATA_DIR: target.dataDir,
    AIDLY_DEMO: '0',
    AIDLY_SECRET: randomBytes(36).toString('base64url'),
    // The login scenario signs in thousands of times a minute from one IP.
    AIDLY_AUTH_RATE_LIMIT: '100000',
    AIDLY_ACCESS_TOKEN_TTL: '86400',
    LOG_LEVEL: 'warn',
    // As `npm start` sets it (decision 0011).
    MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2',
  })
  if (target.databaseUrl) env.DATABASE_URL = target.databaseUrl
  Object.assign(env, extra.env)
  const fromSources = (extra.nodeArgs ?? []).length > 0
  if (!fromSources) execFileSync(process.execPath, ['scripts/ensure-server.mjs'], { cwd: ROOT, stdio: 'ignore' })
  const entry = fromSources ? 'src/cli/aidly.ts' : 'dist/server/aidly.mjs'
  return start(`aidly-${target.engine}`, entry, ['serve'], env, '/api/health', port, 300_000, extra.nodeArgs)
}

/** The reference: Fastify with one JSON route, nothing else. */
export async function startBareFastify(): Promise<ChildServer> {
  const port = await freePort()
  return start('bare-fastify', 'bench/bare-fastify.ts', [], { ...process.env, PORT: String(port), NODE_ENV: 'production' }, '/', port, 60_000)
}

function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : null
  } catch {
    return null
  }
}

/** Resident set size of a process in MB (VmRSS of /proc/<pid>/status), or null when unreadable. */
export const rssMb = (pid: number) => statusMb(pid, 'VmRSS')

/** The highest RSS the process ever had, in MB (VmHWM). */
export const peakRssMb = (pid: number) => statusMb(pid, 'VmHWM')

/** Samples a process's RSS every `everyMs` between start() and stop(); stop() returns the peak in MB. */
export class RssSampler {
  #timer: NodeJS.Timeout | undefined
  #peak = 0

  constructor(private readonly pid: number, private readonly everyMs = 100) {}

  start(): void {
    this.#peak = rssMb(this.pid) ?? 0
    this.#timer = setInterval(() => { this.#peak = Math.max(this.#peak, rssMb(this.pid) ?? 0) }, this.everyMs)
  }

  stop(): number {
    clearInterval(this.#timer)
    this.#peak = Math.max(this.#peak, rssMb(this.pid) ?? 0)
    return this.#peak
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; null when unreadable. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // After "pid (comm) ", fields start at state (3rd); utime and stime are the 14th and 15th, in clock ticks (100 Hz on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return null
  }
}

/**
 * Waits until a process is idle: under `share` of one CPU over a `windowMs` window (the server
 * working off what a scenario left behind — outbox events, a garbage collection), at most
 * `timeoutMs`. Returns the seconds waited, or null when it never settled.
 */
export async function waitIdle(pid: number, opts: { windowMs?: number; share?: number; timeoutMs?: number } = {}): Promise<number | null> {
  const windowMs = opts.windowMs ?? 500
  const share = opts.share ?? 0.05
  const t0 = Date.now()
  let before = cpuSeconds(pid)
  while (before !== null && Date.now() - t0 < (opts.timeoutMs ?? 120_000)) {
    await new Promise((r) => setTimeout(r, windowMs))
    const after = cpuSeconds(pid)
    if (after === null) return null
    if (after - before < (share * windowMs) / 1000) return (Date.now() - t0) / 1000
    before = after
  }
  return null
}
