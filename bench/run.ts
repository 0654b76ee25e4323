/**
 * `npm run bench` — seeds a realistic dataset, starts Aidly as a child process on it and drives
 * the scenarios of bench/scenarios.ts with autocannon, next to two references measured in the same
 * run: a bare Fastify app and raw database inserts. See bench/README.md.
 *
 *   npm run bench                                   # pg, 100k tickets, 10 s per scenario, 16 connections
 *   npm run bench -- --size 1m --engine both
 *   npm run bench -- --size 2k --duration 3         # smoke run
 *
 * Prints a table per engine and writes bench/results/<timestamp>-<engine>-<size>.json. Exits 1
 * when a scenario had errors (connection errors, timeouts, non-2xx answers, failed bulk items) or
 * could not run; missed targets do not change the exit code.
 */
import os from 'node:os'
import path from 'node:path'
import { DB_NAME, drainOutbox, prepare } from './lib/database.js'
import { measureHttp, type Measurement } from './lib/load.js'
import { parseOptions, SIZES, USAGE, type EngineName, type Options } from './lib/options.js'
import { measureRawInserts } from './lib/reference.js'
import { machineInfo, renderErrors, renderTable, settingsOf, writeReport, type EngineReport, type ScenarioResult } from './lib/report.js'
import { backendCpu, backendCpuBetween, collectProfile, instruments, profileClockUs, snapshotCounts } from './lib/instrument.js'
import { countsBetween } from './lib/query-counter.js'
import { cpuSeconds, peakRssMb, ROOT, startAidly, startBareFastify, stopAll, waitIdle, type ChildServer } from './lib/server.js'
import { COMMON_TARGETS, PLANNED, SCENARIOS, type Scenario, type ScenarioContext } from './scenarios.js'

const log = (line: string) => console.log(`[bench] ${line}`)

async function signIn(origin: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${origin}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  })
  const body = await res.json() as { data?: { access_token?: string }; error?: { message?: string } }
  if (!res.ok || !body.data?.access_token) throw new Error(`sign-in as ${email} failed: ${res.status} ${body.error?.message ?? ''}`)
  return body.data.access_token
}

