import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const fromRoot = (path: string): string => fileURLToPath(new URL(path, import.meta.url))

/** The API server that `npm start` runs; the dev and preview servers forward /api to it. */
const apiTarget = 'http://localhost:3000'

export default defineConfig({
  root: fromRoot('./src/web'),
  base: '/',
  // React's automatic JSX runtime through Vite's own oxc transform (no React plugin needed).
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: fromRoot('./dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    rolldownOptions: {
      onwarn(warning, defaultHandler) {
        // React Query and React Router mark modules "use client"; meaningless in a plain SPA.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return
        defaultHandler(warning)
      },
    },
  },
  server: { port: 5173, proxy: { '/api': apiTarget } },
  preview: { port: 4173, proxy: { '/api': apiTarget } },
})
