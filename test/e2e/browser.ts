import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Result as AxeResult } from 'axe-core'
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest'
import { post, startServer, type RunningServer } from '../process/server-process.js'
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js'

/**
 * The browser side of the end-to-end tests: Debian's Chromium driven by playwright-core, pages
 * that remember uncaught errors, screenshots, and axe-core accessibility checks.
 */

export const ROOT = path.resolve(import.meta.dirname, '../..')
export const CHROMIUM_PATH = '/usr/bin/chromium'
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results/screenshots')

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/**
 * Whether the browser tests can run here. Without Chromium they are skipped on a developer's
 * machine, but under CI=true they must fail: a CI image without a browser is a broken CI image.
 */
export function chromiumAvailability(): { state: 'present' } | { state: 'skip' | 'fail'; reason: string } {
  if (existsSync(CHROMIUM_PATH)) return { state: 'present' }
  const reason = `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium)`
  return process.env.CI === 'true'
    ? { state: 'fail', reason: `${reason}; CI=true, so the browser tests fail instead of being skipped` }
    : { state: 'skip', reason: `${reason}; skipping the browser tests` }
}

/** Launches headless Chromium. Playwright gives every launch a fresh temporary profile (user-data dir) and removes it on close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 })
}

/**
 * Opens pages in their own browser contexts (so each test starts signed out, with empty storage)
 * and closes them all at the end of the test. Uncaught exceptions in any page are collected.
 */
export class Pages {
  readonly errors: string[] = []
  private readonly open: BrowserContext[] = []

  constructor(private readonly browser: Browser, private readonly baseURL: string) {}

  async newPage(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await this.browser.newContext({ baseURL: this.baseURL, viewport: { width: 1280, height: 860 }, locale: 'en-US', ...options })
    // Well under the test timeout, so a missing element fails with Playwright's own message.
    context.setDefaultTimeout(10_000)
    this.open.push(context)
    const page = await context.newPage()
    page.on('pageerror', (error) => this.errors.push(`${page.url()}: ${error.message}`))
    return page
  }

  /** Closes every context; on failure first saves each open page as `failed-<label>-<n>.png`. */
  async closeAll(failedLabel?: string): Promise<void> {
    const contexts = this.open.splice(0)
    if (failedLabel) {
      let n = 0
      for (const context of contexts) {
        for (const page of context.pages()) await screenshot(page, `failed-${failedLabel}-${++n}`).catch(() => {})
      }
    }
    await Promise.all(contexts.map((context) => context.close().catch(() => {})))
  }
}

/** Saves a full-page screenshot to test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const safe = name.replace(/[^a-z0-9-]+/gi, '-').replace(/^-|-$/g, '').toLowerCase()
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${safe}.png`), fullPage: true })
}

/** True when the page is wider than the viewport, i.e. the user would have to scroll sideways. */
export function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const { document, window } = globalThis as any
    return document.documentElement.scrollWidth > window.innerWidth
  })
}

/** The name of the focused element's `name` attribute, if any. */
export function focusedName(page: Page): Promise<string | null> {
  return page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('name') ?? null)
}

export type AxeViolation = Pick<AxeResult, 'id' | 'impact' | 'help' | 'helpUrl'> & { targets: string[] }

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** Runs axe-core on the page as it is now and returns its violations (all impacts). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource })
  const violations: AxeResult[] = await page.evaluate(async () => (await (globalThis as any).axe.run({ resultTypes: ['violations'] })).violations)
  return violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, targets: v.nodes.map((node) => String(node.target.join(' '))) }))
}

/** One line per violation, for assertion messages and the log. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `[${v.impact}] ${v.id}: ${v.help} (${v.targets.join(', ')})`).join('\n')
}

/**
 * The shared setup of a browser suite, called inside its `describe`: a fresh `aidly serve` (web
 * app rebuilt if stale; PGlite in a temp dir, or the run's PostgreSQL) and Chromium, started in
 * parallel; per test, pages closed (screenshots of a failed test kept) and uncaught page errors
 * failing the test; at the end everything stopped and the axe results logged.
 */
