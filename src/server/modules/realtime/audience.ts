import { can, type Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import type { RealtimeEvent } from '../../platform/realtime.js'

/**
 * What a connected client may see, loaded when it connects (and refreshed now and then), so each
 * event is checked in memory: the same rule as `visibleTo` in tickets/visibility.ts, evaluated
 * over the ticket facts the event carries instead of a row.
 */
export interface Audience {
  tenantId: string
  userId: string | null
  kind: 'staff' | 'customer'
  scope: 'all' | 'team' | 'own' | 'requested'
  seesInternal: boolean
  teamIds: Set<string>
  /** Team-scoped agents see everything when the organization says so. */
  agentsSeeAll: boolean
  contactIds: Set<string>
  /** Companies whose tickets this customer may see (empty unless both the organization and their contact allow it). */
  companyIds: Set<string>
}

export async function loadAudience(tx: Tx, actor: Actor): Promise<Audience> {
  const me = actor.userId
  const org = await tx.selectFrom('organizations').select('settings').where('id', '=', actor.tenantId).executeTakeFirstOrThrow()
  const settings = (org.settings ?? {}) as Record<string, unknown>
  const teams = me ? await tx.selectFrom('team_members').select('team_id').where('tenant_id', '=', actor.tenantId).where('user_id', '=', me).execute() : []
  const contacts = me ? await tx.selectFrom('contacts').select(['id', 'company_id', 'can_see_company_tickets'])
    .where('tenant_id', '=', actor.tenantId).where('user_id', '=', me).where('deleted_at', 'is', null).execute() : []
  const companiesAllowed = settings.customers_see_company_tickets === true || settings.customers_see_company_tickets === 'true'
  const staffSeesAll = actor.role.kind === 'staff' && (actor.role.ticketScope === 'all' || actor.kind === 'api_key' || !me)
  return {
    tenantId: actor.tenantId,
    userId: me,
    kind: actor.role.kind === 'customer' ? 'customer' : 'staff',
    scope: staffSeesAll ? 'all' : actor.role.ticketScope,
    seesInternal: actor.role.kind === 'staff' && can(actor, 'comments:internal'),
    teamIds: new Set(teams.map((t) => t.team_id)),
    agentsSeeAll: settings.agent_ticket_scope === 'all',
    contactIds: new Set(contacts.map((c) => c.id)),
    companyIds: new Set(companiesAllowed ? contacts.filter((c) => c.can_see_company_tickets && c.company_id).map((c) => c.company_id!) : []),
  }
}

/** Whether this client gets this event. */
export function receives(a: Audience, e: RealtimeEvent): boolean {
  if (e.tenant_id !== a.tenantId) return false
  if (e.internal && !a.seesInternal) return false
  const t = e.ticket
  switch (a.scope) {
    case 'all':
      return true
    case 'team':
      return a.agentsSeeAll || t.assignee_id === a.userId || (t.assignee_id === null && t.team_id === null) || (t.team_id !== null && a.teamIds.has(t.team_id))
    case 'own':
      return t.assignee_id === a.userId
    case 'requested':
    default:
      return (t.requester_id !== null && a.contactIds.has(t.requester_id)) || (t.company_id !== null && a.companyIds.has(t.company_id))
  }
}
