/**
 * Factories for the ticket tests (not used by the app). Setup that belongs to other modules —
 * companies, custom fields, categories, statuses — is written straight to the database in the
 * organization's tenant transaction, so these tests do not depend on those modules' routes.
 */
import { expect } from 'vitest'
import type { App } from '../../app.js'
import type { CustomFieldType, StatusCategory, Tx } from '../../platform/db/schema.js'
import { withSystem, withTenant } from '../../platform/db/tenant.js'
import { uuidv7 } from '../../platform/ids.js'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { call, type Session } from '../../../../test/helpers.js'
import { cacheChanged } from '../../platform/shared-cache.js'

/** A response body the tests read freely (what the `*.test.ts` lint override allows in test files). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test-only: bodies are poked into, not typed
export type Json = any

/** `call` from test/helpers with the body typed loosely, for reading nested fields in assertions. */
export function api(app: App, method: InjectOptions['method'], url: string, opts: { token?: string; body?: unknown } = {}): Promise<LightMyRequestResponse & { json: Json }> {
  return call(app, method, url, opts)
}

export function asTenant<T>(app: App, s: Pick<Session, 'tenantId' | 'userId'>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withTenant(app.ctx.db, { tenantId: s.tenantId, userId: s.userId }, fn)
}

/** Opens a ticket through the API as `token` and returns the presented ticket (expects 201). */
export async function openTicket(app: App, token: string, body: Record<string, unknown> = {}): Promise<Json> {
  const res = await api(app, 'POST', '/api/v1/tickets', { token, body: { subject: 'Printer on fire', ...body } })
  expect(res.statusCode, res.body).toBe(201)
  return res.json.data
}

export async function newApiKey(app: App, admin: Session, role = 'agent'): Promise<string> {
  const res = await api(app, 'POST', '/api/v1/api-keys', { token: admin.token, body: { name: `key ${uuidv7().slice(-6)}`, role } })
  expect(res.statusCode, res.body).toBe(201)
  return (res.json.data as { key: string }).key
}

export async function newTeam(app: App, admin: Session, members: Session[] = []): Promise<string> {
  const res = await api(app, 'POST', '/api/v1/teams', { token: admin.token, body: { name: `Team ${uuidv7().slice(-8)}` } })
  expect(res.statusCode, res.body).toBe(201)
  const id = (res.json.data as { id: string }).id
  for (const m of members) {
    const added = await call(app, 'POST', `/api/v1/teams/${id}/members`, { token: admin.token, body: { user_id: m.userId } })
    expect(added.statusCode, added.body).toBe(201)
  }
  return id
}

export async function newCompany(app: App, s: Session, name: string, domains: string[] = []): Promise<string> {
  const id = uuidv7()
  await asTenant(app, s, (tx) => tx.insertInto('companies').values({ tenant_id: s.tenantId, id, name, domains, custom_fields: '{}' }).execute())
  return id
}

export async function newContact(app: App, s: Session, email: string, companyId: string | null = null, userId: string | null = null): Promise<string> {
  const id = uuidv7()
  await asTenant(app, s, (tx) => tx.insertInto('contacts').values({
    tenant_id: s.tenantId, id, email, name: email.split('@')[0]!, company_id: companyId, user_id: userId, phones: '[]', address: '{}', custom_fields: '{}',
  }).execute())
  return id
}

export async function newCategory(app: App, s: Session, name: string, isActive = true): Promise<string> {
  const id = uuidv7()
  await asTenant(app, s, (tx) => tx.insertInto('ticket_categories').values({ tenant_id: s.tenantId, id, name, is_active: isActive }).execute())
  return id
}

export async function newCustomField(app: App, s: Session, key: string, type: CustomFieldType, extra: { is_internal?: boolean; is_required?: boolean; options?: string[] } = {}): Promise<void> {
  await asTenant(app, s, (tx) => {
    cacheChanged('tenant-config')
    return tx.insertInto('custom_fields').values({
      tenant_id: s.tenantId, id: uuidv7(), entity: 'ticket', key, label: key, type,
      options: JSON.stringify((extra.options ?? []).map((v) => ({ value: v, label: v }))),
      is_internal: extra.is_internal ?? false, is_required: extra.is_required ?? false,
    }).execute()
  })
}

/** The organization's statuses by category (the first of each). */
export async function statusIds(app: App, s: Session): Promise<Record<StatusCategory, string>> {
  const rows = await asTenant(app, s, (tx) => tx.selectFrom('ticket_statuses').select(['id', 'category']).orderBy('position', 'desc').execute())
  return Object.fromEntries(rows.map((r) => [r.category, r.id])) as Record<StatusCategory, string>
}

export async function historyRows(app: App, s: Session, ticketId: string) {
  return asTenant(app, s, (tx) => tx.selectFrom('ticket_history').select(['field', 'old_value', 'new_value', 'actor_id', 'actor_kind'])
    .where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute())
}

export async function outboxEvents(app: App, tenantId: string, type: string, ticketId: string) {
  const rows = await withSystem(app.ctx.db, (tx) => tx.selectFrom('outbox').select(['type', 'payload']).where('tenant_id', '=', tenantId).where('type', '=', type).orderBy('id').execute())
  return rows.filter((r) => r.payload.ticket_id === ticketId).map((r) => r.payload)
}

export async function setOrganization(app: App, admin: Session, body: Record<string, unknown>): Promise<void> {
  const res = await api(app, 'PATCH', '/api/v1/organization', { token: admin.token, body })
  expect(res.statusCode, res.body).toBe(200)
}
