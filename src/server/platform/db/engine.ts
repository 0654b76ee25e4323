import { createHash } from 'node:crypto'
import { AsyncLocalStorage } from 'node:async_hooks'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { CompiledQuery, Kysely, PGliteDialect, PostgresDialect, type DatabaseConnection, type Dialect, type Driver, type QueryResult, type TransactionSettings } from 'kysely'
import pg from 'pg'
import type { DB } from './schema.js'

export type Engine = 'pglite' | 'postgres'

export interface Database {
  db: Kysely<DB>
  engine: Engine
  /** Where PGlite keeps its files, or the server URL without the password. */
  location: string
  close(): Promise<void>
}

// Dates come back as strings everywhere (timestamptz as ISO text), the same on both engines.
pg.types.setTypeParser(1184, (v: string) => new Date(v).toISOString())
pg.types.setTypeParser(1114, (v: string) => new Date(`${v}Z`).toISOString())
pg.types.setTypeParser(20, (v: string) => Number(v))

/**
 * Opens the database: PGlite under `<dataDir>/pg` (or in memory for `memory://`), or a PostgreSQL
 * server for a `postgres://` URL.
 */
export async function openDatabase(opts: { databaseUrl: string | undefined; dataDir: string; poolSize?: number; onIdleError?: (error: Error) => void }): Promise<Database> {
  if (opts.databaseUrl && opts.databaseUrl !== 'memory://') {
    // JIT compilation is for long analytical queries: on a helpdesk's short ones it only adds
    // tens of milliseconds of compiling when PostgreSQL's cost estimate is high (a search over a
    // million tickets spent 43 ms of its 200 compiling).
    const pool = preparing(new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 20, options: '-c jit=off' }))
    // An idle connection the server ends (a restart, a failover, pg_terminate_backend) is dropped by
    // the pool and replaced on the next query; without a listener its error would crash the process.
    pool.on('error', (error) => opts.onIdleError?.(error))
    const db = new Kysely<DB>({ dialect: lazyBegin(new PostgresDialect({ pool })) })
    SESSION_FRAMES.add(db)
    const url = new URL(opts.databaseUrl)
    url.password = ''
    return { db, engine: 'postgres', location: url.toString(), close: () => db.destroy() }
  }
  let dataDir: string | undefined
  if (opts.databaseUrl !== 'memory://') {
    dataDir = path.join(opts.dataDir, 'pg')
    mkdirSync(dataDir, { recursive: true })
  }
  const pglite = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    extensions: { pg_trgm },
    parsers: {
      1184: (v: string) => new Date(v).toISOString(),
      1114: (v: string) => new Date(`${v}Z`).toISOString(),
      20: (v: string) => Number(v),
    },
  })
  const db = new Kysely<DB>({ dialect: serialized(new PGliteDialect({ pglite })) })
  return { db, engine: 'pglite', location: dataDir ?? 'memory', close: () => db.destroy() }
}

const PREPARED = Symbol('aidly.prepared')
/** Distinct statements one connection keeps prepared; past this, new ones run unprepared. */
const MAX_PREPARED = 2000

/**
 * Runs every parameterized statement as a named prepared statement (named by a hash of its text),
 * so PostgreSQL parses and plans each distinct statement once per connection instead of on every
 * call — the ticket read model joins eight tables under row-level security, and planning it cost
 * more than running it. Statements without parameters (BEGIN, COMMIT, migration scripts with
 * several commands) run as they are.
 */
