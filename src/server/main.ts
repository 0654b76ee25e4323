import { buildApp } from './app.js'
import type { Config } from './platform/config.js'
import { DEMO_PASSWORD, seedDemo } from './modules/demo/seed-demo.js'

export type Role = 'api' | 'worker' | 'mail' | 'all'

/**
 * Runs Aidly until SIGTERM/SIGINT, then drains: stop accepting, finish in-flight requests, stop
 * workers, close the database (PGlite flushes and closes its files cleanly).
 */
export async function serve(config: Config, role: Role): Promise<void> {
  const app = await buildApp(config, { startWorkers: role === 'all' || role === 'worker', startMail: role === 'all' || role === 'mail' })
  const log = app.ctx.log
  if (config.demo) {
    const created = await seedDemo(app.ctx)
    if (created) {
      log.info('Demo organization "Acme Support" created. Sign in at %s with any of these (password: %s):', config.publicUrl, DEMO_PASSWORD)
      for (const p of created) log.info('  %s  (%s)', p.email, p.role)
    }
  }
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    log.info({ signal }, 'shutting down: draining requests')
    const force = setTimeout(() => {
      log.error('shutdown took longer than 15 s; exiting')
      process.exit(1)
    }, 15_000)
    force.unref()
    app.close().then(() => {
      log.info('shut down cleanly')
      process.exit(0)
    }, (error: unknown) => {
      log.error({ err: error }, 'error during shutdown')
      process.exit(1)
    })
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
  if (role === 'worker' || role === 'mail') {
    log.info({ role, engine: app.ctx.database.engine }, 'Aidly worker running')
    return
  }
  await app.listen({ port: config.port, host: config.host })
  // PORT=0 takes any free port: emailed links must name the one taken (unless AIDLY_PUBLIC_URL says otherwise).
  const address = app.server.address()
  if (config.publicUrl === 'http://localhost:0' && address && typeof address === 'object') config.publicUrl = `http://localhost:${address.port}`
  log.info({ role, engine: app.ctx.database.engine, database: app.ctx.database.location }, `Aidly is running at ${config.publicUrl}`)
}
