import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration'
import type { Tx } from './schema.js'
import * as m0001 from './migrations/2026-11-21-0001-foundation.js'
import * as m0002 from './migrations/2026-11-22-0002-helpdesk-core.js'
import * as m0005 from './migrations/2026-11-22-0005-contacts.js'
import * as m0006 from './migrations/2026-11-22-0006-ticket-lists.js'
import * as m0007 from './migrations/2026-11-22-0007-email.js'
import * as m0008 from './migrations/2026-11-22-0008-notifications-portal.js'
import * as m0009 from './migrations/2026-11-22-0009-search-speed.js'
import * as m0010 from './migrations/2026-12-07-0010-activity-feed.js'
import * as m0011 from './migrations/2026-12-07-0011-list-ranges.js'

/** Every migration, in order. New files are appended here; landed ones are never edited. */
const MIGRATIONS: Record<string, Migration> = {
  '2026-11-21-0001-foundation': m0001,
  '2026-11-22-0002-helpdesk-core': m0002,
  '2026-11-22-0005-contacts': m0005,
  '2026-11-22-0006-ticket-lists': m0006,
  '2026-11-22-0007-email': m0007,
  '2026-11-22-0008-notifications-portal': m0008,
  '2026-11-22-0009-search-speed': m0009,
  '2026-12-07-0010-activity-feed': m0010,
  '2026-12-07-0011-list-ranges': m0011,
}

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS
  }
}

/** Applies pending migrations; returns the names applied. Throws with the failing name. */
export async function migrateToLatest(db: Tx): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(), migrationTableName: 'aidly_migrations', migrationLockTableName: 'aidly_migrations_lock' })
  const { error, results = [] } = await migrator.migrateToLatest()
  const failed = results.find((r) => r.status === 'Error')
  if (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${reason}`, { cause: error })
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
