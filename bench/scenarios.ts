/**
 * The scenarios of `npm run bench`, as a table: one entry per scenario, run in this order. To add
 * one, append an entry — an `http` scenario gives autocannon requests (vary ids and bodies in
 * `setupRequest`), a `custom` one measures itself (for protocols autocannon does not speak) —
 * and, if it has targets, list them in `targets`. PLANNED below lists scenarios waiting for their feature.
 */
import type autocannon from 'autocannon'
import type { Fixture } from './lib/database.js'
import { summarize, type Measurement } from './lib/load.js'
import { RssSampler } from './lib/server.js'
import { WORDS } from './lib/seed.js'

export interface ScenarioContext {
  /** http://127.0.0.1:<port> of the app under test. */
  origin: string
  /** Access token of the benchmarked organization's admin (from POST /api/v1/auth/login). */
  token: string
  fixture: Fixture
  /** The server's pid, for RSS sampling by custom scenarios. */
  pid: number
  duration: number
  warmup: number
  connections: number
}

/** A target from the issue, checked against the scenario's measurement. */
export interface ScenarioTarget {
  label: string
  met: (m: Measurement) => boolean
}

interface ScenarioBase {
  /** Short name for --only and the JSON. */
  name: string
  title: string
  /**
   * `read`: reported as a fraction of the bare Fastify req/s. `write`: rows written per second
   * (req/s × rowsPerRequest) as a fraction of the raw insert rows/s.
   */
  kind: 'read' | 'write'
  rowsPerRequest?: number
  /** At most this many connections, whatever --connections says (for requests that take seconds). */
  maxConnections?: number
  targets?: ScenarioTarget[]
  /** Runs once before the scenario is measured (creates what it needs through the API). */
  setup?: (ctx: ScenarioContext) => Promise<void>
}

export interface HttpScenario extends ScenarioBase {
  type: 'http'
  /** The request mix; each connection loops over it. */
  requests: (ctx: ScenarioContext) => autocannon.Request[]
  /** Failed items inside a 2xx answer, counted as errors (bulk answers 200 with per-ticket results). */
  itemErrors?: (status: number, body: string) => number
}

export interface CustomScenario extends ScenarioBase {
  type: 'custom'
  /** Measures itself for ctx.duration seconds (after ctx.warmup), sampling the RSS of ctx.pid. */
  run: (ctx: ScenarioContext) => Promise<Measurement>
}

export type Scenario = HttpScenario | CustomScenario

/** Targets every scenario is held to. */
export const COMMON_TARGETS: ScenarioTarget[] = [
  { label: 'RSS < 300 MB', met: (m) => m.peakRssMb !== null && m.peakRssMb < 300 },
  { label: 'no errors', met: (m) => m.errors === 0 },
]

const rand = (n: number) => Math.floor(Math.random() * n)
const pick = <T>(items: readonly T[]): T => items[rand(items.length)]!
const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ')

function headers(ctx: ScenarioContext, json = false): Record<string, string> {
  return { authorization: `Bearer ${ctx.token}`, ...(json ? { 'content-type': 'application/json' } : {}) }
}

/** A request whose path and body are drawn anew for every request. */
function vary(method: 'GET' | 'POST', hdrs: Record<string, string>, draw: () => { path: string; body?: unknown }): autocannon.Request {
  const first = draw()
  return {
    method,
    path: first.path,
    headers: hdrs,
    setupRequest: (req) => {
      const next = draw()
      return { ...req, path: next.path, ...(next.body === undefined ? {} : { body: JSON.stringify(next.body) }) }
    },
  }
}

const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const

