import { sql, type Selectable } from 'kysely'
import type { Static } from 'typebox'
import { can, type Actor } from '../../platform/auth/actor.js'
import type { SavedViewsTable, Tx } from '../../platform/db/schema.js'
import { AppError, conflict, invalid, notFound } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { filtersToQuery, parseTicketFilters, ticketFilterConditions, type TicketFilters } from './filters.js'
import { listConditions } from './list-tickets.js'
import { scopedTickets } from './scope.js'
import type { CreateViewBody, UpdateViewBody, ViewSchema } from './schemas.js'
import { DEFAULT_SORT, SORTS, type TicketSort } from './sorting.js'

/**
 * Saved views: named filters and a sort over the ticket list. Shared views (no owner) belong to
 * the organization and need settings:manage to change; personal ones belong to their owner and
 * are invisible to everyone else (404). The built-in defaults may be renamed and reordered but
 * keep their filters and are never deleted.
 */

type ViewRow = Selectable<SavedViewsTable>
type ViewOut = Static<typeof ViewSchema>

/** Views the actor sees: the shared ones and their own. */
function visibleViews(tx: Tx, actor: Actor) {
  const me = actor.userId
  return tx.selectFrom('saved_views as v').selectAll('v')
    .where((eb) => me ? eb.or([eb('v.owner_id', 'is', null), eb('v.owner_id', '=', me)]) : eb('v.owner_id', 'is', null))
}

export async function loadView(tx: Tx, actor: Actor, id: string, opts: { forUpdate?: boolean } = {}): Promise<ViewRow> {
  let q = visibleViews(tx, actor).where('v.id', '=', id)
  if (opts.forUpdate) q = q.forUpdate()
  const view = await q.executeTakeFirst()
  if (!view) throw notFound('View')
  return view
}

/** Changing a shared view needs settings:manage; one's own personal view needs nothing more. */
function authorizeChange(actor: Actor, view: Pick<ViewRow, 'owner_id'>): void {
  if (view.owner_id === null && !can(actor, 'settings:manage')) {
    throw new AppError('forbidden', 'Shared views need the settings:manage permission.')
  }
}

export function viewSort(view: Pick<ViewRow, 'sort'>): TicketSort {
  return (SORTS as readonly string[]).includes(view.sort) ? view.sort as TicketSort : DEFAULT_SORT
}

/** A view's stored filters, parsed again: they were valid when saved. */
export function viewFilters(view: Pick<ViewRow, 'filters'>): TicketFilters {
  return parseTicketFilters(view.filters ?? {})
}

function viewName(name: string): string {
  const trimmed = name.trim()
  if (!trimmed) throw invalid('name', 'must not be blank')
  return trimmed
}

/** Checks filters as GET /tickets would for this actor and returns them as they are stored. */
async function checkedFilters(tx: Tx, actor: Actor, raw: Record<string, unknown>): Promise<string> {
  try {
    const parsed = parseTicketFilters(raw)
    await ticketFilterConditions(tx, actor, parsed)
    return JSON.stringify(filtersToQuery(parsed))
  } catch (error) {
    // Name the field as it sits in the body, like the schema's own errors do.
    if (error instanceof AppError && error.code === 'validation_error') {
      const details = error.details.map((d) => ({ ...d, field: `filters.${d.field ?? ''}` }))
      throw new AppError('validation_error', `filters.${error.message}`, details)
    }
    throw error
  }
}

/** How many tickets the actor sees in a view now; null when its filters do not apply to them. */
async function countView(tx: Tx, actor: Actor, view: ViewRow): Promise<number | null> {
  let where
  try {
    where = await listConditions(tx, actor, viewFilters(view))
  } catch (error) {
    if (error instanceof AppError) return null
    throw error
  }
  let q = scopedTickets(tx).select(sql<string>`count(*)`.as('n'))
  for (const w of where) q = q.where(w)
  return Number((await q.executeTakeFirstOrThrow()).n)
}

export async function presentView(tx: Tx, actor: Actor, view: ViewRow, opts: { count?: boolean } = {}): Promise<ViewOut> {
  return {
    id: view.id,
    name: view.name,
    filters: view.filters ?? {},
    sort: viewSort(view),
    shared: view.owner_id === null,
    is_default: view.is_default,
    position: view.position,
    count: opts.count === false ? null : await countView(tx, actor, view),
    created_at: view.created_at,
    updated_at: view.updated_at,
  }
}

/** Views listed with a live count; further ones carry `count: null` (GET /views/:id has it). */
export const COUNTED_VIEWS = 20

/**
 * The actor's views in order (shared before personal at the same position), the first
 * `COUNTED_VIEWS` with their live count — one count statement each, each served by the index
 * its filters pick, rather than one scan for all.
 */
export async function listViews(tx: Tx, actor: Actor): Promise<ViewOut[]> {
  const views = await visibleViews(tx, actor)
    .orderBy('v.position').orderBy(sql`v.owner_id IS NOT NULL`).orderBy('v.created_at').orderBy('v.id')
    .limit(200).execute()
  const out: ViewOut[] = []
  for (const [i, view] of views.entries()) out.push(await presentView(tx, actor, view, { count: i < COUNTED_VIEWS }))
  return out
}

export async function createView(tx: Tx, actor: Actor, input: Static<typeof CreateViewBody>): Promise<ViewOut> {
  const shared = input.shared === true
  if (shared) authorizeChange(actor, { owner_id: null })
  else if (!actor.userId) throw new AppError('forbidden', 'Personal views belong to a person; an API key can only save shared views.')
  const filters = await checkedFilters(tx, actor, input.filters)
  let position = input.position
  if (position === undefined) {
    const last = await visibleViews(tx, actor).clearSelect().select(sql<number | null>`max(v.position)`.as('max')).executeTakeFirst()
    position = (last?.max ?? -1) + 1
  }
  const view = await tx.insertInto('saved_views').values({
    tenant_id: actor.tenantId,
    id: uuidv7(),
    name: viewName(input.name),
    owner_id: shared ? null : actor.userId,
    filters,
    sort: input.sort ?? DEFAULT_SORT,
    position,
  }).returningAll().executeTakeFirstOrThrow()
  return presentView(tx, actor, view)
}

export async function updateView(tx: Tx, actor: Actor, id: string, input: Static<typeof UpdateViewBody>): Promise<ViewOut> {
  const view = await loadView(tx, actor, id, { forUpdate: true })
  authorizeChange(actor, view)
  if (view.is_default && (input.filters !== undefined || input.sort !== undefined)) {
    throw conflict('A default view keeps its filters and sort; it may be renamed or moved.', [{ field: input.filters !== undefined ? 'filters' : 'sort', message: 'cannot change on a default view' }])
  }
  const updated = await tx.updateTable('saved_views')
    .set({
      ...(input.name !== undefined ? { name: viewName(input.name) } : {}),
      ...(input.filters !== undefined ? { filters: await checkedFilters(tx, actor, input.filters) } : {}),
      ...(input.sort !== undefined ? { sort: input.sort } : {}),
      ...(input.position !== undefined ? { position: input.position } : {}),
      updated_at: sql<string>`now()`,
    })
    .where('id', '=', view.id)
    .returningAll().executeTakeFirstOrThrow()
  return presentView(tx, actor, updated)
}

export async function deleteView(tx: Tx, actor: Actor, id: string): Promise<void> {
  const view = await loadView(tx, actor, id, { forUpdate: true })
  authorizeChange(actor, view)
  if (view.is_default) throw conflict('Default views cannot be deleted; rename or move them instead.')
  await tx.deleteFrom('saved_views').where('id', '=', view.id).execute()
}
