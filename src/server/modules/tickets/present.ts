import type { CompiledQuery } from 'kysely'
import { Type, type Static } from 'typebox'
import type { Actor } from '../../platform/auth/actor.js'
import type { RowOf, Tx } from '../../platform/db/schema.js'
import { notFound } from '../../platform/errors.js'
import { isCustomer, visibleTo } from './visibility.js'

const Ref = Type.Object({ id: Type.String(), name: Type.String() })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const
export const SOURCES = ['email', 'web_form', 'chat', 'phone', 'social_media', 'api', 'internal'] as const
export const STATUS_CATEGORIES = ['new', 'open', 'pending', 'on_hold', 'resolved', 'closed', 'cancelled'] as const

export const TicketSchema = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  ticket_number: Type.String({ description: 'The number as people say it: the organization prefix and six digits, e.g. TKT-000123' }),
  subject: Type.String(),
  description: Type.String({ description: 'Sanitized HTML' }),
  status: Type.Object({ id: Type.String(), name: Type.String(), category: Type.String(), color: Type.String() }),
  priority: Type.String(),
  category: Nullable(Ref),
  source: Type.String(),
  requester: Nullable(Type.Object({ id: Type.String(), name: Type.String(), email: Nullable(Type.String()) })),
  company: Nullable(Ref),
  assignee: Nullable(Ref),
  team: Nullable(Ref),
  tags: Type.Array(Type.String()),
  cc: Type.Array(Type.String(), { description: 'Addresses copied on the ticket\'s email conversation' }),
  custom_fields: Type.Record(Type.String(), Type.Unknown()),
  due_at: Nullable(Type.String()),
  is_overdue: Type.Boolean(),
  first_response_at: Nullable(Type.String()),
  resolved_at: Nullable(Type.String()),
  closed_at: Nullable(Type.String()),
  is_spam: Type.Optional(Type.Boolean()),
  merged_into_id: Nullable(Type.String()),
  created_at: Type.String(),
  updated_at: Type.String(),
  deleted_at: Type.Optional(Nullable(Type.String())),
})
export type TicketOut = Static<typeof TicketSchema>

/**
 * The one ticket read: the row with its status, requester, company, assignee, team, category and
 * the organization's number prefix, all joined — lists and single reads share it, so no N+1.
 * Tickets are aliased `t` (the visibility rule refers to `t`).
 */
export function selectTickets(tx: Tx) {
  return tx.selectFrom('tickets as t')
    .innerJoin('ticket_statuses as s', (j) => j.onRef('s.tenant_id', '=', 't.tenant_id').onRef('s.id', '=', 't.status_id'))
    .innerJoin('organizations as o', 'o.id', 't.tenant_id')
    .leftJoin('contacts as rq', (j) => j.onRef('rq.tenant_id', '=', 't.tenant_id').onRef('rq.id', '=', 't.requester_id'))
    .leftJoin('companies as co', (j) => j.onRef('co.tenant_id', '=', 't.tenant_id').onRef('co.id', '=', 't.company_id'))
    .leftJoin('users as au', 'au.id', 't.assignee_id')
    .leftJoin('teams as tm', (j) => j.onRef('tm.tenant_id', '=', 't.tenant_id').onRef('tm.id', '=', 't.team_id'))
    .leftJoin('ticket_categories as cat', (j) => j.onRef('cat.tenant_id', '=', 't.tenant_id').onRef('cat.id', '=', 't.category_id'))
    .select([
      't.id', 't.tenant_id', 't.number', 't.subject', 't.description_html', 't.status_id', 't.priority', 't.category_id', 't.source',
      't.requester_id', 't.company_id', 't.assignee_id', 't.team_id', 't.due_at', 't.tags', 't.custom_fields',
      't.first_response_at', 't.resolved_at', 't.closed_at', 't.created_by', 't.created_at', 't.updated_at',
      't.last_activity_at', 't.deleted_at', 't.is_spam', 't.merged_into_id', 't.cc_emails', 't.email_account_id',
      's.name as status_name', 's.category as status_category', 's.color as status_color',
      'o.ticket_prefix',
      'rq.name as requester_name', 'rq.email as requester_email',
      'co.name as company_name', 'au.name as assignee_name', 'tm.name as team_name', 'cat.name as category_name',
    ])
}

export type TicketRow = RowOf<typeof selectTickets>

export function formatTicketNumber(prefix: string, n: number): string {
  return `${prefix}-${String(n).padStart(6, '0')}`
}

const CLOSED_CATEGORIES = new Set(['resolved', 'closed', 'cancelled'])