/** Sorted, disjoint blocks of 100 live tickets, handed out in turn (sorted so overlapping requests lock in one order). */
function bulkBlocks(ids: string[]): string[][] {
  const blocks: string[][] = []
  for (let i = 0; i + 100 <= ids.length; i += 100) blocks.push(ids.slice(i, i + 100).sort())
  if (!blocks.length) throw new Error('bulk-update needs at least 100 live tickets')
  return blocks
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'login',
    title: 'Login (POST /auth/login)',
    type: 'http',
    kind: 'write',
    rowsPerRequest: 1,
    requests: (ctx) => [vary('POST', { 'content-type': 'application/json' }, () => ({
      path: '/api/v1/auth/login',
      body: { email: pick(ctx.fixture.agentEmails), password: ctx.fixture.password },
    }))],
  },
  {
    name: 'create-ticket',
    title: 'Create ticket (POST /tickets)',
    type: 'http',
    kind: 'write',
    rowsPerRequest: 1,
    targets: [{ label: '≥ 3,000 req/s', met: (m) => m.rps >= 3000 }],
    requests: (ctx) => [vary('POST', headers(ctx, true), () => {
      const n = 1 + rand(ctx.fixture.contactCount)
      return {
        path: '/api/v1/tickets',
        body: {
          subject: `${words(3)} ${rand(2) ? 'printer' : 'login'}`,
          description_text: `Customer writes about ${words(2)} after the ${words(2)}. Steps to reproduce: open the ${pick(WORDS)} page.`,
          priority: pick(PRIORITIES),
          requester: { email: `customer${n}@example.test`, name: `Customer ${n}` },
          ...(rand(4) === 0 ? { tags: ['billing'] } : {}),
        },
      }
    })],
  },
  {
    name: 'get-ticket',
    title: 'Get ticket by id (GET /tickets/:id)',
    type: 'http',
    kind: 'read',
    targets: [{ label: '≥ 10,000 req/s', met: (m) => m.rps >= 10_000 }],
    requests: (ctx) => [vary('GET', headers(ctx), () => ({ path: `/api/v1/tickets/${pick(ctx.fixture.ticketIds)}` }))],
  },
  {
    name: 'list-tickets',
    title: 'List a filtered page of 25 (GET /tickets?status_category=…&priority=…&sort=…)',
    type: 'http',
    kind: 'read',
    targets: [
      { label: '≥ 3,000 req/s', met: (m) => m.rps >= 3000 },
      { label: 'p99 < 25 ms', met: (m) => m.latency.p99 < 25 },
    ],
    requests: (ctx) => [vary('GET', headers(ctx), () => {
      const status = pick(['open', 'open', 'new,open', 'pending'])
      const priority = pick(['high', 'high', 'urgent', 'high,urgent'])
      const sort = pick(['-updated_at', '-updated_at', '-created_at', 'due_at'])
      return { path: `/api/v1/tickets?status_category=${encodeURIComponent(status)}&priority=${encodeURIComponent(priority)}&sort=${sort}&limit=25&page=${1 + rand(3)}` }
    })],
  },
  {
    name: 'search',
    title: 'Full-text search (GET /tickets/search?q=…)',
    type: 'http',
    kind: 'read',
    targets: [{ label: 'p95 < 50 ms', met: (m) => m.latency.p95 < 50 }],
    requests: (ctx) => [vary('GET', headers(ctx), () => ({ path: `/api/v1/tickets/search?q=${encodeURIComponent(words(1 + rand(2)))}&limit=25` }))],
  },
  {
    name: 'add-comment',
    title: 'Add a comment (POST /tickets/:id/comments)',
    type: 'http',
    kind: 'write',
    rowsPerRequest: 1,
    requests: (ctx) => [vary('POST', headers(ctx, true), () => ({
      path: `/api/v1/tickets/${pick(ctx.fixture.ticketIds)}/comments`,
      body: { body_text: `Thanks, we looked at the ${words(2)} and the ${words(1)}. Please try the ${words(1)} again.`, is_internal: rand(4) === 0 },
    }))],
  },
  {
    name: 'bulk-update',
    title: 'Bulk update of 100 tickets (POST /tickets/bulk)',
    type: 'http',
    kind: 'write',
    rowsPerRequest: 100,
    // A bulk edit of 100 tickets takes the better part of a second alone; a few agents at once is realistic.
    maxConnections: 4,
    itemErrors: (_status, body) => {
      try {
        return (JSON.parse(body) as { data?: { failed?: number } }).data?.failed ?? 0
      } catch {
        return 0
      }
    },
    requests: (ctx) => {
      const blocks = bulkBlocks(ctx.fixture.ticketIds)
      let turn = 0
      return [vary('POST', headers(ctx, true), () => {
        turn++
        return { path: '/api/v1/tickets/bulk', body: { action: 'update', ids: blocks[turn % blocks.length], data: { priority: PRIORITIES[turn % PRIORITIES.length] } } }
      })]
    },
  },
]

/** State the email-ingest scenario keeps between its setup and its requests. */
const inbox = { address: '', sent: [] as string[], n: 0 }

/**
 * A raw message as a mail client writes it: seven in ten open a new conversation from one of the
 * seeded contacts, three in ten reply to an earlier message of the run (In-Reply-To/References),
 * so threading is measured along with parsing and storing.
 */
function rawInbound(contactCount: number): string {
  const n = ++inbox.n
  const id = `bench-${process.pid}-${n}-${rand(1e9)}@client.example.test`
  const parent = inbox.sent.length && rand(10) < 3 ? pick(inbox.sent) : null
  if (inbox.sent.length < 5000) inbox.sent.push(id)
  else inbox.sent[rand(5000)] = id
  const who = 1 + rand(contactCount)
  return [
    `From: Customer ${who} <customer${who}@example.test>`, `To: ${inbox.address}`,
    `Subject: ${parent ? 'Re: ' : ''}${words(4)}`, `Date: ${new Date().toUTCString()}`, `Message-ID: <${id}>`,
    ...(parent ? [`In-Reply-To: <${parent}>`, `References: <${parent}>`] : []),
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '',
    `Hello, the ${words(3)} stopped working after the ${words(2)}.`, `We tried the ${words(4)} but it still fails.`, '',
    ...(parent ? ['On Monday, Support wrote:', `> ${words(8)}`, ''] : []),
    'Thanks,', `Customer ${who}`, '',
  ].join('\r\n')
}

