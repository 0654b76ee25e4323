import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { forbidden, invalid } from '../../platform/errors.js'
import { companyForEmail } from '../contacts/find-or-create.js'
import { validateCustomFields } from '../custom-fields/validate.js'
import { sameJson } from '../custom-fields/values.js'
import { assertTransitionAllowed } from '../statuses/transitions.js'
import type { HistoryEntry } from './history.js'
import { normalizeDescription, normalizeSubject, normalizeTags } from './normalize.js'
import { loadVisibleTicket, type TicketRow } from './present.js'
import { findCategory, findCompany, findContact, findStatus, findStatusByName, type StatusRef } from './references.js'
import type { UpdateTicketBodyIn } from './schemas.js'
import { saveTicketChanges, statusStampColumns, type TicketSet } from './ticket-writes.js'
import { isCustomer } from './visibility.js'

export type UpdateTicketInput = UpdateTicketBodyIn

const ref = (id: string | null, name: string | null) => (id ? { id, name } : null)
const sameInstant = (a: string | null, b: string | null) => (a === null || b === null ? a === b : Date.parse(a) === Date.parse(b))
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000')

/** A ticket's status as the history records it. */
export const statusValue = (s: { id: string; name: string; category: string }) => ({ id: s.id, name: s.name, category: s.category })

/**
 * Moves a ticket to another status: the organization's transition rules apply, and the
 * resolved/closed timestamps follow the new category. Adds the columns and the history entry to
 * `set` and `entries`; nothing when the status is the same.
 */
export async function stageStatusChange(tx: Tx, current: TicketRow, to: StatusRef, set: TicketSet, entries: HistoryEntry[]): Promise<void> {
  if (to.id === current.status_id) return
  await assertTransitionAllowed(tx, current.status_id, to.id)
  Object.assign(set, { status_id: to.id, ...statusStampColumns(to.category) })
  entries.push({ field: 'status', old_value: statusValue({ id: current.status_id, name: current.status_name, category: current.status_category }), new_value: statusValue(to) })
}

async function targetStatus(tx: Tx, tenantId: string, input: UpdateTicketInput): Promise<StatusRef | null> {
  if (input.status_id !== undefined && input.status !== undefined) throw invalid('status', 'send either status_id or status, not both')
  if (input.status_id !== undefined) return findStatus(tx, tenantId, input.status_id)
  if (input.status !== undefined) return findStatusByName(tx, tenantId, input.status)
  return null
}

/**
 * Edits a ticket (partial). Each field that really changes becomes one history row and part of
 * the `ticket.updated` event; a PATCH that changes nothing writes nothing. Customers cannot edit
 * tickets (they close them through `closeTicket`). Changing the requester moves the ticket to the
 * new requester's company (theirs, else by email domain) unless `company_id` is given too.
 */
export async function updateTicket(tx: Tx, actor: Actor, id: string, input: UpdateTicketInput): Promise<TicketRow> {
  const current = await loadVisibleTicket(tx, actor, id, { forUpdate: true })
  if (isCustomer(actor)) throw forbidden('Customers cannot edit tickets.')
  const tenantId = actor.tenantId
  const set: TicketSet = {}
  const entries: HistoryEntry[] = []

  if (input.subject !== undefined) {
    const subject = normalizeSubject(input.subject)
    if (subject !== current.subject) {
      set.subject = subject
      entries.push({ field: 'subject', old_value: current.subject, new_value: subject })
    }
  }
  const description = normalizeDescription(input)
  if (description && description.html !== current.description_html) {
    Object.assign(set, { description_html: description.html, description_text: description.text })
    entries.push({ field: 'description', old_value: current.description_html, new_value: description.html })
  }
  if (input.priority !== undefined && input.priority !== current.priority) {
    set.priority = input.priority
    entries.push({ field: 'priority', old_value: current.priority, new_value: input.priority })
  }
  const status = await targetStatus(tx, tenantId, input)
  if (status) await stageStatusChange(tx, current, status, set, entries)
  if (input.category_id !== undefined && input.category_id !== current.category_id) {
    const category = input.category_id === null ? null : await findCategory(tx, tenantId, input.category_id)
    set.category_id = category?.id ?? null
    entries.push({ field: 'category', old_value: ref(current.category_id, current.category_name), new_value: category })
  }
  if (input.tags !== undefined) {
    const tags = normalizeTags(input.tags)
    if (!sameSet(tags, current.tags)) {
      set.tags = tags
      entries.push({ field: 'tags', old_value: current.tags, new_value: tags })
    }
  }
  if (input.custom_fields !== undefined) {
    const before = current.custom_fields ?? {}
    const after = await validateCustomFields(tx, 'ticket', input.custom_fields, { existing: before, partial: true })
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
    const changed = keys.filter((k) => !sameJson(before[k] ?? null, after[k] ?? null))
    if (changed.length) {
      set.custom_fields = JSON.stringify(after)
      for (const k of changed) entries.push({ field: `custom_fields.${k}`, old_value: before[k] ?? null, new_value: after[k] ?? null })
    }
  }
  if (input.due_at !== undefined && !sameInstant(input.due_at, current.due_at)) {
    set.due_at = input.due_at
    entries.push({ field: 'due_at', old_value: current.due_at, new_value: input.due_at })
  }
  let companyTarget = input.company_id
  if (input.requester_id !== undefined && input.requester_id !== current.requester_id) {
    const contact = input.requester_id === null ? null : await findContact(tx, tenantId, input.requester_id)
    set.requester_id = contact?.id ?? null
    entries.push({ field: 'requester', old_value: ref(current.requester_id, current.requester_name), new_value: contact ? { id: contact.id, name: contact.name } : null })
    if (companyTarget === undefined && contact) companyTarget = contact.company_id ?? (contact.email ? await companyForEmail(tx, tenantId, contact.email) : null)
  }
  if (companyTarget !== undefined && companyTarget !== current.company_id) {
    const company = companyTarget === null ? null : await findCompany(tx, tenantId, companyTarget)
    set.company_id = company?.id ?? null
    entries.push({ field: 'company', old_value: ref(current.company_id, current.company_name), new_value: company })
  }

  return saveTicketChanges(tx, actor, id, set, entries)
}
