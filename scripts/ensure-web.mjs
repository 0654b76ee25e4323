#!/usr/bin/env node
// Builds the web app (src/web → dist/web) with Vite when the build is missing or older than its
// sources, so `npm start` always serves a current UI. Prints one line; exits 1 if the build fails.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const output = join(root, 'dist/web/index.html')
const inputs = [join(root, 'src/web'), join(root, 'vite.config.ts')]

/** Newest modification time (ms) of a file, or of any file under a directory. */
function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (!stat) return 0
  if (!stat.isDirectory()) return stat.mtimeMs
  let max = stat.mtimeMs
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)))
  return max
}

const lock = join(root, 'dist/.web-build.lock')

/** One build at a time (parallel test runs share dist/web): waits for another build's lock, taking over one older than 3 minutes. */
async function acquireLock() {
  mkdirSync(join(root, 'dist'), { recursive: true })
  for (;;) {
    try {
      mkdirSync(lock)
      return
    } catch {
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0
      if (Date.now() - since > 180_000) rmSync(lock, { recursive: true, force: true })
      else await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}

const upToDate = () => {
  const builtAt = existsSync(output) ? statSync(output).mtimeMs : 0
  return builtAt > 0 && builtAt >= Math.max(...inputs.map(newest))
}

if (upToDate()) {
  console.log(`web: ${relative(root, dirname(output))} is up to date`)
  process.exit(0)
}

await acquireLock()
let failed = false
try {
  if (upToDate()) {
    console.log(`web: ${relative(root, dirname(output))} was built meanwhile`)
  } else {
    const started = Date.now()
    // A production build whoever calls it: under a test runner NODE_ENV is "test", and Vite would
    // then bundle React's development build (larger and several times slower).
    process.env.NODE_ENV = 'production'
    const { build } = await import('vite')
    // Earlier chunks stay: a page that a running server handed out before this build still loads its code.
    await build({ configFile: join(root, 'vite.config.ts'), root: join(root, 'src/web'), mode: 'production', logLevel: 'error', build: { emptyOutDir: false } })
    console.log(`web: built ${relative(root, dirname(output))} in ${Date.now() - started} ms`)
  }
} catch (error) {
  console.error(`web: build failed: ${error instanceof Error ? error.message : String(error)}`)
  failed = true
} finally {
  rmSync(lock, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
