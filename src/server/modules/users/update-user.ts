import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { Tx } from '../../platform/db/schema.js'
import { withOwnerPrivileges } from '../../platform/db/tenant.js'
import { notFound } from '../../platform/errors.js'
import { revokeAllSessions } from '../auth/sessions.js'
import { findRoleByKey, resolveTeamIds } from './lookups.js'
import { assertKeepsAnAdmin, findMembership, linkContactIfCustomer } from './memberships.js'
import { ADMIN_ROLE_KEY, assertMayGrant } from './policy.js'
import { setUserTeams } from './team-memberships.js'
import { authChanged } from '../../platform/shared-cache.js'

/** Membership fields an organization manages; the person's own name and email are theirs. */
export interface UpdateUserInput {
  role?: string | undefined
  title?: string | null | undefined
  is_active?: boolean | undefined
  team_ids?: string[] | undefined
}

/**
 * Changes a member's role, title, teams or active status. Deactivating ends their sessions in
 * this organization at once (access tokens die with the session); the membership and its history
 * stay. The last active administrator can be neither demoted nor deactivated (409).
 */
export async function updateUser(tx: Tx, actor: Actor, userId: string, input: UpdateUserInput, ip: string | null): Promise<void> {
  const tenantId = actor.tenantId
  const current = await findMembership(tx, tenantId, userId, { lock: true })
  if (!current) throw notFound('User')
  const touchesMembership = input.role !== undefined || input.is_active !== undefined || input.team_ids !== undefined || input.title !== undefined
  if (touchesMembership) assertMayGrant(actor, current.role_permissions, 'this person')

  const role = input.role !== undefined && input.role !== current.role_key ? await findRoleByKey(tx, tenantId, input.role) : null
  if (role) assertMayGrant(actor, role.permissions, `the ${role.key} role`)
  const teamIds = input.team_ids !== undefined ? await resolveTeamIds(tx, tenantId, input.team_ids) : null
  const nextRoleKey = role?.key ?? current.role_key
  const nextActive = input.is_active ?? current.is_active
  const activeChanged = nextActive !== current.is_active

  if (current.is_active && current.role_key === ADMIN_ROLE_KEY && (!nextActive || nextRoleKey !== ADMIN_ROLE_KEY)) {
    await assertKeepsAnAdmin(tx, tenantId, userId)
  }

  if (role || activeChanged || input.title !== undefined) {
    authChanged()
    await tx.updateTable('memberships').set({
      ...(role ? { role_id: role.id } : {}),
      ...(input.title !== undefined ? { title: input.title?.trim() || null } : {}),
      ...(activeChanged ? { is_active: nextActive, deactivated_at: nextActive ? null : sql`now()` } : {}),
      updated_at: sql`now()`,
    }).where('tenant_id', '=', tenantId).where('id', '=', current.id).execute()
  }
  if (role) await linkContactIfCustomer(tx, tenantId, userId, role.id)
  if (activeChanged && !nextActive) {
    await withOwnerPrivileges(tx, { tenantId, userId: actor.userId }, (sys) => revokeAllSessions(sys, userId, 'deactivated', { tenantId }))
  }
  const teamsChanged = teamIds !== null && await setUserTeams(tx, tenantId, userId, teamIds)

  if (role) await recordAudit(tx, actor, 'user.role_changed', 'user', userId, { from: current.role_key, to: role.key }, ip)
  if (activeChanged) await recordAudit(tx, actor, nextActive ? 'user.reactivated' : 'user.deactivated', 'user', userId, {}, ip)
  if (input.title !== undefined || teamsChanged) {
    await recordAudit(tx, actor, 'user.updated', 'user', userId, {
      fields: [...(input.title !== undefined ? ['title'] : []), ...(teamsChanged ? ['team_ids'] : [])],
      ...(teamsChanged ? { team_ids: teamIds } : {}),
    }, ip)
  }
}
