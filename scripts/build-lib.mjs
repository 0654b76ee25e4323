// What scripts/ensure-web.mjs and scripts/ensure-server.mjs share: "is this build older than its
// sources?" and one build at a time for a build directory (parallel test runs share dist/).
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Newest modification time (ms) of a file, or of any file under a directory. */
function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (!stat) return 0
  if (!stat.isDirectory()) return stat.mtimeMs
  let max = stat.mtimeMs
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)))
  return max
}

/** True when `output` exists and is at least as new as everything under `inputs`. */
export function upToDate(output, inputs) {
  const builtAt = existsSync(output) ? statSync(output).mtimeMs : 0
  return builtAt > 0 && builtAt >= Math.max(...inputs.map(newest))
}

/**
 * Builds `output` from `inputs` with `build` unless it is up to date, holding `dist/.<name>-build.lock`
 * meanwhile (waiting for another process's build, taking over a lock older than 3 minutes). Prints
 * one line; exits the process (1 when the build failed).
 */
export async function ensureBuilt(name, output, inputs, build) {
  const shown = output.slice(root.length + 1)
  if (upToDate(output, inputs)) {
    console.log(`${name}: ${shown} is up to date`)
    process.exit(0)
  }
  const lock = join(root, `dist/.${name}-build.lock`)
  mkdirSync(join(root, 'dist'), { recursive: true })
  for (;;) {
    try {
      mkdirSync(lock)
      break
    } catch {
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0
      if (Date.now() - since > 180_000) rmSync(lock, { recursive: true, force: true })
      else await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
  let failed = false
  try {
    if (upToDate(output, inputs)) {
      console.log(`${name}: ${shown} was built meanwhile`)
    } else {
      const started = Date.now()
      await build()
      console.log(`${name}: built ${shown} in ${Date.now() - started} ms`)
    }
  } catch (error) {
    console.error(`${name}: build failed: ${error instanceof Error ? error.message : String(error)}`)
    failed = true
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
  process.exit(failed ? 1 : 0)
}
