import type { Kysely } from 'kysely'
import { runScript } from '../sql-script.js'

/**
 * The staff dashboard's recent activity (modules/activity) reads an organization's newest
 * history entries newest first along this index and stops after a few thousand, instead of
 * sorting the whole history of a large organization on every dashboard load. Its comments come
 * the same way through comments_recent (0009).
 * Frozen: change the schema in a new migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `
    CREATE INDEX ticket_history_recent ON ticket_history (tenant_id, created_at DESC);
  `)
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only')
}
