import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // test/e2e drives the built web app in Chromium against a real server process (skipped without
    // /usr/bin/chromium, failed under CI=true); it runs in `npm test` next to everything else.
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
  },
})
