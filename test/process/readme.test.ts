import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { startServer } from './server-process.js'

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

describe('README', () => {
  it('leads with the two commands', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(README)![1]!
    expect(firstBlock).toContain('npm install && npm start')
    expect(firstBlock).toContain('npm install && npm test')
  })

  it('has curl examples for register, login, me and an inbound email that work as written', async () => {
    const block = /```sh\n(curl -s http:\/\/localhost:3000\/api\/v1\/auth\/register[\s\S]*?)```/.exec(README)?.[1]
    expect(block, 'the curl block').toBeDefined()
    const emailBlock = /```sh\n(curl -s http:\/\/localhost:3000\/api\/v1\/email\/accounts[\s\S]*?)```/.exec(README)?.[1]
    expect(emailBlock, 'the email curl block').toBeDefined()
    const server = await startServer(mkdtempSync(path.join(tmpdir(), 'aidly-readme-')), { AIDLY_DEMO: '0' })
    try {
      // Only the port differs from the README: the test server listens on a free one.
      const script = `set -euo pipefail\n${block!.replaceAll('http://localhost:3000', server.url)}`
      const out = execFileSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000 })
      // curl prints no newline: the last response starts at the last envelope.
      const me = JSON.parse(out.slice(out.lastIndexOf('{"success"')))
      expect(me).toMatchObject({ success: true, data: { user: { email: 'grace@globex.example', role: 'admin' }, organization: { name: 'Globex' } } })
      // The email block runs in the same shell as the first ($TOKEN); the organization exists already, so register answers 409 there.
      const both = `set -euo pipefail\n${`${block!}\n${emailBlock!}`.replaceAll('http://localhost:3000', server.url)}`
      const mailOut = execFileSync('bash', ['-c', both], { encoding: 'utf8', timeout: 60_000 })
      const inbound = JSON.parse(mailOut.slice(mailOut.lastIndexOf('{"success"')))
      expect(inbound).toMatchObject({ success: true, data: { status: 'processed', outcome: 'ticket_created', ticket_id: expect.any(String) } })
    } finally {
      server.child.kill('SIGTERM')
      await server.exited
    }
  }, 90_000)
})
