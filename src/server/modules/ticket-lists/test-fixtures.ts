/**
 * Factories for the ticket-list tests (not used by the app). Tickets whose timestamps a test must
 * control are written straight to the database in the organization's tenant transaction, taking
 * their numbers from the organization's counter so they never collide with tickets opened
 * through the API.
 */
import { sql } from 'kysely'
import type { App } from '../../app.js'
import type { Priority, StatusCategory, TicketSource } from '../../platform/db/schema.js'
import { uuidv7 } from '../../platform/ids.js'
import type { Session } from '../../../../test/helpers.js'
import { asTenant, newContact, statusIds } from '../tickets/test-support.js'

export interface TicketSpec {
  subject?: string
  description?: string
  category?: StatusCategory
  status_id?: string
  priority?: Priority
  source?: TicketSource
  assignee_id?: string | null
  team_id?: string | null
  requester_id?: string | null
  company_id?: string | null
  category_id?: string | null
  tags?: string[]
  custom_fields?: Record<string, unknown>
  due_at?: string | null
  created_at?: string
  updated_at?: string
  deleted_at?: string | null
  is_spam?: boolean
}

/** Inserts tickets (in order, numbered from the counter) and returns their ids and numbers. */
export async function insertTickets(app: App, s: Session, specs: TicketSpec[]): Promise<Array<{ id: string; number: number }>> {
  const statuses = await statusIds(app, s)
  return asTenant(app, s, async (tx) => {
    const counter = await tx.updateTable('ticket_counters').set({ last_number: sql`last_number + ${specs.length}` })
      .where('tenant_id', '=', s.tenantId).returning('last_number').executeTakeFirstOrThrow()
    const first = Number(counter.last_number) - specs.length + 1
    const out: Array<{ id: string; number: number }> = []
    for (const [i, spec] of specs.entries()) {
      const id = uuidv7()
      const number = first + i
      const description = spec.description ?? ''
      await tx.insertInto('tickets').values({
        tenant_id: s.tenantId, id, number,
        subject: spec.subject ?? `Ticket ${number}`,
        description_html: description, description_text: description,
        status_id: spec.status_id ?? statuses[spec.category ?? 'open'],
        priority: spec.priority ?? 'medium',
        source: spec.source ?? 'web_form',
        assignee_id: spec.assignee_id ?? null,
        team_id: spec.team_id ?? null,
        requester_id: spec.requester_id ?? null,
        company_id: spec.company_id ?? null,
        category_id: spec.category_id ?? null,
        tags: spec.tags ?? [],
        custom_fields: JSON.stringify(spec.custom_fields ?? {}),
        due_at: spec.due_at ?? null,
        ...(spec.created_at ? { created_at: spec.created_at } : {}),
        updated_at: spec.updated_at ?? spec.created_at ?? new Date().toISOString(),
        deleted_at: spec.deleted_at ?? null,
        is_spam: spec.is_spam ?? false,
      }).execute()
      out.push({ id, number })
    }
    return out
  })
}

/** The contact a customer member acts as: the one linked to their user, made when there is none yet. */
export async function contactOf(app: App, org: Session, customer: Session): Promise<string> {
  const linked = await asTenant(app, org, (tx) => tx.selectFrom('contacts').select('id')
    .where('user_id', '=', customer.userId).where('deleted_at', 'is', null).executeTakeFirst())
  return linked?.id ?? newContact(app, org, customer.email, null, customer.userId)
}

/** Adds a comment straight to the database. */
export async function insertComment(app: App, s: Session, ticketId: string, body: string, opts: { internal?: boolean } = {}): Promise<string> {
  const id = uuidv7()
  await asTenant(app, s, (tx) => tx.insertInto('comments').values({
    tenant_id: s.tenantId, id, ticket_id: ticketId, author_user_id: s.userId, body_html: body, body_text: body, is_internal: opts.internal ?? false,
  }).execute())
  return id
}

/** An ISO time `minutes` from now (negative: in the past). */
export const minutesFromNow = (minutes: number): string => new Date(Date.now() + minutes * 60_000).toISOString()