function preparing(pool: pg.Pool): pg.Pool {
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>
  const wrapped = async (): Promise<pg.PoolClient> => {
    const client = await connect()
    const marked = client as pg.PoolClient & { [PREPARED]?: Map<string, number> }
    if (!marked[PREPARED]) {
      // Statement hash → version. A schema change under a prepared statement (a deploy that adds
      // a column) fails it once with "cached plan must not change result type"; the next use
      // prepares it afresh under a new name (the transaction is retried, see tenant.ts).
      const names = new Map<string, number>()
      marked[PREPARED] = names
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>
      ;(client as unknown as { query: (...args: unknown[]) => unknown }).query = (text: unknown, values?: unknown, ...rest: unknown[]) => {
        if (typeof text === 'string' && Array.isArray(values) && values.length > 0 && rest.length === 0) {
          const hash = statementHash(text)
          const version = names.get(hash) ?? (names.size < MAX_PREPARED ? 0 : -1)
          if (version >= 0) {
            names.set(hash, version)
            return query({ name: `k${hash}${version}`, text, values }).catch((error: unknown) => {
              if ((error as { code?: string }).code === STALE_PLAN) names.set(hash, version + 1)
              throw error
            })
          }
        }
        // Several statements in one simple query (see LazyBeginDriver) answer with one result
        // each; the caller wants the last.
        const result = query(text, values, ...rest)
        return result instanceof Promise ? result.then((r: unknown) => (Array.isArray(r) ? r.at(-1) : r)) : result
      }
    }
    return client
  }
  ;(pool as unknown as { connect: typeof wrapped }).connect = wrapped
  return pool
}

/** Statement text → its name's hash, remembered: the same few hundred texts come back on every request. */
const HASHES = new Map<string, string>()
function statementHash(text: string): string {
  let hash = HASHES.get(text)
  if (hash === undefined) {
    hash = createHash('sha1').update(text).digest('base64url').slice(0, 22)
    if (HASHES.size < 10 * MAX_PREPARED) HASHES.set(text, hash)
  }
  return hash
}

/** feature_not_supported, as PostgreSQL raises "cached plan must not change result type". */
export const STALE_PLAN = '0A000'

/**
 * PGlite has one connection, and Kysely's PGlite driver hands it to every caller at once: a query
 * issued while another request's transaction is open would run inside that transaction, under that
 * request's tenant. This wrapper makes callers take turns: a connection is held from acquire to
 * release, so a transaction owns the engine until it commits.
 */
function serialized(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => new SerializedDriver(dialect.createDriver()),
  }
}

class SerializedDriver implements Driver {
  #queue: Promise<void> = Promise.resolve()
  #release: (() => void) | undefined

  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init()
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#queue
    let release!: () => void
    this.#queue = new Promise<void>((resolve) => { release = resolve })
    await previous
    this.#release = release
    return this.inner.acquireConnection()
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.inner.releaseConnection(connection)
    const release = this.#release
    this.#release = undefined
    release?.()
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings)
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection)
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection)
  }

  destroy(): Promise<void> {
    return this.inner.destroy()
  }
}

/**
 * Saves a round trip per transaction on a PostgreSQL server: BEGIN is not sent on its own but
 * together with the transaction's first statement when that statement has no parameters — as the
 * tenant frame has (tenant.ts) — in one simple query (`begin; <statement>`). A transaction
 * that runs no statement sends nothing at all. Transactions with an isolation level or access
 * mode begin as before. PGlite runs in-process, where a round trip costs next to nothing, and
 * its driver does not take several statements at once, so it is left as it is.
 */
function lazyBegin(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => new LazyBeginDriver(dialect.createDriver()),
  }
}

const BEGIN_PENDING = Symbol('aidly.beginPending')
const PATCHED = Symbol('aidly.lazyBegin')
/** The session-level frame a pooled connection is in: FRAME_NONE (owner, no tenant), a framing statement, or unknown after a failure. */
const FRAME = Symbol('aidly.frame')
const FRAME_NONE = ''
const FRAME_UNKNOWN = '?'
/**
 * A frame change sent together with a transaction's BEGIN: PostgreSQL runs the statements of one
 * simple query before its BEGIN inside that transaction, so the change holds only if it commits.
 */
const FRAME_IF_COMMITTED = Symbol('aidly.frameIfCommitted')
type Lazy = DatabaseConnection & { [BEGIN_PENDING]?: boolean; [PATCHED]?: boolean; [FRAME]?: string; [FRAME_IF_COMMITTED]?: string }

/** Databases (PostgreSQL servers) whose connections can keep a tenant frame between uses. */
const SESSION_FRAMES = new WeakSet<object>()
/**
 * The read under way: its frame, and the one connection it was given. Anything else that runs in
 * its async context (a promise it started that outlives it, another connection) gets no frame.
 */
