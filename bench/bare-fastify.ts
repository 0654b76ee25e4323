/**
 * The HTTP reference of `npm run bench`: Fastify with one JSON route and nothing else — no
 * database, auth or hooks — started as a child process like the app, on PORT at 127.0.0.1.
 * What the load generator and Node's HTTP stack manage on this machine; read scenarios are
 * reported as a fraction of it.
 */
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/', async () => ({ success: true, data: { hello: 'world' } }))

const shutdown = () => { app.close().then(() => process.exit(0), () => process.exit(1)) }
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)

await app.listen({ port: Number(process.env.PORT ?? 3999), host: '127.0.0.1' })
