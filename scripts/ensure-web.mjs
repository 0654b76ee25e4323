#!/usr/bin/env node
// Builds the web app (src/web → dist/web) with Vite when the build is missing or older than its
// sources, so `npm start` always serves a current UI. Prints one line; exits 1 if the build fails.
import { join } from 'node:path'
import { ensureBuilt, root } from './build-lib.mjs'

await ensureBuilt('web', join(root, 'dist/web/index.html'), [join(root, 'src/web'), join(root, 'vite.config.ts')], async () => {
  // A production build whoever calls it: under a test runner NODE_ENV is "test", and Vite would
  // then bundle React's development build (larger and several times slower).
  process.env.NODE_ENV = 'production'
  const { build } = await import('vite')
  // Earlier chunks stay: a page that a running server handed out before this build still loads its code.
  await build({ configFile: join(root, 'vite.config.ts'), root: join(root, 'src/web'), mode: 'production', logLevel: 'error', build: { emptyOutDir: false } })
})