const wantedFrame = new AsyncLocalStorage<{ framing: string; open: boolean; connection?: DatabaseConnection }>()
const RESET_FRAME = "RESET ROLE; SELECT set_config('app.tenant_id', '', false), set_config('app.user_id', '', false)"

/** Whether `db` can run reads in a session-level tenant frame (runInSessionFrame); PGlite and wrapped instances cannot. */
export function supportsSessionFrames(db: object): boolean {
  return SESSION_FRAMES.has(db)
}

/**
 * Runs `fn` with its statements in the session-level frame `framing` (a statement of
 * session-level set_config calls, see tenant.ts), without a transaction: each statement commits
 * on its own. A pooled connection keeps its frame when released, so the next read of the same
 * person finds it ready and sends its statement alone — one round trip. Any other use of a
 * connection (a transaction, a system query) first resets a frame it finds, in the same round
 * trip as its BEGIN where it can.
 */
export async function runInSessionFrame<T>(framing: string, fn: () => Promise<T>): Promise<T> {
  const read = { framing, open: true }
  try {
    return await wantedFrame.run(read, fn)
  } finally {
    read.open = false
  }
}

class LazyBeginDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  init(): Promise<void> {
    return this.inner.init()
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection() as Lazy
    if (!connection[PATCHED]) {
      // The driver keeps one connection object per pooled client, so this runs once per client.
      connection[PATCHED] = true
      const execute = connection.executeQuery.bind(connection)
      connection.executeQuery = async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        // Ending a transaction changes no frame: it must reach the server as it is.
        if (query.sql === 'commit' || query.sql === 'rollback') return execute<R>(query)
        const read = wantedFrame.getStore()
        const want = read?.open && read.connection === connection ? read.framing : FRAME_NONE
        const changes = (connection[FRAME_IF_COMMITTED] ?? connection[FRAME] ?? FRAME_NONE) !== want
        const begins = connection[BEGIN_PENDING] === true
        connection[BEGIN_PENDING] = false
        if (!changes && !begins) return execute<R>(query)
        const prefix = `${changes ? `${want || RESET_FRAME}; ` : ''}${begins ? 'begin; ' : ''}`
        // Until the statement that sets it has succeeded (and, with a BEGIN, committed), the frame is not known.
        if (changes) connection[FRAME] = FRAME_UNKNOWN
        const settled = () => { if (changes) connection[begins ? FRAME_IF_COMMITTED : FRAME] = want }
        if (query.parameters.length === 0) {
          const result = await execute<R>(CompiledQuery.raw(prefix + query.sql))
          settled()
          return result
        }
        await execute(CompiledQuery.raw(prefix))
        settled()
        return execute<R>(query)
      }
    }
    connection[BEGIN_PENDING] = false
    connection[FRAME_IF_COMMITTED] = undefined
    const read = wantedFrame.getStore()
    if (read?.open && !read.connection) read.connection = connection
    return connection
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection)
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (settings.isolationLevel || settings.accessMode) return this.inner.beginTransaction(connection, settings)
    ;(connection as Lazy)[BEGIN_PENDING] = true
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const lazy = connection as Lazy
    const ifCommitted = lazy[FRAME_IF_COMMITTED]
    lazy[FRAME_IF_COMMITTED] = undefined
    if (this.#settle(connection)) return
    await this.inner.commitTransaction(connection)
    if (ifCommitted !== undefined) lazy[FRAME] = ifCommitted
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // A frame change made with this transaction's BEGIN is undone with it: the frame stays unknown.
    ;(connection as Lazy)[FRAME_IF_COMMITTED] = undefined
    if (!this.#settle(connection)) return this.inner.rollbackTransaction(connection)
  }

  /** True when the transaction never began on the server, so there is nothing to end. */
  #settle(connection: DatabaseConnection): boolean {
    const pending = (connection as Lazy)[BEGIN_PENDING] === true
    ;(connection as Lazy)[BEGIN_PENDING] = false
    return pending
  }

  destroy(): Promise<void> {
    return this.inner.destroy()
  }
}
