import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { StatusCategory, Tx } from '../../platform/db/schema.js'
import { AppError, conflict, invalid, isUniqueViolation, notFound, type ErrorDetail } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { OPEN_CATEGORIES } from '../tickets/defaults.js'
import { getStatus, listStatuses, type StatusOut } from './present.js'
import { cacheChanged } from '../../platform/shared-cache.js'

/**
 * Status settings of one organization change one at a time: moving the default, reordering and
 * the last-`new` rule all read several rows and then write, and two concurrent edits could
 * otherwise each pass their check (or both clear the default and collide on the unique index).
 */
export async function lockStatusSettings(tx: Tx, actor: Actor): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`aidly.ticket-statuses.${actor.tenantId}`}, 0))`.execute(tx)
}

const nameTaken = () => conflict('A status with this name already exists.', [{ field: 'name', message: 'is already used by another status' }])

async function guardName<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run()
  } catch (error) {
    if (isUniqueViolation(error, 'ticket_statuses_name')) throw nameTaken()
    throw error
  }
}

async function assertNameFree(tx: Tx, name: string, exceptId?: string): Promise<void> {
  let q = tx.selectFrom('ticket_statuses').select('id').where(sql`lower(name)`, '=', name.toLowerCase())
  if (exceptId) q = q.where('id', '!=', exceptId)
  if (await q.executeTakeFirst()) throw nameTaken()
}

function cleanName(name: string): string {
  const trimmed = name.trim()
  if (!trimmed) throw invalid('name', 'must not be blank')
  return trimmed
}

/** New tickets start in the default status, so it must be an active, open-kind status. */
function assertCanBeDefault(category: StatusCategory, isActive: boolean): void {
  if (!OPEN_CATEGORIES.includes(category)) {
    throw invalid('is_default', `new tickets cannot start in a ${category} status; pick one of the categories ${OPEN_CATEGORIES.join(', ')}`)
  }
  if (!isActive) throw invalid('is_default', 'an inactive status cannot be the default')
}

async function moveDefaultTo(tx: Tx, id: string): Promise<string | null> {
  cacheChanged('tenant-config')
  const previous = await tx.updateTable('ticket_statuses').set({ is_default: false, updated_at: sql`now()` })
    .where('is_default', '=', true).where('id', '!=', id).returning('id').executeTakeFirst()
  await tx.updateTable('ticket_statuses').set({ is_default: true, updated_at: sql`now()` }).where('id', '=', id).execute()
  return previous?.id ?? null
}

async function nextPosition(tx: Tx): Promise<number> {
  const row = await tx.selectFrom('ticket_statuses').select((eb) => eb.fn.max('position').as('max')).executeTakeFirst()
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1
}

export interface CreateStatusInput {
  name: string
  category: StatusCategory
  color?: string | undefined
  position?: number | undefined
  is_default?: boolean | undefined
}

/** A new status (names unique in any letter case: 409); `is_default` moves the default to it. */
export async function createStatus(tx: Tx, actor: Actor, input: CreateStatusInput, ip: string | null): Promise<StatusOut> {
  const name = cleanName(input.name)
  if (input.is_default) assertCanBeDefault(input.category, true)
  await lockStatusSettings(tx, actor)
  await assertNameFree(tx, name)
  const id = uuidv7()
  const position = input.position ?? await nextPosition(tx)
  cacheChanged('tenant-config')
  await guardName(() => tx.insertInto('ticket_statuses').values({
    tenant_id: actor.tenantId, id, name, category: input.category, position, ...(input.color ? { color: input.color.toLowerCase() } : {}),
  }).execute())
  const previousDefault = input.is_default ? await moveDefaultTo(tx, id) : null
  await recordAudit(tx, actor, 'ticket_status.created', 'ticket_status', id, {
    name, category: input.category, ...(input.is_default ? { is_default: true, previous_default_id: previousDefault } : {}),
  }, ip)
  return getStatus(tx, id)
}

export interface UpdateStatusInput {
  name?: string | undefined
  category?: StatusCategory | undefined
  color?: string | undefined
  position?: number | undefined
  is_active?: boolean | undefined
  is_default?: boolean | undefined
}

/**
 * Edits a status. Changing its category is allowed while tickets use it: they stay in the status
 * and count under the new category from then on (lists, filters, overdue), but their
 * resolved/closed timestamps are not rewritten and no ticket history is written — the status
 * itself did not change for them. The default status cannot be deactivated, un-defaulted (make
 * another one the default instead) or moved to a resolved/closed/cancelled category (409/400);
 * the last `new` status cannot leave that category (409).
 */
export async function updateStatus(tx: Tx, actor: Actor, id: string, input: UpdateStatusInput, ip: string | null): Promise<StatusOut> {
  const name = input.name !== undefined ? cleanName(input.name) : undefined
  await lockStatusSettings(tx, actor)
  const current = await tx.selectFrom('ticket_statuses').select(['id', 'name', 'category', 'is_default', 'is_active']).where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('Status')
  const category = input.category ?? current.category
  const isActive = input.is_active ?? current.is_active

  if (current.is_default) {
    if (input.is_default === false) throw conflict('There must be a default status: make another status the default instead.', [{ field: 'is_default', message: 'cannot be turned off on the default status' }])
    if (!isActive) throw conflict('The default status cannot be deactivated; make another status the default first.', [{ field: 'is_active', message: 'the default status must stay active' }])
    if (!OPEN_CATEGORIES.includes(category)) throw invalid('category', `the default status must stay in one of ${OPEN_CATEGORIES.join(', ')}`)
  }
  if (input.is_default && !current.is_default) assertCanBeDefault(category, isActive)
  if (current.category === 'new' && category !== 'new') await assertAnotherNew(tx, id, 'category')
  if (name !== undefined && name.toLowerCase() !== current.name.toLowerCase()) await assertNameFree(tx, name, id)

  cacheChanged('tenant-config')
  await guardName(() => tx.updateTable('ticket_statuses').set({
    ...(name !== undefined ? { name } : {}),
    ...(input.category !== undefined ? { category: input.category } : {}),
    ...(input.color !== undefined ? { color: input.color.toLowerCase() } : {}),
    ...(input.position !== undefined ? { position: input.position } : {}),
    ...(input.is_active !== undefined ? { is_active: input.is_active } : {}),
    updated_at: sql`now()`,
  }).where('id', '=', id).execute())
  const previousDefault = input.is_default && !current.is_default ? await moveDefaultTo(tx, id) : null
  await recordAudit(tx, actor, 'ticket_status.updated', 'ticket_status', id, {
    fields: Object.keys(input),
    ...(name !== undefined && name !== current.name ? { name: { from: current.name, to: name } } : {}),
    ...(category !== current.category ? { category: { from: current.category, to: category } } : {}),
    ...(previousDefault ? { previous_default_id: previousDefault } : {}),
  }, ip)
  return getStatus(tx, id)
}

/** Tickets need a status of category `new` to start in: the last one stays (409). */
export async function assertAnotherNew(tx: Tx, id: string, field: string): Promise<void> {
  const other = await tx.selectFrom('ticket_statuses').select('id').where('category', '=', 'new').where('id', '!=', id).executeTakeFirst()
  if (!other) throw conflict('This is the last status of category "new"; add another one first.', [{ field, message: 'the last "new" status must stay' }])
}

/** Refuses ids that are not statuses of this organization, naming each as `<field>.<index>`. */
async function assertStatusIds(tx: Tx, ids: readonly string[], field: string): Promise<void> {
  const found = new Set((ids.length ? await tx.selectFrom('ticket_statuses').select('id').where('id', 'in', [...ids]).execute() : []).map((r) => r.id))
  const details: ErrorDetail[] = []
  ids.forEach((sid, i) => { if (!found.has(sid)) details.push({ field: `${field}.${i}`, message: 'is not a status of this organization' }) })
  if (details.length) throw new AppError('validation_error', `${details[0]!.field}: ${details[0]!.message}`, details)
}

/**
 * Replaces the statuses a ticket may move to from this one (`[]`: any). Duplicates are dropped;
 * the status itself cannot be listed (staying put is always allowed).
 */
export async function setTransitions(tx: Tx, actor: Actor, id: string, to: readonly string[], ip: string | null): Promise<StatusOut> {
  await lockStatusSettings(tx, actor)
  const current = await tx.selectFrom('ticket_statuses').select(['id', 'name']).where('id', '=', id).executeTakeFirst()
  if (!current) throw notFound('Status')
  const self = to.indexOf(id)
  if (self >= 0) throw invalid(`to.${self}`, 'a status does not transition to itself; staying is always allowed')
  await assertStatusIds(tx, to, 'to')
  const targets = [...new Set(to)]
  await tx.deleteFrom('status_transitions').where('from_status_id', '=', id).execute()
  if (targets.length) {
    await tx.insertInto('status_transitions').values(targets.map((t) => ({ tenant_id: actor.tenantId, from_status_id: id, to_status_id: t }))).execute()
  }
  await recordAudit(tx, actor, 'ticket_status.transitions_set', 'ticket_status', id, { name: current.name, to: targets }, ip)
  return getStatus(tx, id)
}

/**
 * Puts the listed statuses first, in the order given (positions 0…n-1); statuses not listed keep
 * their relative order after them. Returns the whole list.
 */
export async function reorderStatuses(tx: Tx, actor: Actor, ids: readonly string[], ip: string | null): Promise<StatusOut[]> {
  const dup = ids.findIndex((sid, i) => ids.indexOf(sid) !== i)
  if (dup >= 0) throw invalid(`ids.${dup}`, 'is listed twice')
  await lockStatusSettings(tx, actor)
  await assertStatusIds(tx, ids, 'ids')
  const rest = await tx.selectFrom('ticket_statuses').select('id').where('id', 'not in', [...ids]).orderBy('position').orderBy('name').orderBy('id').execute()
  const order = [...ids, ...rest.map((r) => r.id)]
  const values = sql.join(order.map((sid, i) => sql`(${sid}::uuid, ${i}::int)`))
  cacheChanged('tenant-config')
  await sql`UPDATE ticket_statuses s SET position = v.position, updated_at = now()
    FROM (VALUES ${values}) AS v(id, position)
    WHERE s.tenant_id = ${actor.tenantId} AND s.id = v.id AND s.position <> v.position`.execute(tx)
  await recordAudit(tx, actor, 'ticket_status.reordered', 'ticket_status', null, { ids: order }, ip)
  return listStatuses(tx)
}
