/**
 * The web app's budget check (`npm run bench:web`): how fast the ticket list with 50 rows becomes
 * usable on a slow phone-class CPU. Starts `aidly serve` on a fresh embedded database, opens an
 * organization with 120 tickets, signs in with Chromium throttled 4× (Chrome DevTools' "mid-tier
 * mobile" setting) and times, over several cold loads of `/tickets?limit=50`:
 * - rows: from navigation start until 50 rows are in the table;
 * - interactive: until a click on the first row's checkbox has been handled (the page responds);
 * - long tasks: main-thread tasks over 50 ms during the load (what makes a page feel stuck).
 * It also reports the initial JavaScript (gzipped) the list page downloads. Numbers go to the
 * terminal and bench/results/web-list-<time>.json. Nothing here asserts: it measures.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'
import { post, startServer } from '../test/process/server-process.js'

const ROOT = path.resolve(import.meta.dirname, '..')
const RUNS = Number(process.env.RUNS ?? 5)
const THROTTLE = Number(process.env.THROTTLE ?? 4)
const PASSWORD = 'bench password 0123'

execFileSync(process.execPath, ['scripts/ensure-web.mjs'], { cwd: ROOT, stdio: 'inherit' })
const dataDir = mkdtempSync(path.join(tmpdir(), 'aidly-bench-web-'))
const server = await startServer(dataDir, { AIDLY_DEMO: '0', AIDLY_AUTH_RATE_LIMIT: '100000' })
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})

try {
  const api = (route: string) => `${server.url}/api/v1${route}`
  const owner = await post(api('/auth/register'), { organization: 'Bench Web', name: 'Bea Bench', email: 'bea@bench.example', password: PASSWORD })
  const token = owner.json.data.access_token as string
  for (let i = 0; i < 120; i++) {
    const res = await post(api('/tickets'), {
      subject: `Order ${1000 + i}: ${['late delivery', 'wrong size', 'refund please', 'damaged box'][i % 4]}`,
      description: 'Seeded for the web benchmark.',
      priority: ['low', 'medium', 'high', 'urgent'][i % 4],
      requester: { email: `customer${i % 30}@bench.example`, name: `Customer ${i % 30}` },
    }, token)
    if (res.status !== 201) throw new Error(`seeding failed: ${JSON.stringify(res.json)}`)
  }

  const samples: { rows: number; interactive: number; longTasks: number; longTaskMs: number; jsBytes: number; jsGzipBytes: number }[] = []
  for (let run = 0; run < RUNS + 1; run++) {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    // Sign in unthrottled; only the list load is measured.
    await page.goto('/login')
    await page.getByLabel('Email').fill('bea@bench.example')
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: /Welcome/ }).waitFor()

    const scripts: string[] = []
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.push(response.url())
    })
    const cdp = await context.newCDPSession(page)
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE })
    // Collects main-thread tasks over 50 ms (browser code, as text: it runs in the page).
    await page.addInitScript({
      content: 'window.__long = []; new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(e.duration) }).observe({ type: "longtask", buffered: true })',
    })
    await page.goto('/tickets?limit=50', { waitUntil: 'commit' })
    await page.locator('tbody tr').nth(49).waitFor({ timeout: 60_000 })
    const rows = await page.evaluate(() => performance.now())
    await page.locator('tbody tr').first().getByRole('checkbox').click()
    await page.locator('tbody tr').first().getByRole('checkbox').isChecked()
    const interactive = await page.evaluate(() => performance.now())
    const long = await page.evaluate(() => (globalThis as unknown as { __long: number[] }).__long)
    let jsBytes = 0
    let jsGzipBytes = 0
    for (const url of new Set(scripts)) {
      const body = Buffer.from(await (await fetch(url)).arrayBuffer())
      jsBytes += body.length
      jsGzipBytes += gzipSync(body).length
    }
    await context.close()
    // The first load warms the server and the disk cache; it is not counted.
    if (run > 0) samples.push({ rows, interactive, longTasks: long.length, longTaskMs: long.reduce((a, b) => a + b, 0), jsBytes, jsGzipBytes })
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const summary = {
    at: new Date().toISOString(),
    cpu_throttle: THROTTLE,
    runs: RUNS,
    rows_50_ms_median: Math.round(median(samples.map((s) => s.rows))),
    interactive_ms_median: Math.round(median(samples.map((s) => s.interactive))),
    long_tasks_median: median(samples.map((s) => s.longTasks)),
    long_task_ms_median: Math.round(median(samples.map((s) => s.longTaskMs))),
    list_page_js_kb: Math.round(median(samples.map((s) => s.jsBytes)) / 1024),
    list_page_js_gzip_kb: Math.round(median(samples.map((s) => s.jsGzipBytes)) / 1024),
    samples,
  }
  console.log(`ticket list, 50 rows, CPU throttled ${THROTTLE}× (median of ${RUNS} cold loads):`)
  console.log(`  50 rows shown      ${summary.rows_50_ms_median} ms after navigation start`)
  console.log(`  first click served ${summary.interactive_ms_median} ms`)
  console.log(`  long tasks         ${summary.long_tasks_median} (${summary.long_task_ms_median} ms in all)`)
  console.log(`  JavaScript loaded  ${summary.list_page_js_kb} KB (${summary.list_page_js_gzip_kb} KB gzipped)`)
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true })
  const file = path.join(ROOT, 'bench/results', `web-list-${summary.at.replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, JSON.stringify(summary, null, 2))
  console.log(`  → ${path.relative(ROOT, file)}`)
} finally {
  await browser.close()
  server.child.kill('SIGTERM')
  await server.exited
  rmSync(dataDir, { recursive: true, force: true })
}
