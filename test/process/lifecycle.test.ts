import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEMO_PASSWORD } from '../../src/server/modules/demo/seed-demo.js'
import { post, startServer } from './server-process.js'

// These start the real `aidly serve` process on embedded PGlite, whatever engine the suite runs on.
describe('the server process', () => {
  // Compiled, as `npm start` runs it; the second start runs from the sources, on the same data.
  it('creates the demo organization on first start, drains on SIGTERM, and keeps data across restarts', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'aidly-proc-'))
    const first = await startServer(dataDir, {}, { built: true })
    expect(first.output()).toMatch(/Demo organization \\?"Acme Support\\?" created/)
    expect(first.output()).toMatch(/admin@acme\.example/)
    const demo = await post(`${first.url}/api/v1/auth/login`, { email: 'admin@acme.example', password: DEMO_PASSWORD })
    expect(demo.status).toBe(200)
    // The compiled server finds the web app (dist/web) as the sources do.
    const page = await fetch(`${first.url}/tickets`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<div id="root">')
    const reg = await post(`${first.url}/api/v1/auth/register`, { organization: 'Durable Inc', name: 'D', email: 'd@durable.test', password: 'durable password' })
    expect(reg.status).toBe(201)
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)
    expect(first.output()).toMatch(/shut down cleanly/)

    const second = await startServer(dataDir)
    try {
      expect(second.output()).not.toMatch(/Demo organization \\?"Acme Support\\?" created/)
      const again = await post(`${second.url}/api/v1/auth/login`, { email: 'd@durable.test', password: 'durable password' })
      expect(again.status).toBe(200)
      expect(again.json.data.organization.name).toBe('Durable Inc')
    } finally {
      second.child.kill('SIGTERM')
      await second.exited
    }
  }, 120_000)

  it('survives kill -9 in the middle of writes: everything acknowledged is there after restart', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'aidly-kill-'))
    const server = await startServer(dataDir, { AIDLY_DEMO: '0', AIDLY_AUTH_RATE_LIMIT: '100000' })
    const acknowledged: string[] = []
    let stop = false
    const writer = (async () => {
      for (let i = 0; !stop && i < 500; i++) {
        const email = `w${i}@kill.test`
        try {
          const res = await post(`${server.url}/api/v1/auth/register`, { organization: `Kill ${i}`, name: 'K', email, password: 'kill test password' })
          if (res.status === 201) acknowledged.push(email)
        } catch {
          return
        }
      }
    })()
    await new Promise((r) => setTimeout(r, 2500))
    server.child.kill('SIGKILL')
    stop = true
    await writer
    await server.exited
    expect(acknowledged.length).toBeGreaterThan(0)

    const restarted = await startServer(dataDir, { AIDLY_DEMO: '0', AIDLY_AUTH_RATE_LIMIT: '100000' })
    try {
      const health = await fetch(`${restarted.url}/api/health`)
      expect(health.status).toBe(200)
      for (const email of acknowledged) {
        const res = await post(`${restarted.url}/api/v1/auth/login`, { email, password: 'kill test password' })
        expect(res.status, email).toBe(200)
      }
    } finally {
      restarted.child.kill('SIGTERM')
      await restarted.exited
    }
  }, 120_000)

  it('refuses to start on a bad configuration value, naming it', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'aidly-badcfg-'))
    await expect(startServer(dataDir, { PORT: 'eighty' })).rejects.toThrow(/Configuration error: PORT must be a whole number/)
  }, 60_000)
})
