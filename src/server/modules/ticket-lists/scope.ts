import type { CommentsTable, TicketsTable, Tx } from '../../platform/db/schema.js'

/**
 * The current organization's tickets and comments through the `tenant_tickets` and
 * `tenant_comments` views (migration 0006): the same rows row-level security allows, but with
 * every index usable — under RLS the GIN indexes (tags, custom fields, full text) are not,
 * because their operators are not leakproof. Lists, search and stats pick ticket ids here and
 * read what they show through the read model on `tickets`, under RLS. Reads only.
 */
export function tenantViews(tx: Tx) {
  return tx.withTables<{ tenant_tickets: TicketsTable; tenant_comments: CommentsTable }>()
}

/** The organization's tickets aliased `t`, for the filter engine and the visibility rule. */
export function scopedTickets(tx: Tx) {
  return tenantViews(tx).selectFrom('tenant_tickets as t')
}
