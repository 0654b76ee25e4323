import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'

const ROOT = path.resolve(import.meta.dirname, '../..')

export interface RunningServer {
  child: ChildProcess
  url: string
  output: () => string
  exited: Promise<number | null>
}

/**
 * Starts `aidly serve` as a real process on a free port with its own data dir (embedded PGlite):
 * from the TypeScript sources, or with `built` as `npm start` runs it, compiled
 * (scripts/ensure-server.mjs, then dist/server/aidly.mjs).
 */
export async function startServer(dataDir: string, env: Record<string, string> = {}, opts: { built?: boolean } = {}): Promise<RunningServer> {
  if (opts.built) execFileSync(process.execPath, ['scripts/ensure-server.mjs'], { cwd: ROOT, stdio: 'ignore' })
  const entry = opts.built ? ['dist/server/aidly.mjs'] : ['--import', 'tsx', 'src/cli/aidly.ts']
  const child = spawn(process.execPath, [...entry, 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', AIDLY_DATA_DIR: dataDir, LOG_LEVEL: 'info', AIDLY_SECRET: 'process-test-secret-0123456789-0123456789', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { out += d.toString() })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 45_000)
    const check = () => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    }
    child.stdout!.on('data', check)
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${out}`)) })
  })
  return { child, url, output: () => out, exited }
}

export async function post(url: string, body: unknown, token?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) })
  return { status: res.status, json: await res.json() }
}
