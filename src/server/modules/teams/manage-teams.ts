import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { Tx } from '../../platform/db/schema.js'
import { conflict, invalid, isUniqueViolation, notFound } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import type { TeamOut } from './present.js'
import { getTeam } from './team-queries.js'

const nameTaken = () => conflict('A team with this name already exists.', [{ field: 'name', message: 'is already used by another team' }])

/** Turns the lost race on teams_name_key into the same 409 the pre-check gives. */
async function guardName<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (isUniqueViolation(error, 'teams_name_key')) throw nameTaken()
    throw error
  }
}

async function assertNameFree(tx: Tx, name: string, exceptId?: string): Promise<void> {
  let q = tx.selectFrom('teams').select('id').where(sql`lower(name)`, '=', name.toLowerCase())
  if (exceptId) q = q.where('id', '!=', exceptId)
  if (await q.executeTakeFirst()) throw nameTaken()
}

async function assertParentExists(tx: Tx, parentId: string): Promise<void> {
  const parent = await tx.selectFrom('teams').select('id').where('id', '=', parentId).executeTakeFirst()
  if (!parent) throw invalid('parent_id', 'is not a team in this organization')
}

/**
 * Whether `teamId` is `candidateParentId` or one of its ancestors — then making it the parent
 * would close a loop. Walks up from the candidate; the hierarchy is acyclic, so the walk ends.
 */
async function wouldCycle(tx: Tx, actor: Actor, teamId: string, candidateParentId: string): Promise<boolean> {
  const found = await sql<{ hit: number }>`
    WITH RECURSIVE chain (id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM teams WHERE tenant_id = ${actor.tenantId} AND id = ${candidateParentId}
      UNION ALL
      SELECT t.id, t.parent_id, c.depth + 1 FROM teams t JOIN chain c ON t.id = c.parent_id
      WHERE t.tenant_id = ${actor.tenantId} AND c.depth < 1000
    )
    SELECT 1 AS hit FROM chain WHERE id = ${teamId} LIMIT 1`.execute(tx)
  return found.rows.length > 0
}

export interface CreateTeamInput {
  name: string
  description?: string | null | undefined
  parent_id?: string | null | undefined
}

/** A new team; names are unique per organization whatever their letter case (409). */
export async function createTeam(tx: Tx, actor: Actor, input: CreateTeamInput, ip: string | null): Promise<TeamOut> {
  const name = input.name.trim()
  if (!name) throw invalid('name', 'must not be blank')
  if (input.parent_id) await assertParentExists(tx, input.parent_id)
  await assertNameFree(tx, name)
  const id = uuidv7()
  await guardName(() => tx.insertInto('teams').values({
    tenant_id: actor.tenantId, id, name, description: input.description?.trim() || null, parent_id: input.parent_id ?? null,
  }).execute())
  await recordAudit(tx, actor, 'team.created', 'team', id, { name, parent_id: input.parent_id ?? null }, ip)
  return getTeam(tx, id)
}

export type UpdateTeamInput = CreateTeamInput

/**
 * Renames, describes or moves a team. Moving under itself is a 400; under one of its own
 * descendants a 409. Moves in one organization take turns (advisory lock), so two concurrent
 * moves cannot together close a loop that neither would alone.
 */
export async function updateTeam(tx: Tx, actor: Actor, id: string, input: Partial<UpdateTeamInput>, ip: string | null): Promise<TeamOut> {
  const name = input.name?.trim()
  if (name !== undefined && !name) throw invalid('name', 'must not be blank')
  const movesUnder = input.parent_id
  if (movesUnder) {
    if (movesUnder === id) throw invalid('parent_id', 'a team cannot be its own parent')
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`aidly.team-tree.${actor.tenantId}`}, 0))`.execute(tx)
  }
  const current = await tx.selectFrom('teams').select(['id', 'name', 'parent_id']).where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('Team')
  if (movesUnder && movesUnder !== current.parent_id) {
    await assertParentExists(tx, movesUnder)
    if (await wouldCycle(tx, actor, id, movesUnder)) {
      throw conflict('A team cannot be moved under one of its own sub-teams.', [{ field: 'parent_id', message: 'is a descendant of this team' }])
    }
  }
  if (name !== undefined && name.toLowerCase() !== current.name.toLowerCase()) await assertNameFree(tx, name, id)
  await guardName(() => tx.updateTable('teams').set({
    ...(name !== undefined ? { name } : {}),
    ...(input.description !== undefined ? { description: input.description?.trim() || null } : {}),
    ...(input.parent_id !== undefined ? { parent_id: input.parent_id } : {}),
    updated_at: sql`now()`,
  }).where('id', '=', id).execute())
  await recordAudit(tx, actor, 'team.updated', 'team', id, {
    fields: Object.keys(input),
    ...(name !== undefined && name !== current.name ? { name: { from: current.name, to: name } } : {}),
    ...(input.parent_id !== undefined && input.parent_id !== current.parent_id ? { parent_id: { from: current.parent_id, to: input.parent_id } } : {}),
  }, ip)
  return getTeam(tx, id)
}

/** Deletes a team: its sub-teams move to the top level and its memberships go (foreign keys). */
export async function deleteTeam(tx: Tx, actor: Actor, id: string, ip: string | null): Promise<void> {
  const deleted = await tx.deleteFrom('teams').where('id', '=', id).returning(['name', 'parent_id']).executeTakeFirst()
  if (!deleted) throw notFound('Team')
  await recordAudit(tx, actor, 'team.deleted', 'team', id, { name: deleted.name }, ip)
}
