import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { Tx } from '../../platform/db/schema.js'
import { invalid, notFound } from '../../platform/errors.js'
import { presentTeamMember, selectTeamMembers, type TeamMemberOut } from './present.js'

async function assertTeamExists(tx: Tx, teamId: string): Promise<void> {
  // FOR KEY SHARE: a concurrent delete of the team waits for this change instead of racing it.
  const team = await tx.selectFrom('teams').select('id').where('id', '=', teamId).forKeyShare().executeTakeFirst()
  if (!team) throw notFound('Team')
}

export interface AddMemberInput {
  user_id: string
  is_lead?: boolean | undefined
}

/**
 * Puts a staff member of the organization on a team. Adding someone already there is not an
 * error: it sets `is_lead` when given and answers `created: false` (the route says 200, not 201).
 * Customers and deactivated people cannot join teams (400 on `user_id`).
 */
export async function addTeamMember(tx: Tx, actor: Actor, teamId: string, input: AddMemberInput, ip: string | null): Promise<{ member: TeamMemberOut; created: boolean }> {
  await assertTeamExists(tx, teamId)
  const person = await tx.selectFrom('memberships as m')
    .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'm.tenant_id').onRef('r.id', '=', 'm.role_id'))
    .select(['m.is_active', 'r.kind']).where('m.user_id', '=', input.user_id).executeTakeFirst()
  if (!person) throw invalid('user_id', 'is not a member of this organization')
  if (!person.is_active) throw invalid('user_id', 'is deactivated in this organization')
  if (person.kind !== 'staff') throw invalid('user_id', 'is a customer; only staff can join teams')

  const inserted = await tx.insertInto('team_members')
    .values({ tenant_id: actor.tenantId, team_id: teamId, user_id: input.user_id, is_lead: input.is_lead ?? false })
    .onConflict((oc) => oc.columns(['tenant_id', 'team_id', 'user_id']).doNothing())
    .returning('user_id').executeTakeFirst()
  const created = inserted !== undefined
  if (created) {
    await recordAudit(tx, actor, 'team.member_added', 'team', teamId, { user_id: input.user_id, is_lead: input.is_lead ?? false }, ip)
  } else if (input.is_lead !== undefined) {
    const changed = await tx.updateTable('team_members').set({ is_lead: input.is_lead })
      .where('team_id', '=', teamId).where('user_id', '=', input.user_id).where('is_lead', '!=', input.is_lead).executeTakeFirst()
    if (Number(changed.numUpdatedRows) > 0) {
      await recordAudit(tx, actor, 'team.member_updated', 'team', teamId, { user_id: input.user_id, is_lead: input.is_lead }, ip)
    }
  }
  const row = await selectTeamMembers(tx, teamId).where('tm.user_id', '=', input.user_id).executeTakeFirstOrThrow()
  return { member: presentTeamMember(row), created }
}

export async function removeTeamMember(tx: Tx, actor: Actor, teamId: string, userId: string, ip: string | null): Promise<void> {
  await assertTeamExists(tx, teamId)
  const removed = await tx.deleteFrom('team_members').where('team_id', '=', teamId).where('user_id', '=', userId)
    .returning('user_id').executeTakeFirst()
  if (!removed) throw notFound('Team member')
  await recordAudit(tx, actor, 'team.member_removed', 'team', teamId, { user_id: userId }, ip)
}