function selectScenarios(only: string[]): Scenario[] {
  if (!only.length) return SCENARIOS
  const known = new Set(SCENARIOS.map((s) => s.name))
  const unknown = only.filter((n) => !known.has(n))
  if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${[...known].join(', ')}`)
  return SCENARIOS.filter((s) => only.includes(s.name))
}

const connectionsOf = (s: Scenario, opts: Options) => Math.min(opts.connections, s.maxConnections ?? opts.connections)

function resultOf(s: Scenario, connections: number, m: Measurement | null, refs: EngineReport['references'], failure?: string): ScenarioResult {
  if (m && m.requests === 0 && !failure) failure = `no request completed in the measured ${m.seconds.toFixed(1)} s (requests take longer; try a longer --duration)`
  const rows = s.rowsPerRequest ?? 1
  const ref = s.kind === 'read' ? refs.bareFastify?.rps : refs.rawInsert?.rps
  const ratio = m && ref ? (s.kind === 'read' ? m.rps / ref : (m.rps * rows) / ref) : null
  const targets = [...(s.targets ?? []), ...COMMON_TARGETS].map((t) => ({ label: t.label, met: m !== null && !failure && t.met(m) }))
  return {
    name: s.name, title: s.title, kind: s.kind, connections, rowsPerRequest: rows, measurement: m, ratio,
    ratioBasis: s.kind === 'read' ? 'bare-fastify req/s' : 'raw-insert rows/s', targets, ...(failure ? { failure } : {}),
  }
}

/**
 * CPU used during warm-up + measurement by the server process (all its threads) and by the
 * PostgreSQL backends of the bench database, per request (requests estimated as measured + warm-up
 * at the measured rate).
 */
function cpuOf(before: { server: number | null; pg: Map<number, number> | null }, after: typeof before, requests: number): NonNullable<ScenarioResult['cpu']> {
  const server = before.server !== null && after.server !== null ? Math.round((after.server - before.server) * 100) / 100 : null
  const pg = before.pg && after.pg ? backendCpuBetween(before.pg, after.pg) : null
  const per = (sec: number | null) => (sec !== null && requests ? Math.round((sec * 1e5) / requests) / 100 : null)
  return { serverSeconds: server, postgresSeconds: pg, requests, serverMsPerRequest: per(server), postgresMsPerRequest: per(pg) }
}

async function measureScenario(s: Scenario, ctx: ScenarioContext): Promise<Measurement> {
  if (s.type === 'custom') return s.run(ctx)
  return measureHttp({
    origin: ctx.origin, duration: ctx.duration, warmup: ctx.warmup, connections: ctx.connections,
    headers: {}, requests: s.requests(ctx), itemErrors: s.itemErrors, pid: ctx.pid,
  })
}

async function benchEngine(engine: EngineName, opts: Options, scenarios: Scenario[]): Promise<EngineReport> {
  const startedAt = new Date().toISOString()
  const machine = machineInfo()
  log(`engine ${engine}, size ${opts.size}: preparing the database`)
  const prepared = await prepare(engine, opts.size, opts.reuse, log)
  const { target, fixture } = prepared
  const references: EngineReport['references'] = {
    bareFastify: null, rawInsert: null,
    rawInsertNote: engine === 'pg'
      ? `${opts.connections} pg clients, one autocommitted INSERT of a ticket-like row each (primary key, unique number, one index)`
      : `${opts.connections} concurrent callers on one PGlite (one connection: they take turns), one INSERT of a ticket-like row each`,
  }
  const results: ScenarioResult[] = []
  try {
    log(`reference: bare Fastify (${opts.duration} s, ${opts.connections} connections)`)
    const bare = await startBareFastify()
    try {
      references.bareFastify = await measureHttp({
        origin: bare.origin, duration: opts.duration, warmup: opts.warmup, connections: opts.connections,
        headers: {}, requests: [{ method: 'GET', path: '/' }], pid: bare.pid,
      })
    } finally {
      await bare.stop()
    }
    log(`reference: raw inserts (${opts.duration} s, ${opts.connections} clients)`)
    references.rawInsert = await measureRawInserts(target, opts.connections, opts.warmup, opts.duration)

    const inst = instruments(opts)
    // With --cpu-prof every scenario gets a fresh server, so each profile covers one scenario.
    let app: ChildServer | null = null
    let token = ''
    let server: EngineReport['server'] = null
    const serverFor = async (): Promise<ChildServer> => {
      if (app) return app
      log(`starting aidly serve${inst.child.nodeArgs?.length ? ` (${inst.child.nodeArgs.join(' ')})` : ''}`)
      app = await startAidly(target, inst.child)
      server = { pid: app.pid, peakRssMbOverRun: server?.peakRssMbOverRun ?? null, log: app.logFile }
      token = await signIn(app.origin, fixture.adminEmail, fixture.password)
      return app
    }
    const stopServer = async () => {
      if (!app) return
      const peak = peakRssMb(app.pid)
      if (server && peak !== null) server.peakRssMbOverRun = Math.max(server.peakRssMbOverRun ?? 0, peak)
      await app.stop()
      app = null
    }
    try {
      for (const s of scenarios) {
        const connections = connectionsOf(s, opts)
        log(`scenario ${s.name} (${opts.duration} s, ${connections} connections)`)
        try {
          const current = await serverFor()
          const ctx: ScenarioContext = {
            origin: current.origin, token, fixture, pid: current.pid, duration: opts.duration, warmup: opts.warmup, connections,
          }
          await s.setup?.(ctx)
          const countsBefore = inst.countsFile ? await snapshotCounts(inst.countsFile, current.pid) : null
          const cpuBefore = { server: cpuSeconds(current.pid), pg: target.engine === 'pg' ? backendCpu(DB_NAME) : null }
          const windowStart = profileClockUs()
          const m = await measureScenario(s, ctx)
          const cpuAfter = { server: cpuSeconds(current.pid), pg: target.engine === 'pg' ? backendCpu(DB_NAME) : null }
          // The measured part: after the warm-up autocannon runs inside the same call.
          const windowUs: [number, number] = [windowStart + opts.warmup * 1e6, profileClockUs()]
          const countsLoad = inst.countsFile ? await snapshotCounts(inst.countsFile, current.pid) : null
          const result = resultOf(s, connections, m, references)
          results.push(result)
          result.cpu = cpuOf(cpuBefore, cpuAfter, m.requests + Math.round(m.rps * opts.warmup))
          log(`  ${m.rps.toFixed(1)} req/s, p50 ${m.latency.p50.toFixed(2)} ms, p99 ${m.latency.p99.toFixed(2)} ms, ${m.errors} errors, RSS ${m.peakRssMb?.toFixed(0) ?? '?'} MB`
            + `, CPU per request: server ${result.cpu.serverMsPerRequest ?? '?'} ms, PostgreSQL ${result.cpu.postgresMsPerRequest ?? '?'} ms`)
          // Let the server work off what the scenario left (outbox events…) before the next one starts.
          const t0 = Date.now()
          const drained = await drainOutbox(target)
          // A --cpu-prof server never drops under 5% of a CPU: the sampler alone costs about that on this VM.
          const idle = await waitIdle(current.pid, inst.profileDir ? { share: 0.15 } : {})
          const drainedOk = drained.backlog === null || drained.seconds !== null
          const settled = drainedOk && idle !== null ? (Date.now() - t0) / 1000 : null
          result.settle = { outboxBacklog: drained.backlog, seconds: settled }
          if (drained.backlog || settled === null || settled > 1.5) {
            log(`  settling: ${drained.backlog === null ? '' : `outbox backlog ${drained.backlog} event(s), `}${settled === null ? 'server still busy after 120 s' : `server idle after ${settled.toFixed(1)} s`}`)
          }
          if (countsBefore && countsLoad && inst.countsFile) {
            const countsSettled = await snapshotCounts(inst.countsFile, current.pid).catch(() => null)
            const duringLoad = countsBetween(countsBefore, countsLoad)
            result.queries = { duringLoad, withSettle: countsSettled ? countsBetween(countsBefore, countsSettled) : null }
            log(`  ${duringLoad.statementsPerResponse ?? '?'} statements per response during the load (${duringLoad.statements} over ${duringLoad.responses} responses)`)
          }
          if (inst.profileDir) {
            await stopServer()
            try {
              const file = collectProfile(inst.profileDir, current.pid, s.name, windowUs)
              result.profile = { file: path.relative(ROOT, file), windowUs }
              log(`  profile: ${path.relative(ROOT, file)} (npx tsx bench/profile-summary.ts ${path.relative(ROOT, file)})`)
            } catch (error) {
              result.profile = { error: error instanceof Error ? error.message : String(error) }
              log(`  profile: ${result.profile.error}`)
            }
          }
        } catch (error) {
          results.push(resultOf(s, connections, null, references, error instanceof Error ? error.message : String(error)))
          log(`  could not run: ${String(error)}`)
        }
      }
    } finally {
      await stopServer()
    }
    return {
      startedAt, finishedAt: new Date().toISOString(), engine, size: opts.size,
      machine: { ...machine, loadAverageAtEnd: os.loadavg().map((n) => Math.round(n * 100) / 100) },
      settings: settingsOf(opts),
      database: { location: target.location, serverVersion: prepared.serverVersion, reused: prepared.reused, seedSeconds: prepared.seedSeconds, rows: prepared.counts },
      references,
      server,
      scenarios: results,
      notBuiltYet: PLANNED,
    }
  } finally {
    await prepared.cleanup()
  }
}

async function main(): Promise<number> {
  let opts: Options | null
  try {
    opts = parseOptions(process.argv.slice(2))
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
    return 2
  }
  if (!opts) {
    console.log(USAGE)
    return 0
  }
  const scenarios = selectScenarios(opts.only)
  const m = machineInfo()
  log(`${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, load average ${m.loadAverageAtStart.join(' ')}`)
  log(`size ${opts.size} (${SIZES[opts.size].toLocaleString('en')} tickets), engines ${opts.engines.join(' + ')}, `
    + `${opts.duration} s per scenario after ${opts.warmup} s warm-up, ${opts.connections} connections, 127.0.0.1 only`)
  let failed = false
  for (const engine of opts.engines) {
    const report = await benchEngine(engine, opts, scenarios)
    console.log(`\n${engine} · ${opts.size} · ${opts.duration} s × ${opts.connections} connections · ${report.machine.cpus} CPUs · load ${report.machine.loadAverageAtStart.join(' ')} → ${report.machine.loadAverageAtEnd.join(' ')}\n`)
    console.log(renderTable(report))
    const errors = renderErrors(report)
    if (errors) console.log(`\nErrors:\n${errors}`)
    console.log(`\nvs reference: read scenarios as a share of bare Fastify req/s; write scenarios as rows written per second (req/s × rows per request) as a share of raw INSERT rows/s.`)
    if (PLANNED.length) console.log(`Not built yet: ${PLANNED.map((p) => `${p.name} (waits for ${p.waitingFor})`).join('; ')}`)
    console.log(`Results: ${path.relative(ROOT, writeReport(report))}\n`)
    if (report.scenarios.some((s) => s.failure || (s.measurement?.errors ?? 0) > 0)) failed = true
  }
  return failed ? 1 : 0
}

process.once('SIGINT', () => {
  void stopAll().finally(() => process.exit(130))
})

main().then((code) => process.exit(code), async (error: unknown) => {
  console.error(error)
  await stopAll()
  process.exit(1)
})
