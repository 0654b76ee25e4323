import type { Kysely } from 'kysely'
import { runScript } from '../sql-script.js'

/**
 * Search reads the most recent matching comments (ticket-lists/search-tickets.ts: CANDIDATES of
 * them) newest first along this index, stopping once it has enough, instead of reading every
 * matching comment of every organization through the full-text index and sorting them — for a
 * common word that was a third of the search's time at 100,000 tickets and grew with the table
 * (checked with bench/explain-tickets.ts).
 * Frozen: change the schema in a new migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `
    CREATE INDEX comments_recent ON comments (tenant_id, created_at DESC) WHERE deleted_at IS NULL;
  `)
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only')
}
