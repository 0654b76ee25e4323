import { sql } from 'kysely'
import type { Tx } from '../../platform/db/schema.js'
import { notFound } from '../../platform/errors.js'
import { presentTeam, presentTeamMember, selectTeamMembers, selectTeams, type TeamMemberOut, type TeamOut } from './present.js'

/** `%` and `_` in a search are literal characters, not wildcards. */
function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`)
}

export interface TeamFilter {
  page: number
  limit: number
  q?: string | undefined
}

/** A page of teams by name (served by teams_name_key), with the total for the filter. */
export async function listTeams(tx: Tx, filter: TeamFilter): Promise<{ teams: TeamOut[]; total: number }> {
  const pattern = filter.q ? `%${likeEscape(filter.q.trim().toLowerCase())}%` : null
  let rows = selectTeams(tx)
  let count = tx.selectFrom('teams as t').select((eb) => eb.fn.countAll<number>().as('n'))
  if (pattern) {
    rows = rows.where(sql`lower(t.name)`, 'like', pattern)
    count = count.where(sql`lower(t.name)`, 'like', pattern)
  }
  const page = await rows.orderBy(sql`lower(t.name)`).orderBy('t.id').limit(filter.limit).offset((filter.page - 1) * filter.limit).execute()
  const total = await count.executeTakeFirstOrThrow()
  return { teams: page.map(presentTeam), total: Number(total.n) }
}

export async function getTeam(tx: Tx, id: string): Promise<TeamOut> {
  const row = await selectTeams(tx).where('t.id', '=', id).executeTakeFirst()
  if (!row) throw notFound('Team')
  return presentTeam(row)
}

export async function listTeamMembers(tx: Tx, teamId: string): Promise<TeamMemberOut[]> {
  return (await selectTeamMembers(tx, teamId).execute()).map(presentTeamMember)
}

/** A team with its members (two statements, whatever the team's size). */
export async function getTeamDetail(tx: Tx, id: string): Promise<TeamOut & { members: TeamMemberOut[] }> {
  const team = await getTeam(tx, id)
  return { ...team, members: await listTeamMembers(tx, id) }
}
