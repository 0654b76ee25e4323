import type { Kysely } from 'kysely'
import { runScript } from '../sql-script.js'

/**
 * What the ticket list, search, stats and saved views need beyond the helpdesk-core indexes
 * (checked with bench/explain-tickets.ts on 100,000 tickets):
 *
 * - Sort indexes for priority (urgent > high > medium > low) and due date (tickets without one
 *   last in both directions); the expressions are the ones `ticket-lists/sorting.ts` orders by.
 * - Tickets by category (the category filter, sub-categories included).
 * - `tickets_live`: a narrow index of the live tickets (not deleted, not spam) with the columns
 *   the visibility rule, the status filters and the stats read, so totals and stats are
 *   index-only scans instead of reading every ticket row.
 * - `tenant_tickets` and `tenant_comments`: the current tenant's rows (`app_tenant_id()`, the
 *   same predicate as the row-level security policies) as plain views owned by the schema owner.
 *   Under row-level security PostgreSQL only lets a condition use an index when its operator is
 *   leakproof, and the containment and text-search operators (`@>`, `@@`) are not: as the app
 *   role, tag, custom-field and full-text conditions were checked row by row over a sequential
 *   scan of every ticket. Read through these views the same conditions use the GIN indexes. The
 *   list, search and stats choose ticket ids through them and read the rows they return through
 *   the read model on `tickets`, under row-level security as before. The app role may only
 *   SELECT from them.
 * Frozen: change the schema in a new migration.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `
    CREATE INDEX tickets_priority_order ON tickets
      (tenant_id, (CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END), id)
      WHERE deleted_at IS NULL;
    CREATE INDEX tickets_due_first ON tickets (tenant_id, COALESCE(due_at, 'infinity'::timestamptz), id) WHERE deleted_at IS NULL;
    CREATE INDEX tickets_due_last ON tickets (tenant_id, COALESCE(due_at, '-infinity'::timestamptz), id) WHERE deleted_at IS NULL;
    CREATE INDEX tickets_category ON tickets (tenant_id, category_id, updated_at DESC) INCLUDE (is_spam, assignee_id, team_id)
      WHERE deleted_at IS NULL AND category_id IS NOT NULL;
    CREATE INDEX tickets_live ON tickets (tenant_id, status_id, assignee_id, team_id) INCLUDE (priority, due_at)
      WHERE deleted_at IS NULL AND NOT is_spam;

    CREATE VIEW tenant_tickets AS SELECT t.* FROM tickets t WHERE t.tenant_id = app_tenant_id();
    CREATE VIEW tenant_comments AS SELECT c.* FROM comments c WHERE c.tenant_id = app_tenant_id();
    GRANT SELECT ON tenant_tickets, tenant_comments TO aidly_app;
  `)
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only')
}
