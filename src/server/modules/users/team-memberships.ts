import { sql } from 'kysely'
import type { Tx } from '../../platform/db/schema.js'

export interface UserTeam {
  id: string
  name: string
  is_lead: boolean
}

/** The teams a member belongs to, by name. */
export function listUserTeams(tx: Tx, tenantId: string, userId: string): Promise<UserTeam[]> {
  return tx.selectFrom('team_members as tm')
    .innerJoin('teams as t', (j) => j.onRef('t.tenant_id', '=', 'tm.tenant_id').onRef('t.id', '=', 'tm.team_id'))
    .select(['t.id', 't.name', 'tm.is_lead'])
    .where('tm.tenant_id', '=', tenantId).where('tm.user_id', '=', userId)
    .orderBy(sql`lower(t.name)`).orderBy('t.id')
    .execute()
}

/** Adds a member to teams (already checked to be the organization's); existing places are kept. */
export async function addUserTeams(tx: Tx, tenantId: string, userId: string, teamIds: readonly string[]): Promise<void> {
  if (!teamIds.length) return
  await tx.insertInto('team_members')
    .values(teamIds.map((teamId) => ({ tenant_id: tenantId, team_id: teamId, user_id: userId })))
    .onConflict((oc) => oc.columns(['tenant_id', 'team_id', 'user_id']).doNothing())
    .execute()
}

/**
 * Makes the member's teams exactly `teamIds`: leaves the others, joins the new ones, and keeps
 * `is_lead` where they stay. Returns whether anything changed.
 */
export async function setUserTeams(tx: Tx, tenantId: string, userId: string, teamIds: readonly string[]): Promise<boolean> {
  let q = tx.deleteFrom('team_members').where('tenant_id', '=', tenantId).where('user_id', '=', userId)
  if (teamIds.length) q = q.where('team_id', 'not in', teamIds)
  const removed = await q.executeTakeFirst()
  const before = await tx.selectFrom('team_members').select('team_id').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute()
  const have = new Set(before.map((r) => r.team_id))
  const added = teamIds.filter((id) => !have.has(id))
  await addUserTeams(tx, tenantId, userId, added)
  return Number(removed.numDeletedRows) > 0 || added.length > 0
}
