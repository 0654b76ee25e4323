/**
 * Summarizes a V8 CPU profile (.cpuprofile, e.g. from `npm run bench -- --cpu-prof`):
 *
 *   npx tsx bench/profile-summary.ts FILE.cpuprofile [--all] [--top N]
 *
 * Prints (a) the top functions by self time and (b) self time by area: our code under src/server
 * by module folder, pg, kysely, fastify and its dependencies, jose/crypto, zlib, node core, GC,
 * (idle)/(program) and other node_modules. Native frames without a script (a hash's digest, a
 * socket write) count towards the area of the JavaScript that called them.
 *
 * When FILE.window.json exists next to the profile (the bench writes it: the load window in the
 * profile's clock), only samples inside that window are counted, so server start-up and the
 * settling after the scenario are left out. --all counts the whole profile, --after only what
 * came after the window (the server settling: outbox, background jobs, until it was stopped).
 */
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

const args = process.argv.slice(2)
const file = args.find((a) => a.endsWith('.cpuprofile'))
const topN = Number(args[args.indexOf('--top') + 1]) || 25
if (!file) {
  console.error('usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [--all | --after] [--top N]')
  process.exit(2)
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const windowFile = file.replace(/\.cpuprofile$/, '.window.json')
const loadWindow = !args.includes('--all') && existsSync(windowFile)
  ? JSON.parse(readFileSync(windowFile, 'utf8')) as { startUs: number; endUs: number }
  : null
const after = args.includes('--after')
const window = loadWindow && after ? { startUs: loadWindow.endUs, endUs: profile.endTime } : loadWindow

const ROOT = path.resolve(import.meta.dirname, '..')
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

/** Where a script lives, shortened: src/server/…, node_modules/<pkg>/…, node:… */
function where(url: string): string {
  const p = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url
  const nm = p.lastIndexOf('/node_modules/')
  if (nm >= 0) return p.slice(nm + 1)
  return p.startsWith(ROOT + '/') ? p.slice(ROOT.length + 1) : p
}

const FASTIFY = new Set(['fastify', 'avvio', 'find-my-way', 'light-my-request', 'fast-json-stringify', 'ajv', 'ajv-formats',
  'fast-uri', 'fast-querystring', 'secure-json-parse', 'fast-decode-uri-component', 'fast-content-type-parse', 'toad-cache',
  'rfdc', 'json-schema-ref-resolver', 'fast-deep-equal', 'abstract-logging', 'process-warning', '@sinclair/typebox'])
const PG = new Set(['pg', 'pg-protocol', 'pg-pool', 'pg-types', 'pg-connection-string', 'pgpass', 'postgres-array',
  'postgres-bytea', 'postgres-date', 'postgres-interval', 'pg-int8'])

/** The area of a script, or null for a frame without one (natives: attributed to the caller). */
function areaOfUrl(url: string): string | null {
  if (!url) return null
  const w = where(url)
  if (w.startsWith('node_modules/')) {
    const parts = w.split('/')
    const pkg = parts[1]!.startsWith('@') ? `${parts[1]}/${parts[2]}` : parts[1]!
    if (PG.has(pkg)) return 'pg / pg-protocol'
    if (pkg === 'kysely') return 'kysely'
    if (pkg.startsWith('@fastify/') || FASTIFY.has(pkg)) return 'fastify + deps'
    if (pkg === 'jose') return 'jose / crypto'
    if (pkg === 'pino' || pkg.startsWith('pino-') || pkg === 'sonic-boom' || pkg === 'thread-stream') return 'pino (logging)'
    return `other node_modules: ${pkg}`
  }
  if (w.startsWith('src/server/')) {
    const parts = w.split('/').slice(2)
    const folder = (parts[0] === 'modules' || parts[0] === 'platform') && parts.length > 2 ? parts.slice(0, 2).join('/') : parts.slice(0, -1).join('/') || parts[0]!
    return `ours: src/server/${folder}`
  }
  if (w.startsWith('src/')) return `ours: ${w.split('/').slice(0, 2).join('/')}`
  if (/^node:(internal\/)?(crypto|internal\/crypto)/.test(w) || w.startsWith('node:internal/crypto')) return 'jose / crypto'
  if (/zlib/.test(w)) return 'zlib'
  if (w.startsWith('node:')) return 'node core (http, net, streams, timers…)'
  return `other: ${w}`
}

function areaOf(id: number): string {
  const name = byId.get(id)!.callFrame.functionName
  if (name === '(garbage collector)') return 'GC'
  if (name === '(idle)') return '(idle)'
  if (name === '(program)') return '(program)'
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const area = areaOfUrl(byId.get(n)!.callFrame.url)
    if (area) return area
  }
  return 'native, no JavaScript caller'
}