/**
 * What leaves the server about a ticket. Customers get the portal projection: no team, no spam
 * or deletion state, and none of the custom fields marked internal (`internalFieldKeys`).
 */
export function presentTicket(row: TicketRow, actor: Actor, internalFieldKeys: ReadonlySet<string> = new Set()): TicketOut {
  const customer = isCustomer(actor)
  const custom = { ...(row.custom_fields ?? {}) }
  if (customer) for (const key of internalFieldKeys) delete custom[key]
  const out: TicketOut = {
    id: row.id,
    number: row.number,
    ticket_number: formatTicketNumber(row.ticket_prefix, row.number),
    subject: row.subject,
    description: row.description_html,
    status: { id: row.status_id, name: row.status_name, category: row.status_category, color: row.status_color },
    priority: row.priority,
    category: row.category_id && row.category_name ? { id: row.category_id, name: row.category_name } : null,
    source: row.source,
    requester: row.requester_id && row.requester_name ? { id: row.requester_id, name: row.requester_name, email: row.requester_email } : null,
    company: row.company_id && row.company_name ? { id: row.company_id, name: row.company_name } : null,
    assignee: row.assignee_id && row.assignee_name ? { id: row.assignee_id, name: row.assignee_name } : null,
    team: !customer && row.team_id && row.team_name ? { id: row.team_id, name: row.team_name } : null,
    tags: row.tags,
    cc: row.cc_emails,
    custom_fields: custom,
    due_at: row.due_at,
    is_overdue: row.due_at !== null && Date.parse(row.due_at) < Date.now() && !CLOSED_CATEGORIES.has(row.status_category),
    first_response_at: row.first_response_at,
    resolved_at: row.resolved_at,
    closed_at: row.closed_at,
    merged_into_id: row.merged_into_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
  if (!customer) {
    out.is_spam = row.is_spam
    out.deleted_at = row.deleted_at
  }
  return out
}

/** Keys of the organization's internal ticket custom fields (hidden from customers). */
export async function internalTicketFieldKeys(tx: Tx): Promise<Set<string>> {
  const rows = await tx.selectFrom('custom_fields').select('key').where('entity', '=', 'ticket').where('is_internal', '=', true).execute()
  return new Set(rows.map((r) => r.key))
}

/**
 * A ticket the actor may see, or 404 — the same answer for another organization's ticket, one
 * outside the actor's scope and one that does not exist. Deleted tickets only with
 * `includeDeleted` (for restore and the trash view).
 */
export async function loadVisibleTicket(tx: Tx, actor: Actor, id: string, opts: { includeDeleted?: boolean; forUpdate?: boolean } = {}): Promise<TicketRow> {
  const { rows } = await tx.executeQuery(compiledLoad(tx, actor, opts, id))
  const row = rows[0]
  if (!row) throw notFound('Ticket')
  return row
}

/** Stand-ins for the values that vary between calls of one shape of loadVisibleTicket. */
const ID = '\u0000ticket-id'
const ME = '\u0000actor-user-id'
const compiledLoads = new Map<string, CompiledQuery<TicketRow>>()

/**
 * The statement of loadVisibleTicket, built and compiled once per shape (visibility rule and
 * options) instead of on every call — building the eight-join read model was a sixth of the CPU
 * of reading a ticket — with this call's ticket id and user id put in place of the stand-ins.
 */
function compiledLoad(tx: Tx, actor: Actor, opts: { includeDeleted?: boolean; forUpdate?: boolean }, id: string): CompiledQuery<TicketRow> {
  const key = `${actor.role.kind}|${actor.kind}|${actor.role.ticketScope}|${actor.userId ? 'me' : ''}|${opts.includeDeleted ? 'd' : ''}|${opts.forUpdate ? 'u' : ''}`
  let compiled = compiledLoads.get(key)
  if (!compiled) {
    let q = selectTickets(tx).where('t.id', '=', ID).where(visibleTo({ ...actor, userId: actor.userId ? ME : null }))
    if (!opts.includeDeleted) q = q.where('t.deleted_at', 'is', null)
    // NO KEY UPDATE: the row is changed but never its key, so inserts elsewhere that only reference the
    // ticket (FOR KEY SHARE through foreign keys: comments, history, queued mail) need not wait.
    if (opts.forUpdate) q = q.forNoKeyUpdate('t')
    compiled = q.compile()
    compiledLoads.set(key, compiled)
  }
  const parameters = compiled.parameters.map((p) => (p === ID ? id : p === ME ? actor.userId : p))
  return { ...compiled, parameters }
}
