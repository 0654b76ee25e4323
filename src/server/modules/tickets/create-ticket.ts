import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import type { TicketSource, Tx } from '../../platform/db/schema.js'
import { AppError, invalid, type ErrorDetail } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { emit } from '../../platform/outbox.js'
import { validateCustomFields } from '../custom-fields/validate.js'
import { recordHistory } from './history.js'
import { normalizeDescription, normalizeSubject, normalizeTags, timestampRules } from './normalize.js'
import type { TicketRow } from './present.js'
import { defaultStatus, findAssignee, findCategory, findCompany, findStatus, findStatusByName, findTeam, type StatusRef } from './references.js'
import { customerContact, resolveRequester } from './requester.js'
import type { CreateTicketBodyIn } from './schemas.js'
import { reloadTicket } from './ticket-writes.js'
import { isCustomer } from './visibility.js'

export type CreateTicketInput = CreateTicketBodyIn

/** Fields only staff and API keys may set; a customer sending any of them gets 400 naming each. */
export const STAFF_ONLY_CREATE_FIELDS = [
  'status_id', 'status', 'source', 'tags', 'due_at', 'requester', 'requester_id', 'company_id', 'assignee_id', 'team_id',
] as const satisfies ReadonlyArray<keyof CreateTicketInput>

function refuseStaffOnlyFields(input: CreateTicketInput): void {
  const sent = STAFF_ONLY_CREATE_FIELDS.filter((f) => input[f] !== undefined)
  if (!sent.length) return
  const details: ErrorDetail[] = sent.map((field) => ({ field, message: 'cannot be set by customers', code: 'not_for_customers' }))
  throw new AppError('validation_error', `${sent[0]}: cannot be set by customers`, details)
}

async function startingStatus(tx: Tx, tenantId: string, input: CreateTicketInput): Promise<StatusRef> {
  if (input.status_id !== undefined && input.status !== undefined) throw invalid('status', 'send either status_id or status, not both')
  if (input.status_id !== undefined) return findStatus(tx, tenantId, input.status_id)
  if (input.status !== undefined) return findStatusByName(tx, tenantId, input.status)
  return defaultStatus(tx, tenantId)
}

function sourceFor(actor: Actor, input: CreateTicketInput): TicketSource {
  if (isCustomer(actor)) return 'web_form'
  return input.source ?? (actor.kind === 'api_key' ? 'api' : 'web_form')
}

/**
 * Inserts into `tickets` with the organization's next ticket number, taken in the same statement
 * (a data-modifying CTE): one round trip, and the counter row is locked from there until the
 * transaction ends, so concurrent creates take turns: numbers are unique, and gap-free among
 * committed tickets (a rolled-back create gives its number back). Done last but for the history
 * and event rows, to hold the lock as briefly as possible.
 */
function withNextTicketNumber(tx: Tx, tenantId: string) {
  return tx.with('next_number', (db) => db.insertInto('ticket_counters').values({ tenant_id: tenantId, last_number: 1 })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ last_number: sql`ticket_counters.last_number + 1` }))
    .returning('last_number'))
}

async function customerRequester(tx: Tx, actor: Actor) {
  const contact = await customerContact(tx, actor)
  return { contact, companyId: contact.company_id }
}

/**
 * Opens a ticket. Staff and API keys open it on behalf of a requester (a contact found or created
 * by email, or named by id; the company follows the contact or its email domain unless given) and
 * may set status, source, assignment, tags and due date. A customer opens one for themselves only:
 * the requester is their own contact and staff-only fields are refused (400). Referenced ids must
 * be this organization's (400 naming the field). Records a `created` history entry and emits
 * `ticket.created`. Returns the new ticket's row (not filtered by visibility).
 */
export async function createTicket(tx: Tx, actor: Actor, input: CreateTicketInput): Promise<TicketRow> {
  const tenantId = actor.tenantId
  const customer = isCustomer(actor)
  if (customer) refuseStaffOnlyFields(input)
  if (input.requester !== undefined && input.requester_id !== undefined) throw invalid('requester_id', 'send either requester or requester_id, not both')

  const subject = normalizeSubject(input.subject)
  const description = normalizeDescription(input) ?? { html: '', text: '' }
  const status = await startingStatus(tx, tenantId, input)
  const category = input.category_id ? await findCategory(tx, tenantId, input.category_id) : null
  const tags = normalizeTags(input.tags ?? [])

  const requester = customer ? await customerRequester(tx, actor) : await resolveRequester(tx, tenantId, input)
  const requesterId = requester?.contact.id ?? null
  let companyId = requester?.companyId ?? null
  if (input.company_id !== undefined) companyId = input.company_id === null ? null : (await findCompany(tx, tenantId, input.company_id)).id
  const assigneeId = input.assignee_id ? (await findAssignee(tx, tenantId, input.assignee_id)).id : null
  const teamId = input.team_id ? (await findTeam(tx, tenantId, input.team_id)).id : null
  const customFields = await validateCustomFields(tx, 'ticket', input.custom_fields, { customer })

  const stamps = timestampRules(status.category)
  const id = uuidv7()
  const inserted = await withNextTicketNumber(tx, tenantId).insertInto('tickets').values({
    tenant_id: tenantId,
    id,
    number: sql<number>`(SELECT last_number FROM next_number)`,
    subject,
    description_html: description.html,
    description_text: description.text,
    status_id: status.id,
    priority: input.priority ?? 'medium',
    category_id: category?.id ?? null,
    source: sourceFor(actor, input),
    requester_id: requesterId,
    company_id: companyId,
    assignee_id: assigneeId,
    team_id: teamId,
    due_at: input.due_at ?? null,
    tags,
    custom_fields: JSON.stringify(customFields),
    resolved_at: stamps.resolved_at === 'now_if_null' ? sql<string>`now()` : null,
    closed_at: stamps.closed_at === 'now_if_null' ? sql<string>`now()` : null,
    created_by: actor.userId,
  }).returning('number').executeTakeFirstOrThrow()
  const number = Number(inserted.number)
  await recordHistory(tx, actor, id, [{ field: 'created', old_value: null, new_value: { number, subject, status: { id: status.id, name: status.name, category: status.category } } }])
  await emit(tx, tenantId, 'ticket.created', { ticket_id: id, number, actor_id: actor.userId, assignee_id: assigneeId })
  return reloadTicket(tx, id)
}
