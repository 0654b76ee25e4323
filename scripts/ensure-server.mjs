#!/usr/bin/env node
// Compiles the server and CLI (src/cli, src/server, src/shared → dist/server/aidly.mjs, one ES
// module; packages stay in node_modules) with esbuild when the build is missing or older than its
// sources. `npm start` runs it: compiled JavaScript starts faster and holds about 85 MB less
// memory than the TypeScript loader (docs/decisions/0011-compiled-server.md). Prints one line;
// exits 1 if the build fails.
import { join } from 'node:path'
import { ensureBuilt, root } from './build-lib.mjs'

const src = (dir) => join(root, 'src', dir)
await ensureBuilt('server', join(root, 'dist/server/aidly.mjs'), [src('cli'), src('server'), src('shared'), join(root, 'package.json')], async () => {
  const { build } = await import('esbuild')
  await build({
    entryPoints: [src('cli/aidly.ts')],
    outfile: join(root, 'dist/server/aidly.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // Not loaded by default; `node --enable-source-maps dist/server/aidly.mjs` maps stack traces to the sources.
    sourcemap: 'external',
    logLevel: 'error',
  })
})
