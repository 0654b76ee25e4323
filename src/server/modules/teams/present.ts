import { sql } from 'kysely'
import type { Static } from 'typebox'
import type { RowOf, Tx } from '../../platform/db/schema.js'
import type { TeamMemberSchema, TeamSchema } from './schemas.js'

export type TeamOut = Static<typeof TeamSchema>
export type TeamMemberOut = Static<typeof TeamMemberSchema>

/** Teams of the current organization with their member counts, in one statement. */
export function selectTeams(tx: Tx) {
  return tx.selectFrom('teams as t')
    .select([
      't.id', 't.name', 't.description', 't.parent_id', 't.created_at', 't.updated_at',
      (eb) => eb.selectFrom('team_members as tm').select(eb.fn.countAll<number>().as('n'))
        .whereRef('tm.tenant_id', '=', 't.tenant_id').whereRef('tm.team_id', '=', 't.id').as('member_count'),
    ])
}

type TeamRow = RowOf<typeof selectTeams>

export function presentTeam(row: TeamRow): TeamOut {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    parent_id: row.parent_id,
    member_count: Number(row.member_count ?? 0),
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

/** The people on a team with their organization role; leads first, then by name. */
export function selectTeamMembers(tx: Tx, teamId: string) {
  return tx.selectFrom('team_members as tm')
    .innerJoin('memberships as m', (j) => j.onRef('m.tenant_id', '=', 'tm.tenant_id').onRef('m.user_id', '=', 'tm.user_id'))
    .innerJoin('users as u', 'u.id', 'tm.user_id')
    .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'm.tenant_id').onRef('r.id', '=', 'm.role_id'))
    .select(['tm.user_id', 'u.name', 'u.email', 'r.key as role', 'tm.is_lead', 'm.is_active', 'tm.created_at as joined_at'])
    .where('tm.team_id', '=', teamId)
    .orderBy('tm.is_lead', 'desc').orderBy(sql`lower(u.name)`).orderBy('tm.user_id')
}

type TeamMemberRow = RowOf<typeof selectTeamMembers>

export function presentTeamMember(row: TeamMemberRow): TeamMemberOut {
  return {
    user_id: row.user_id,
    name: row.name,
    email: row.email,
    role: row.role,
    is_lead: row.is_lead,
    is_active: row.is_active,
    joined_at: row.joined_at,
  }
}