export function useBrowserSuite(name: string, opts: { axe?: 'all' | 'serious'; mail?: boolean } = {}): BrowserSuite {
  let server: RunningServer | undefined
  let sink: SmtpSink | undefined
  let browser: Browser | undefined
  let dataDir = ''
  let pages: Pages | undefined
  let database: Awaited<ReturnType<typeof serverDatabase>> | undefined
  const axeReport: Record<string, AxeViolation[]> = {}

  beforeAll(async () => {
    const state = chromiumAvailability()
    if (state.state === 'fail') throw new Error(state.reason)
    // The server serves dist/web; (re)build it first if src/web changed (a no-op when up to date).
    await promisify(execFile)(process.execPath, ['scripts/ensure-web.mjs'], { cwd: ROOT })
    dataDir = mkdtempSync(path.join(tmpdir(), `aidly-e2e-${name}-`))
    database = await serverDatabase(`e2e_${name}`)
    // With `mail`, the server sends its mail to a real SMTP receiver the test can read.
    if (opts.mail) sink = await startSmtpSink()
    const [started, launched] = await Promise.allSettled([
      startServer(dataDir, { AIDLY_DEMO: '0', AIDLY_AUTH_RATE_LIMIT: '100000', ...database.env, ...(sink ? { AIDLY_SMTP_URL: sink.url } : {}) }),
      launchChromium(),
    ])
    if (started.status === 'fulfilled') server = started.value
    if (launched.status === 'fulfilled') browser = launched.value
    if (started.status === 'rejected') throw started.reason
    if (launched.status === 'rejected') throw launched.reason
    pages = new Pages(browser!, server!.url)
  }, 180_000)

  afterEach(async (context) => {
    const failed = context.task.result?.state === 'fail'
    await pages?.closeAll(failed ? context.task.name : undefined)
    const errors = pages?.errors.splice(0) ?? []
    expect(errors, 'uncaught errors in the page').toEqual([])
  })

  afterAll(async () => {
    await browser?.close()
    if (server) {
      server.child.kill('SIGTERM')
      await server.exited
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    await database?.drop()
    await sink?.stop()
    for (const [page, violations] of Object.entries(axeReport)) {
      console.log(`[e2e] axe on ${page}: ${violations.length ? `\n${describeViolations(violations)}` : 'no violations'}`)
    }
  }, 60_000)

  const api = (route: string) => `${server!.url}/api/v1${route}`
  return {
    get url() { return server!.url },
    get mail() {
      if (!sink) throw new Error('useBrowserSuite: pass { mail: true } to receive the server’s mail')
      return sink
    },
    get pages() { return pages! },
    api,
    async call(method: string, route: string, token: string, body?: unknown) {
      const res = await fetch(api(route), {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const json = await res.json() as { data?: unknown }
      expect(res.ok, `${method} ${route}: ${JSON.stringify(json)}`).toBe(true)
      return json.data as any
    },
    async register(organization: string, name: string, email: string) {
      const res = await post(api('/auth/register'), { organization, name, email, password: E2E_PASSWORD })
      expect(res.status, JSON.stringify(res.json)).toBe(201)
      return res.json.data as Registered
    },
    async addMember(ownerToken: string, email: string, role: string, name: string) {
      const invited = await post(api('/invitations'), { email, role }, ownerToken)
      expect(invited.status, JSON.stringify(invited.json)).toBe(201)
      const token = new URL(invited.json.data.accept_url as string).searchParams.get('token')!
      const accepted = await post(api('/invitations/accept'), { token, name, password: E2E_PASSWORD })
      expect(accepted.status, JSON.stringify(accepted.json)).toBe(200)
      return accepted.json.data as Registered
    },
    async signIn(page: Page, email: string, password = E2E_PASSWORD) {
      await page.goto('/login')
      await page.getByLabel('Email').fill(email)
      await page.getByLabel('Password', { exact: true }).fill(password)
      await page.getByRole('button', { name: 'Sign in' }).click()
    },
    async expectAccessible(page: Page, label: string) {
      const violations = await axeViolations(page)
      axeReport[label] = violations
      // 'serious': only serious and critical violations fail; the rest goes to the log.
      const blocking = opts.axe === 'serious' ? violations.filter((v) => v.impact === 'serious' || v.impact === 'critical') : violations
      expect(blocking, `axe on ${label}:\n${describeViolations(blocking)}`).toEqual([])
    },
  }
}

/** The password of every account the browser tests make. */
export const E2E_PASSWORD = 'correct horse battery'

/** What signing up or accepting an invitation answers. */
export interface Registered {
  access_token: string
  user: { id: string }
  organization: { name: string; slug: string }
}

export interface BrowserSuite {
  /** The server's origin. */
  readonly url: string
  /** The SMTP receiver the server mails to (suites started with `{ mail: true }`). */
  readonly mail: SmtpSink
  readonly pages: Pages
  /** The URL of an API route (`/tickets` → origin/api/v1/tickets). */
  api(route: string): string
  /** Runs axe-core and fails on any violation (or, with `axe: 'serious'`, on serious and critical ones). */
  expectAccessible(page: Page, label: string): Promise<void>
  /** An API call that must succeed; answers the envelope's data. */
  call(method: string, route: string, token: string, body?: unknown): Promise<any>
  /** Signs up an organization over the API. */
  register(organization: string, name: string, email: string): Promise<Registered>
  /** Invites `email` with `role` and accepts the invitation, over the API; answers the new member's session. */
  addMember(ownerToken: string, email: string, role: string, name: string): Promise<Registered>
  /** Signs in through the sign-in page. */
  signIn(page: Page, email: string, password?: string): Promise<void>
}

/**
 * The database for a server process under test. On the PostgreSQL run it is a database of its
 * own on the run's server (created here, dropped by `drop`): the server runs the background
 * workers, which must not take the jobs and events of the unit tests sharing the run's database.
 * On the PGlite run the server keeps its embedded database in its data dir.
 */
export async function serverDatabase(name: string): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const shared = inject('databaseUrl')
  if (shared === 'memory://') return { env: {}, drop: async () => {} }
  const url = new URL(shared)
  const dbName = `${url.pathname.slice(1)}_${name.replace(/[^a-z0-9]/gi, '_')}`.toLowerCase().slice(0, 63)
  const admin = new pg.Client({ connectionString: shared })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${dbName}`)
  await admin.end()
  url.pathname = `/${dbName}`
  return {
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      const client = new pg.Client({ connectionString: shared })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
      await client.end()
    },
  }
}
