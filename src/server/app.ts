import { existsSync } from 'node:fs'
import path from 'node:path'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import fastifyStatic from '@fastify/static'
import websocket from '@fastify/websocket'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { Redis } from 'ioredis'
import pino from 'pino'
import { Ajv, type Options as AjvOptions } from 'ajv'
import formats from 'ajv-formats'
import { deriveKey } from './platform/auth/crypto.js'
import { gate } from './platform/auth/actor.js'
import { CacheBus, setCacheTtl } from './platform/shared-cache.js'
import { authenticate } from './platform/auth/authenticate.js'
import { AccessTokens } from './platform/auth/jwt.js'
import type { Config } from './platform/config.js'
import type { AppContext, BackgroundService } from './platform/context.js'
import { openDatabase, type Database } from './platform/db/engine.js'
import { migrateToLatest } from './platform/db/migrate.js'
import { registerErrorHandling } from './platform/error-handler.js'
import { AppError } from './platform/errors.js'
import { uuidv7 } from './platform/ids.js'
import { FileStore } from './platform/files.js'
import { Mailer } from './platform/mailer.js'
import { registerObservability } from './platform/observability.js'
import { OutboxDispatcher } from './platform/outbox.js'
import { MemoryRateLimiter, RedisRateLimiter } from './platform/rate-limit.js'
import { RealtimeHub } from './platform/realtime.js'
import { MODULES } from './modules/index.js'

export type App = FastifyInstance

export interface BuildOptions {
  /** Use this database instead of opening one from the config (tests share one per file). */
  database?: Database
  /** Start the outbox dispatcher's timer (off in tests, which call `drain()`). */
  startWorkers?: boolean
  /** Read mailboxes and listen for SMTP (role mail or all). */
  startMail?: boolean
  logger?: pino.Logger
}

function realtimeToken(url: string): string | undefined {
  if (!url.startsWith('/api/v1/realtime?')) return undefined
  const token = new URLSearchParams(url.slice(url.indexOf('?') + 1)).get('access_token')
  return token ? `Bearer ${token}` : undefined
}

const WEB_DIR = path.resolve(import.meta.dirname, '../../dist/web')

/**
 * Request validation with two Ajv instances. The query string, path and headers arrive as text,
 * so their values are converted to the schema's types (`?limit=25`, a single value as a list).
 * JSON bodies arrive typed and are taken as they are: converting there turned a `null` sent to
 * clear a nullable text field into `""` (the first type of the union that accepts it), and a
 * `"5"` into a number the client never sent.
 */
function useValidators(app: FastifyInstance): void {
  const base: AjvOptions = { removeAdditional: false, useDefaults: true, allErrors: false }
  const converting = new Ajv({ ...base, coerceTypes: 'array' })
  const exact = new Ajv({ ...base, coerceTypes: false })
  // ajv-formats is CommonJS: its plugin is the default export's default.
  for (const ajv of [converting, exact]) formats.default(ajv)
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? exact : converting).compile(schema))
}

