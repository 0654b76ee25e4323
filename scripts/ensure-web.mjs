#!/usr/bin/env node
// Builds the web app (src/web → dist/web) with Vite when the build is missing or older than its
// sources, so `npm start` always serves a current UI. Prints one line; exits 1 if the build fails.
import { existsSync, readdirSync, statSync } from 'node:fs'
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

const builtAt = existsSync(output) ? statSync(output).mtimeMs : 0
const sourcesAt = Math.max(...inputs.map(newest))

if (builtAt > 0 && builtAt >= sourcesAt) {
  console.log(`web: ${relative(root, dirname(output))} is up to date`)
  process.exit(0)
}

const started = Date.now()
try {
  const { build } = await import('vite')
  await build({ configFile: join(root, 'vite.config.ts'), root: join(root, 'src/web'), logLevel: 'error' })
  console.log(`web: built ${relative(root, dirname(output))} in ${Date.now() - started} ms`)
} catch (error) {
  console.error(`web: build failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}
