import pg from 'pg'
import type { TestProject } from 'vitest/node'

/**
 * With TEST_DATABASE_URL (or DATABASE_URL) set, the suite runs on that PostgreSQL server in a fresh
 * database made for this run and dropped after it. Without, every test file gets an in-memory PGlite.
 * Under CI=true a configured server that cannot be reached fails the run instead of skipping.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL
  if (!serverUrl || serverUrl === 'memory://') {
    project.provide('databaseUrl', 'memory://')
    return async () => {}
  }
  const name = `aidly_test_${process.pid}_${Date.now()}`
  const admin = new pg.Client({ connectionString: serverUrl })
  try {
    await admin.connect()
  } catch (error) {
    throw new Error(`PostgreSQL at ${serverUrl} is not reachable: ${(error as Error).message}`, { cause: error })
  }
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  // Migrate once here, so test files do not race to apply the same migration.
  const { openDatabase } = await import('../src/server/platform/db/engine.js')
  const { migrateToLatest } = await import('../src/server/platform/db/migrate.js')
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: '' })
  await migrateToLatest(database.db)
  await database.close()
  project.provide('databaseUrl', url.toString())
  return async () => {
    const client = new pg.Client({ connectionString: serverUrl })
    await client.connect()
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await client.end()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
  }
}
