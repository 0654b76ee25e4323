import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { Registry, collectDefaultMetrics, Histogram, Counter } from 'prom-client'
import { Type } from 'typebox'

/** `/api/health` (database and Redis checks, 503 when one is down) and `/metrics` (Prometheus). */
export function registerObservability(app: FastifyInstance): void {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'aidly_' })
  const duration = new Histogram({
    name: 'aidly_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  const errors = new Counter({
    name: 'aidly_http_errors_total',
    help: 'Responses with status >= 500',
    labelNames: ['route'] as const,
    registers: [registry],
  })

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched'
    duration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000)
    if (reply.statusCode >= 500) errors.inc({ route })
  })

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.type(registry.contentType)
    return registry.metrics()
  })

  app.get('/api/health', {
    schema: {
      tags: ['system'],
      summary: 'Liveness and dependency checks',
      response: {
        200: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()), engine: Type.String() }),
        503: Type.Object({ status: Type.String(), checks: Type.Record(Type.String(), Type.String()), engine: Type.String() }),
      },
    },
  }, async (_req, reply) => {
    const checks: Record<string, string> = {}
    try {
      await sql`SELECT 1`.execute(app.ctx.db)
      checks.database = 'ok'
    } catch {
      checks.database = 'down'
    }
    if (app.ctx.redis) {
      try {
        await app.ctx.redis.ping()
        checks.redis = 'ok'
      } catch {
        checks.redis = 'down'
      }
    }
    const healthy = Object.values(checks).every((c) => c === 'ok')
    reply.status(healthy ? 200 : 503)
    return { status: healthy ? 'ok' : 'degraded', checks, engine: app.ctx.database.engine }
  })
}
