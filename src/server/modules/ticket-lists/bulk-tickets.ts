import { sql } from 'kysely'
import type { Static } from 'typebox'
import { can, type Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { AppError, invalid } from '../../platform/errors.js'
import { assignTicket, type AssignTicketInput } from '../tickets/assign-ticket.js'
import { closeTicket } from '../tickets/close-ticket.js'
import { deleteTicket } from '../tickets/delete-ticket.js'
import { normalizeTags } from '../tickets/normalize.js'
import { loadVisibleTicket } from '../tickets/present.js'
import { updateTicket, type UpdateTicketInput } from '../tickets/update-ticket.js'
import type { BulkBody, BulkResultSchema } from './schemas.js'

type BulkInput = Static<typeof BulkBody>
type BulkData = NonNullable<BulkInput['data']>
type BulkResult = Static<typeof BulkResultSchema>

const UPDATE_FIELDS = ['status_id', 'priority', 'tags_add', 'tags_remove', 'assignee_id', 'team_id'] as const
const ASSIGN_FIELDS = ['assignee_id', 'team_id'] as const

/** What one bulk request will do to each ticket, checked once before any ticket is touched. */
interface Plan {
  update: UpdateTicketInput | null
  assign: AssignTicketInput | null
  tagsAdd: string[]
  tagsRemove: string[]
  close: boolean
  delete: boolean
}

/**
 * Checks a bulk request as a whole — permissions for the action and the fields given, and which
 * fields the action takes — so a request that cannot work is refused (400/403) before any ticket
 * changes.
 */
export function planBulk(actor: Actor, input: BulkInput): Plan {
  const data: BulkData = input.data ?? {}
  const given = Object.keys(data).filter((k) => data[k as keyof BulkData] !== undefined)
  const allowed: readonly string[] = input.action === 'update' ? UPDATE_FIELDS : input.action === 'assign' ? ASSIGN_FIELDS : []
  for (const field of given) {
    if (!allowed.includes(field)) throw invalid(`data.${field}`, `is not used by the ${input.action} action`)
  }
  if ((input.action === 'update' || input.action === 'assign') && given.length === 0) {
    throw invalid('data', `the ${input.action} action needs at least one of: ${allowed.join(', ')}`)
  }
  const assigning = given.some((f) => (ASSIGN_FIELDS as readonly string[]).includes(f))
  if (input.action === 'delete' && !can(actor, 'tickets:delete')) throw new AppError('forbidden', 'Deleting tickets needs the tickets:delete permission.')
  if (assigning && !can(actor, 'tickets:assign')) throw new AppError('forbidden', 'Assigning tickets needs the tickets:assign permission.')

  const tagsAdd = data.tags_add ? tagsOf('data.tags_add', data.tags_add) : []
  const tagsRemove = data.tags_remove ? tagsOf('data.tags_remove', data.tags_remove) : []
  const update: UpdateTicketInput = {
    ...(data.status_id !== undefined ? { status_id: data.status_id } : {}),
    ...(data.priority !== undefined ? { priority: data.priority } : {}),
  }
  const assign: AssignTicketInput = {
    ...(data.assignee_id !== undefined ? { assignee_id: data.assignee_id } : {}),
    ...(data.team_id !== undefined ? { team_id: data.team_id } : {}),
  }
  return {
    update: Object.keys(update).length || tagsAdd.length || tagsRemove.length ? update : null,
    assign: assigning ? assign : null,
    tagsAdd,
    tagsRemove,
    close: input.action === 'close',
    delete: input.action === 'delete',
  }
}

function tagsOf(field: string, tags: string[]): string[] {
  try {
    return normalizeTags(tags)
  } catch (error) {
    if (error instanceof AppError) throw invalid(field, error.details[0]?.message ?? error.message)
    throw error
  }
}

/** One ticket's share of the request, through the tickets module's commands (history and events included). */
async function applyTo(tx: Tx, actor: Actor, id: string, plan: Plan, ip: string | null): Promise<void> {
  if (plan.delete) return deleteTicket(tx, actor, id, ip)
  if (plan.close) {
    await closeTicket(tx, actor, id)
    return
  }
  if (plan.update) {
    const input: UpdateTicketInput = { ...plan.update }
    if (plan.tagsAdd.length || plan.tagsRemove.length) {
      // Locked first, so the tags written are these tags plus and minus the request's.
      const current = await loadVisibleTicket(tx, actor, id, { forUpdate: true })
      input.tags = [...current.tags, ...plan.tagsAdd].filter((t) => !plan.tagsRemove.includes(t))
    }
    await updateTicket(tx, actor, id, input)
  }
  if (plan.assign) await assignTicket(tx, actor, id, plan.assign)
}

/**
 * Applies one action to up to 100 tickets, each in its own savepoint: a ticket that fails (not
 * visible to the actor → not_found, a refused transition, a bad value…) is rolled back alone and
 * reported with its error; the others go ahead. Errors that are not the client's (bugs, lost
 * connections) fail the whole request.
 */
export async function bulkTickets(tx: Tx, actor: Actor, input: BulkInput, ip: string | null = null): Promise<BulkResult> {
  const plan = planBulk(actor, input)
  const results: BulkResult['results'] = []
  for (const id of input.ids) {
    await sql`SAVEPOINT bulk_ticket`.execute(tx)
    try {
      await applyTo(tx, actor, id, plan, ip)
      await sql`RELEASE SAVEPOINT bulk_ticket`.execute(tx)
      results.push({ id, ok: true })
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      await sql`ROLLBACK TO SAVEPOINT bulk_ticket`.execute(tx)
      await sql`RELEASE SAVEPOINT bulk_ticket`.execute(tx)
      results.push({ id, ok: false, error: { code: error.code, message: error.message } })
    }
  }
  const succeeded = results.filter((r) => r.ok).length
  return { results, succeeded, failed: results.length - succeeded }
}
