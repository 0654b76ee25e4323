import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import type { RowOf, Tx } from '../../platform/db/schema.js'
import { forbidden, notFound } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { emit } from '../../platform/outbox.js'
import { loadVisibleTicket } from '../tickets/present.js'
import { isCustomer } from '../tickets/visibility.js'
import { assertNotMerged } from './add-comment.js'
import { isSupervisor } from './policy.js'
import type { TimeEntryOut } from './schemas.js'

/** Time is staff business: customers get 403 on a ticket they can see (404 on one they cannot). */
async function loadTicketForTime(tx: Tx, actor: Actor, ticketId: string) {
  const ticket = await loadVisibleTicket(tx, actor, ticketId)
  if (isCustomer(actor)) throw forbidden('Time tracking is for staff only.')
  return ticket
}

function selectEntries(tx: Tx) {
  return tx.selectFrom('time_entries as e')
    .leftJoin('users as u', 'u.id', 'e.user_id')
    // The day as text: drivers turn a `date` into a Date at local or UTC midnight, which can shift it.
    .select(['e.id', 'e.ticket_id', 'e.user_id', 'u.name as user_name', 'e.minutes', 'e.note', sql<string>`e.spent_on::text`.as('spent_on'), 'e.created_at'])
}

function presentEntry(row: RowOf<typeof selectEntries>): TimeEntryOut {
  return {
    id: row.id,
    user: { id: row.user_id, name: row.user_name ?? 'Former member' },
    minutes: row.minutes,
    note: row.note,
    spent_on: row.spent_on,
    created_at: row.created_at,
  }
}

/**
 * A page of a ticket's time entries (latest day first) with the total of all of them and the
 * total per person, most time first: three statements whatever the number of entries.
 */
export async function listTimeEntries(tx: Tx, actor: Actor, ticketId: string, page: number, limit: number) {
  await loadTicketForTime(tx, actor, ticketId)
  const rows = await selectEntries(tx).where('e.tenant_id', '=', actor.tenantId).where('e.ticket_id', '=', ticketId)
    .orderBy('e.spent_on', 'desc').orderBy('e.created_at', 'desc').orderBy('e.id', 'desc')
    .limit(limit).offset((page - 1) * limit).execute()
  const perUser = await tx.selectFrom('time_entries as e')
    .leftJoin('users as u', 'u.id', 'e.user_id')
    .select(['e.user_id', 'u.name as user_name', (eb) => eb.fn.sum<string>('e.minutes').as('minutes'), (eb) => eb.fn.countAll<string>().as('n')])
    .where('e.tenant_id', '=', actor.tenantId).where('e.ticket_id', '=', ticketId)
    .groupBy(['e.user_id', 'u.name'])
    .orderBy('minutes', 'desc').orderBy('e.user_id')
    .execute()
  const users = perUser.map((r) => ({ user: { id: r.user_id, name: r.user_name ?? 'Former member' }, minutes: Number(r.minutes) }))
  return {
    entries: rows.map(presentEntry),
    total_minutes: users.reduce((sum, u) => sum + u.minutes, 0),
    per_user: users,
    count: perUser.reduce((sum, r) => sum + Number(r.n), 0),
  }
}

/** Logs time on a ticket as the calling person (API keys are refused by the route: time belongs to someone). */
export async function addTimeEntry(tx: Tx, actor: Actor, ticketId: string, input: { minutes: number; note?: string | null | undefined; spent_on?: string | undefined }): Promise<TimeEntryOut> {
  const ticket = await loadTicketForTime(tx, actor, ticketId)
  assertNotMerged(ticket)
  if (!actor.userId) throw forbidden('Time is logged by a person, not an API key.')
  const id = uuidv7()
  await tx.insertInto('time_entries').values({
    tenant_id: actor.tenantId, id, ticket_id: ticketId, user_id: actor.userId, minutes: input.minutes,
    note: input.note?.trim() || null, ...(input.spent_on ? { spent_on: input.spent_on } : {}),
  }).execute()
  await emit(tx, actor.tenantId, 'time_entry.added', { ticket_id: ticketId, time_entry_id: id, user_id: actor.userId, minutes: input.minutes })
  return presentEntry(await selectEntries(tx).where('e.tenant_id', '=', actor.tenantId).where('e.id', '=', id).executeTakeFirstOrThrow())
}

/** Deletes a time entry: one's own, or anyone's for a manager or administrator. */
export async function deleteTimeEntry(tx: Tx, actor: Actor, ticketId: string, entryId: string): Promise<void> {
  await loadTicketForTime(tx, actor, ticketId)
  const entry = await tx.selectFrom('time_entries').select(['id', 'user_id', 'minutes'])
    .where('tenant_id', '=', actor.tenantId).where('ticket_id', '=', ticketId).where('id', '=', entryId)
    .forUpdate().executeTakeFirst()
  if (!entry) throw notFound('Time entry')
  if (entry.user_id !== actor.userId && !isSupervisor(actor)) throw forbidden('Only the person who logged it, a manager or an administrator can delete this entry.')
  await tx.deleteFrom('time_entries').where('tenant_id', '=', actor.tenantId).where('id', '=', entryId).execute()
  await emit(tx, actor.tenantId, 'time_entry.deleted', { ticket_id: ticketId, time_entry_id: entryId, user_id: entry.user_id, minutes: entry.minutes })
}