/**
 * Builds the Fastify app — database opened and migrated, every module registered — without
 * listening. `aidly serve` listens on it; tests call `app.inject()`.
 */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  // People at a terminal get readable lines; anything else (files, log shippers) gets JSON.
  const log = options.logger ?? (process.stdout.isTTY && !process.env.VITEST
    ? pino({ level: config.logLevel, transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } } })
    : pino({ level: config.logLevel }))
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: () => uuidv7(),
    requestIdHeader: false,
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
  })
  useValidators(app)

  const database = options.database ?? await openDatabase({
    databaseUrl: config.databaseUrl, dataDir: config.dataDir,
    onIdleError: (err) => log.warn({ err }, 'database: an idle connection was closed by the server; it will be replaced'),
  })
  const applied = await migrateToLatest(database.db)
  if (applied.length) log.info({ applied }, 'migrations applied')
  setCacheTtl(config.cacheSeconds)
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false }) : null
  redis?.on('error', (err) => log.warn({ err }, 'redis error'))

  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    tokens: new AccessTokens(deriveKey(config.secret, 'jwt'), config.accessTokenTtlSeconds),
    cacheBus: redis ? new CacheBus(redis, log) : null,
    limiter: redis ? new RedisRateLimiter(redis) : new MemoryRateLimiter(),
    mailer: new Mailer(config.smtpUrl, config.mailFrom, log),
    files: new FileStore(path.join(config.dataDir, 'files')),
    outbox: new OutboxDispatcher(database.db, log),
    realtime: new RealtimeHub(redis, config.redisUrl, log),
    secretsKey: deriveKey(config.secret, 'secrets-at-rest'),
    emailTokenKey: deriveKey(config.secret, 'email-reply-token'),
    redis,
    log,
    services: [],
    routes: [],
  }
  app.decorate('ctx', ctx)
  app.decorateRequest('actor', null)
  app.decorateRequest('authError', null)

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id)
    // Browsers cannot set headers on a WebSocket: the realtime endpoint also takes ?access_token=.
    const header = req.headers.authorization ?? realtimeToken(req.url)
    if (!header) return
    const match = /^Bearer\s+(\S+)$/i.exec(header)
    if (!match?.[1]) {
      req.authError = new AppError('unauthorized', 'Use "Authorization: Bearer <token>".')
      return
    }
    try {
      req.actor = await authenticate(ctx.db, ctx.tokens, match[1])
    } catch (error) {
      if (error instanceof AppError) req.authError = error
      else throw error
    }
  })
  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff')
    reply.header('referrer-policy', 'same-origin')
    reply.header('x-frame-options', 'DENY')
  })

  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue
      ctx.routes.push({ method, url: route.url, public: route.config?.public === true, user: route.config?.user === true, permission: route.config?.permission ?? [] })
    }
  })
  app.addHook('preValidation', async (req) => {
    // Unmatched URLs have no route url: they fall through to the 404 handler.
    if (!req.is404 && req.url.startsWith('/api/v1/')) gate(req)
  })

  registerErrorHandling(app)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Aidly API', version: '1.0.0', description: 'Multi-tenant customer-support helpdesk. Conventions: docs/api.md.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Access token or API key' } } },
      security: [{ bearer: [] }],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs' })
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  registerObservability(app)

  await app.register(websocket, { options: { maxPayload: 64 * 1024 } })
  for (const mod of MODULES) await app.register(mod, { prefix: '/api/v1' })

  if (existsSync(path.join(WEB_DIR, 'index.html'))) {
    await app.register(fastifyStatic, { root: WEB_DIR, wildcard: false, index: ['index.html'] })
    app.get('/*', { schema: { hide: true }, config: { public: true } }, async (req, reply) => {
      const pathname = req.url.split('?')[0] ?? ''
      if (pathname.startsWith('/api/')) throw new AppError('not_found', `No route for GET ${pathname}.`)
      if (/\.[a-z0-9]+$/i.test(pathname)) {
        // A file built after the server started (a rebuild): served if it is inside the build folder; otherwise a real 404.
        let file = ''
        try {
          file = path.resolve(WEB_DIR, `.${decodeURIComponent(pathname)}`)
        } catch {
          // A malformed %-escape names no file.
        }
        if (file.startsWith(WEB_DIR + path.sep) && existsSync(file)) return reply.sendFile(path.relative(WEB_DIR, file))
        throw new AppError('not_found', `No route for GET ${pathname}.`)
      }
      // Other paths are the web app's own routes.
      return reply.sendFile('index.html', { maxAge: 0 })
    })
  }

  app.addHook('onClose', async () => {
    for (const service of [...started].reverse()) await service.stop()
    await ctx.outbox.stop()
    ctx.realtime.close()
    ctx.cacheBus?.close()
    ctx.mailer.close()
    redis?.disconnect()
    if (!options.database) await database.close()
  })
  const started: BackgroundService[] = []
  if (options.startWorkers) ctx.outbox.start()
  for (const service of ctx.services) {
    if ((service.role === 'worker' && options.startWorkers) || (service.role === 'mail' && options.startMail)) {
      await service.start()
      started.push(service)
    }
  }
  await app.ready()
  return app
}
