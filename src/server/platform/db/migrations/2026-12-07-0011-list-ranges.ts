import type { Kysely } from 'kysely'
import { runScript } from '../sql-script.js'

/**
 * Lists filtered by status and priority read a page as a merge of index ranges, one per
 * (status, priority) pair, each already in the sort's order (ticket-lists/combinations.ts).
 * One index per indexed sort: update and creation time (either direction: a btree reads both
 * ways) and the due date, soonest first with tickets without one last (the "Overdue" view's
 * order; the expression is the one ticket-lists/sorting.ts orders by). Only live tickets, as
 * the lists show by default.
 *
 * On an existing large organization each index takes a few seconds to build (about 5 s per
 * million tickets on the 2-CPU dev VM), during which ticket writes wait.
 * Frozen: change the schema in a new migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `
    CREATE INDEX tickets_list_updated ON tickets (tenant_id, status_id, priority, updated_at DESC, id DESC)
      WHERE deleted_at IS NULL AND NOT is_spam;
    CREATE INDEX tickets_list_created ON tickets (tenant_id, status_id, priority, created_at DESC, id DESC)
      WHERE deleted_at IS NULL AND NOT is_spam;
    CREATE INDEX tickets_list_due ON tickets (tenant_id, status_id, priority, COALESCE(due_at, 'infinity'::timestamptz), id)
      WHERE deleted_at IS NULL AND NOT is_spam;
  `)
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only')
}
