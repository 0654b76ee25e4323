import { expect } from 'vitest'
import type { App } from '../../app.js'
import { withTenant } from '../../platform/db/tenant.js'
import { uuidv7 } from '../../platform/ids.js'
import { call, type Session } from '../../../../test/helpers.js'
import type { CompanyOut } from '../companies/present.js'
import type { ContactOut } from './present.js'

/** Test factories for the contact and company tests (not used by the app). */
export function factories(app: App) {
  let ticketNumber = 1_000_000

  async function newContact(as: Session, body: Record<string, unknown>): Promise<ContactOut> {
    const res = await call(app, 'POST', '/api/v1/contacts', { token: as.token, body })
    expect(res.statusCode, res.body).toBe(201)
    return res.json.data as ContactOut
  }

  async function newCompany(as: Session, body: Record<string, unknown>): Promise<CompanyOut> {
    const res = await call(app, 'POST', '/api/v1/companies', { token: as.token, body })
    expect(res.statusCode, res.body).toBe(201)
    return res.json.data as CompanyOut
  }

  /** A ticket written straight to the database (the ticket routes are another module's). */
  async function newTicket(as: Session, values: { requester_id?: string | null; company_id?: string | null; subject?: string; category?: 'new' | 'open' | 'closed'; assignee_id?: string | null }): Promise<string> {
    const id = uuidv7()
    await withTenant(app.ctx.db, { tenantId: as.tenantId, userId: as.userId }, async (tx) => {
      const status = await tx.selectFrom('ticket_statuses').select('id').where('category', '=', values.category ?? 'open').orderBy('position').limit(1).executeTakeFirstOrThrow()
      await tx.insertInto('tickets').values({
        tenant_id: as.tenantId, id, number: ++ticketNumber, subject: values.subject ?? `Ticket ${ticketNumber}`, status_id: status.id,
        requester_id: values.requester_id ?? null, company_id: values.company_id ?? null, assignee_id: values.assignee_id ?? null, custom_fields: '{}',
      }).execute()
    })
    return id
  }

  return { newContact, newCompany, newTicket }
}