SCENARIOS.push({
  name: 'email-ingest',
  title: 'Email ingest (POST /email/inbound, raw message → parse, thread, store)',
  type: 'http',
  kind: 'write',
  rowsPerRequest: 1,
  targets: [{ label: '≥ 500 messages/s', met: (m) => m.rps >= 500 }],
  setup: async (ctx) => {
    inbox.address = `bench-${process.pid}-${rand(1e9)}@bench.example.test`
    const res = await fetch(`${ctx.origin}/api/v1/email/accounts`, {
      method: 'POST', headers: headers(ctx, true), body: JSON.stringify({ name: 'Bench inbox', address: inbox.address }),
    })
    if (res.status !== 201) throw new Error(`creating the bench mailbox: ${res.status} ${await res.text()}`)
  },
  requests: (ctx) => {
    const hdrs = { authorization: `Bearer ${ctx.token}`, 'content-type': 'message/rfc822' }
    return [{
      method: 'POST', path: '/api/v1/email/inbound', headers: hdrs, body: rawInbound(ctx.fixture.contactCount),
      setupRequest: (req) => ({ ...req, body: rawInbound(ctx.fixture.contactCount) }),
    }]
  },
})

const FANOUT_CLIENTS = 200

/**
 * WebSocket fan-out: FANOUT_CLIENTS clients of the organization connected to /api/v1/realtime;
 * one change at a time (a ticket's subject) is made over HTTP, and the time from sending that
 * request to the moment the last client has the event is one sample. Throughput is changes per
 * second delivered to every client; errors are changes some client never saw within 5 s.
 */
SCENARIOS.push({
  name: 'ws-fanout',
  title: `WebSocket fan-out (1 change → ${FANOUT_CLIENTS} clients)`,
  type: 'custom',
  kind: 'read',
  targets: [{ label: 'p99 < 250 ms', met: (m) => m.latency.p99 < 250 }],
  run: async (ctx) => {
    const { default: WebSocket } = await import('ws')
    const url = `${ctx.origin.replace(/^http/, 'ws')}/api/v1/realtime?access_token=${encodeURIComponent(ctx.token)}`
    const waiting = new Map<string, { left: number; done: () => void }>()
    const clients = await Promise.all(Array.from({ length: FANOUT_CLIENTS }, () => new Promise<InstanceType<typeof WebSocket>>((resolve, reject) => {
      const ws = new WebSocket(url)
      ws.on('message', (raw: Buffer) => {
        const m = JSON.parse(raw.toString()) as { type: string; ticket_id?: string }
        if (m.type === 'ready') resolve(ws)
        if (m.type !== 'ticket.updated' || !m.ticket_id) return
        const w = waiting.get(m.ticket_id)
        if (w && --w.left === 0) w.done()
      })
      ws.on('error', reject)
    })))
    const sampler = new RssSampler(ctx.pid)
    sampler.start()
    const samples: number[] = []
    let errors = 0
    let requests = 0
    let turn = 0
    const started = performance.now()
    const warmupEnd = started + ctx.warmup * 1000
    const end = warmupEnd + ctx.duration * 1000
    while (performance.now() < end) {
      const ticketId = ctx.fixture.ticketIds[turn % ctx.fixture.ticketIds.length]!
      turn++
      const t0 = performance.now()
      const all = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => { waiting.delete(ticketId); resolve(false) }, 5000)
        waiting.set(ticketId, { left: clients.length, done: () => { clearTimeout(timer); waiting.delete(ticketId); resolve(true) } })
      })
      const res = await fetch(`${ctx.origin}/api/v1/tickets/${ticketId}`, {
        // A new subject every time: a PATCH that changes nothing emits nothing.
        method: 'PATCH', headers: headers(ctx, true), body: JSON.stringify({ subject: `Fan-out check ${turn} ${words(2)}` }),
      })
      await res.arrayBuffer()
      const ok = res.ok && await all
      if (t0 < warmupEnd) continue
      requests++
      if (ok) samples.push(performance.now() - t0)
      else errors++
    }
    const peak = sampler.stop()
    for (const ws of clients) ws.close()
    const seconds = (end - warmupEnd) / 1000
    return {
      requests, seconds, rps: samples.length / seconds, latency: summarize(samples), errors,
      detail: { connectionErrors: 0, timeouts: errors, non2xx: 0, itemErrors: 0, statusCodes: {} },
      errorSamples: [], peakRssMb: peak,
    }
  },
})

/**
 * EXTENSION POINTS — scenarios waiting for their feature. When one lands, add it to SCENARIOS
 * above and remove it here; run.ts lists these as "not built yet" and never fakes them. None wait now.
 */
export const PLANNED: Array<{ name: string; title: string; waitingFor: string }> = []
