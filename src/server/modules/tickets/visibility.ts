import { sql, type Expression, type SqlBool } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'

/**
 * Which tickets an actor may see, as a condition on a `tickets` row aliased `t` (seed 002's
 * visibility rules). One pure function used by every ticket read — lists, search, a single
 * ticket, its comments and attachments — so the rule cannot drift between them.
 *
 * - scope `all` (admins, managers; API keys of staff roles, which act for the organization):
 *   everything in the organization;
 * - scope `team` (agents, viewers): assigned to them, to one of their teams, or to nobody —
 *   everything when the organization's `agent_ticket_scope` setting is `all`;
 * - scope `own`: assigned to them;
 * - scope `requested` (customers): tickets whose requester is their contact, plus their
 *   company's when both the organization and their contact allow it.
 */
export function visibleTo(actor: Actor): Expression<SqlBool> {
  const me = actor.userId
  if (actor.role.kind === 'staff' && (actor.role.ticketScope === 'all' || actor.kind === 'api_key' || !me)) {
    return sql<SqlBool>`true`
  }
  switch (actor.role.ticketScope) {
    case 'team':
      return sql<SqlBool>`(
        t.assignee_id = ${me}
        OR (t.assignee_id IS NULL AND t.team_id IS NULL)
        OR t.team_id IN (SELECT tm.team_id FROM team_members tm WHERE tm.user_id = ${me})
        OR EXISTS (SELECT 1 FROM organizations o WHERE o.id = t.tenant_id AND o.settings->>'agent_ticket_scope' = 'all')
      )`
    case 'own':
      return sql<SqlBool>`t.assignee_id = ${me}`
    case 'requested':
    default:
      return sql<SqlBool>`(
        t.requester_id IN (SELECT c.id FROM contacts c WHERE c.user_id = ${me} AND c.deleted_at IS NULL)
        OR (
          t.company_id IN (SELECT c.company_id FROM contacts c WHERE c.user_id = ${me} AND c.deleted_at IS NULL AND c.can_see_company_tickets AND c.company_id IS NOT NULL)
          AND EXISTS (SELECT 1 FROM organizations o WHERE o.id = t.tenant_id AND (o.settings->>'customers_see_company_tickets')::boolean)
        )
      )`
  }
}

/** Customers (and custom customer-kind roles) get the portal projection: no internal notes or fields. */
export function isCustomer(actor: Actor): boolean {
  return actor.role.kind === 'customer'
}