// Sample i lasts until sample i+1; its timestamp is startTime + the sum of deltas up to i.
const selfUs = new Map<number, number>()
let t = profile.startTime
let total = 0
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] ?? 0
  const next = i + 1 < profile.samples.length ? t + (profile.timeDeltas[i + 1] ?? 0) : profile.endTime
  const start = window ? Math.max(t, window.startUs) : t
  const end = window ? Math.min(next, window.endUs) : next
  if (end <= start) continue
  const id = profile.samples[i]!
  selfUs.set(id, (selfUs.get(id) ?? 0) + end - start)
  total += end - start
}

const idleUs = [...selfUs].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0)
const busy = total - idleUs
const ms = (us: number) => (us / 1000).toFixed(0).padStart(7)
const pct = (us: number, of: number) => `${((100 * us) / (of || 1)).toFixed(1).padStart(5)}%`

console.log(`${file}${window ? ` (${after ? 'after the load: ' : 'load window '} ${((window.endUs - window.startUs) / 1e6).toFixed(1)} s of ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s profiled; --all for everything)` : ''}`)
console.log(`${(total / 1e6).toFixed(2)} s sampled, busy ${(busy / 1e6).toFixed(2)} s = ${pct(busy, total).trim()} of one core (the main thread); shares below are of busy time\n`)

// (a) functions: the same function may appear under many call paths; add them up.
const fns = new Map<string, { us: number; frame: CallFrame; area: string }>()
for (const [id, us] of selfUs) {
  const f = byId.get(id)!.callFrame
  if (f.functionName === '(idle)') continue
  const key = `${f.functionName}|${f.url}|${f.lineNumber}`
  const e = fns.get(key) ?? { us: 0, frame: f, area: areaOf(id) }
  e.us += us
  fns.set(key, e)
}
console.log(`Top ${topN} functions by self time`)
console.log('   self ms  share  function — location')
for (const { us, frame, area } of [...fns.values()].sort((a, b) => b.us - a.us).slice(0, topN)) {
  const loc = frame.url ? `${where(frame.url)}:${frame.lineNumber + 1}` : `native, in ${area}`
  console.log(`   ${ms(us)} ${pct(us, busy)}  ${frame.functionName || '(anonymous)'} — ${loc}`)
}

// (b) areas; "other node_modules" packages are folded into one line with the largest named.
const areas = new Map<string, number>()
for (const [id, us] of selfUs) areas.set(areaOf(id), (areas.get(areaOf(id)) ?? 0) + us)
const others = [...areas].filter(([a]) => a.startsWith('other node_modules: ')).sort((a, b) => b[1] - a[1])
if (others.length) {
  for (const [a] of others) areas.delete(a)
  const names = others.slice(0, 4).map(([a, us]) => `${a.slice(20)} ${pct(us, busy).trim()}`).join(', ')
  areas.set(`other node_modules (${names}${others.length > 4 ? ', …' : ''})`, others.reduce((s, [, us]) => s + us, 0))
}
console.log('\nSelf time by area')
console.log('   self ms  share  area')
for (const [area, us] of [...areas].sort((a, b) => b[1] - a[1])) {
  console.log(`   ${ms(us)} ${area === '(idle)' ? '     —' : pct(us, busy)}  ${area}`)
}
const ours = [...areas].filter(([a]) => a.startsWith('ours: ')).reduce((s, [, us]) => s + us, 0)
console.log(`   ${ms(ours)} ${pct(ours, busy)}  = all of ours (src/)`)
