import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { Tx } from '../../platform/db/schema.js'
import { conflict, invalid, isUniqueViolation, notFound } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { actorKind } from '../tickets/history.js'
import { getCategory, type CategoryOut } from './present.js'

/** Tree edits of one organization take turns, so two concurrent moves cannot together close a loop. */
async function lockCategoryTree(tx: Tx, actor: Actor): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`aidly.ticket-categories.${actor.tenantId}`}, 0))`.execute(tx)
}

const nameTaken = () => conflict('A category with this name already exists at this level.', [{ field: 'name', message: 'is already used by a sibling category' }])

async function guardName<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (isUniqueViolation(error, 'ticket_categories_name')) throw nameTaken()
    throw error
  }
}

/** Names are unique among siblings (same parent, or both at the top level), in any letter case. */
async function assertNameFree(tx: Tx, name: string, parentId: string | null, exceptId?: string): Promise<void> {
  let q = tx.selectFrom('ticket_categories').select('id').where(sql`lower(name)`, '=', name.toLowerCase())
  q = parentId ? q.where('parent_id', '=', parentId) : q.where('parent_id', 'is', null)
  if (exceptId) q = q.where('id', '!=', exceptId)
  if (await q.executeTakeFirst()) throw nameTaken()
}

async function assertParentExists(tx: Tx, parentId: string): Promise<void> {
  const parent = await tx.selectFrom('ticket_categories').select('id').where('id', '=', parentId).executeTakeFirst()
  if (!parent) throw invalid('parent_id', 'is not a category of this organization')
}

/** Whether `id` is `candidateParentId` or one of its ancestors: then the move would close a loop. */
async function wouldCycle(tx: Tx, actor: Actor, id: string, candidateParentId: string): Promise<boolean> {
  const found = await sql<{ hit: number }>`
    WITH RECURSIVE chain (id, parent_id, depth) AS (
      SELECT id, parent_id, 0 FROM ticket_categories WHERE tenant_id = ${actor.tenantId} AND id = ${candidateParentId}
      UNION ALL
      SELECT c.id, c.parent_id, chain.depth + 1 FROM ticket_categories c JOIN chain ON c.id = chain.parent_id
      WHERE c.tenant_id = ${actor.tenantId} AND chain.depth < 1000
    )
    SELECT 1 AS hit FROM chain WHERE id = ${id} LIMIT 1`.execute(tx)
  return found.rows.length > 0
}

function cleanName(name: string): string {
  const trimmed = name.trim()
  if (!trimmed) throw invalid('name', 'must not be blank')
  return trimmed
}

async function nextPosition(tx: Tx, parentId: string | null): Promise<number> {
  let q = tx.selectFrom('ticket_categories').select((eb) => eb.fn.max('position').as('max'))
  q = parentId ? q.where('parent_id', '=', parentId) : q.where('parent_id', 'is', null)
  const row = await q.executeTakeFirst()
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1
}

export interface CreateCategoryInput {
  name: string
  parent_id?: string | null | undefined
  position?: number | undefined
}

/** A new category, at the top level or under a parent of this organization (400 otherwise). */
export async function createCategory(tx: Tx, actor: Actor, input: CreateCategoryInput, ip: string | null): Promise<CategoryOut> {
  const name = cleanName(input.name)
  const parentId = input.parent_id ?? null
  if (parentId) await assertParentExists(tx, parentId)
  await assertNameFree(tx, name, parentId)
  const id = uuidv7()
  const position = input.position ?? await nextPosition(tx, parentId)
  await guardName(() => tx.insertInto('ticket_categories').values({ tenant_id: actor.tenantId, id, name, parent_id: parentId, position }).execute())
  await recordAudit(tx, actor, 'ticket_category.created', 'ticket_category', id, { name, parent_id: parentId }, ip)
  return getCategory(tx, id)
}

export type UpdateCategoryInput = Partial<CreateCategoryInput> & { is_active?: boolean | undefined }

/**
 * Renames, moves, reorders or (de)activates a category. Under itself: 400; under one of its own
 * sub-categories: 409. Deactivating hides it (and, from customers, what is under it) from pickers;
 * tickets keep it.
 */
export async function updateCategory(tx: Tx, actor: Actor, id: string, input: UpdateCategoryInput, ip: string | null): Promise<CategoryOut> {
  const name = input.name !== undefined ? cleanName(input.name) : undefined
  if (input.parent_id === id) throw invalid('parent_id', 'a category cannot be its own parent')
  if (input.parent_id !== undefined) await lockCategoryTree(tx, actor)
  const current = await tx.selectFrom('ticket_categories').select(['id', 'name', 'parent_id']).where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('Category')
  const parentId = input.parent_id !== undefined ? input.parent_id : current.parent_id
  if (parentId && parentId !== current.parent_id) {
    await assertParentExists(tx, parentId)
    if (await wouldCycle(tx, actor, id, parentId)) {
      throw conflict('A category cannot be moved under one of its own sub-categories.', [{ field: 'parent_id', message: 'is a descendant of this category' }])
    }
  }
  const finalName = name ?? current.name
  if (parentId !== current.parent_id || finalName.toLowerCase() !== current.name.toLowerCase()) await assertNameFree(tx, finalName, parentId, id)
  await guardName(() => tx.updateTable('ticket_categories').set({
    ...(name !== undefined ? { name } : {}),
    ...(input.parent_id !== undefined ? { parent_id: input.parent_id } : {}),
    ...(input.position !== undefined ? { position: input.position } : {}),
    ...(input.is_active !== undefined ? { is_active: input.is_active } : {}),
    updated_at: sql`now()`,
  }).where('id', '=', id).execute())
  await recordAudit(tx, actor, 'ticket_category.updated', 'ticket_category', id, {
    fields: Object.keys(input),
    ...(name !== undefined && name !== current.name ? { name: { from: current.name, to: name } } : {}),
    ...(parentId !== current.parent_id ? { parent_id: { from: current.parent_id, to: parentId } } : {}),
  }, ip)
  return getCategory(tx, id)
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/**
 * Deletes a category. Its sub-categories move up to its parent (409 when one would clash by
 * name with a category already there). Tickets in it (deleted ones included) must be moved: with
 * `replaceWith` they go to that category with a `category` history row each; without it a
 * category in use is a 409 naming the count — deactivate it instead to keep them as they are.
 */
export async function deleteCategory(tx: Tx, actor: Actor, id: string, replaceWith: string | undefined, ip: string | null): Promise<{ id: string; tickets_moved: number; children_moved: number }> {
  await lockCategoryTree(tx, actor)
  const category = await tx.selectFrom('ticket_categories').select(['id', 'name', 'parent_id']).where('id', '=', id).forUpdate().executeTakeFirst()
  if (!category) throw notFound('Category')
  let replacement: { id: string; name: string } | undefined
  if (replaceWith !== undefined) {
    if (replaceWith === id) throw invalid('replace_with', 'must be another category than the one deleted')
    replacement = await tx.selectFrom('ticket_categories').select(['id', 'name']).where('id', '=', replaceWith).executeTakeFirst()
    if (!replacement) throw invalid('replace_with', 'is not a category of this organization')
  }

  const count = await tx.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).where('category_id', '=', id).executeTakeFirstOrThrow()
  const inUse = Number(count.n)
  if (inUse && !replacement) {
    throw conflict(`${plural(inUse, 'ticket is', 'tickets are')} in this category; pass replace_with to move them, or deactivate the category instead.`, [
      { field: 'replace_with', message: `is needed: ${plural(inUse, 'ticket', 'tickets')} to move`, code: 'in_use' },
    ])
  }

  const clash = await sql<{ name: string }>`
    SELECT child.name FROM ticket_categories child
    JOIN ticket_categories sibling ON sibling.tenant_id = child.tenant_id AND sibling.id <> ${id}
      AND sibling.parent_id IS NOT DISTINCT FROM ${category.parent_id}::uuid AND lower(sibling.name) = lower(child.name)
    WHERE child.tenant_id = ${actor.tenantId} AND child.parent_id = ${id} LIMIT 1`.execute(tx)
  if (clash.rows[0]) {
    throw conflict(`The sub-category "${clash.rows[0].name}" would clash with a category of the same name one level up; rename or move it first.`, [
      { field: 'id', message: 'has a sub-category whose name is taken one level up', code: 'name_clash' },
    ])
  }

  let moved = 0
  if (replacement && inUse) {
    const from = JSON.stringify({ id: category.id, name: category.name })
    const to = JSON.stringify({ id: replacement.id, name: replacement.name })
    const result = await sql<{ n: string | number }>`WITH moved AS (
        UPDATE tickets SET category_id = ${replacement.id}::uuid, updated_at = now(), last_activity_at = now()
        WHERE tenant_id = ${actor.tenantId} AND category_id = ${id} RETURNING tenant_id, id
      ), logged AS (
        INSERT INTO ticket_history (tenant_id, id, ticket_id, actor_id, actor_kind, field, old_value, new_value)
        SELECT tenant_id, gen_random_uuid(), id, ${actor.userId}::uuid, ${actorKind(actor)}, 'category', ${from}::jsonb, ${to}::jsonb FROM moved
        RETURNING 1
      ) SELECT count(*) AS n FROM logged`.execute(tx)
    moved = Number(result.rows[0]?.n ?? 0)
  }
  const children = await tx.updateTable('ticket_categories').set({ parent_id: category.parent_id, updated_at: sql`now()` })
    .where('parent_id', '=', id).returning('id').execute()
  await tx.deleteFrom('ticket_categories').where('id', '=', id).execute()
  await recordAudit(tx, actor, 'ticket_category.deleted', 'ticket_category', id, {
    name: category.name, replaced_with: replacement?.id ?? null, tickets_moved: moved, children_moved: children.length,
  }, ip)
  return { id, tickets_moved: moved, children_moved: children.length }
}
