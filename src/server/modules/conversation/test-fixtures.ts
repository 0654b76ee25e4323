/**
 * Factories for the conversation tests (not used by the app): an organization with one person
 * per role, tickets opened through the API, multipart bodies and direct reads of what the API
 * does not show (history rows, outbox events).
 */
import { randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import type { App } from '../../app.js'
import type { Tx } from '../../platform/db/schema.js'
import { withSystem, withTenant } from '../../platform/db/tenant.js'
import { addMember, call, registerOrg, type Session } from '../../../../test/helpers.js'

export interface Org {
  admin: Session
  manager: Session
  agent: Session
  viewer: Session
  customer: Session
  /** A second customer of the same organization. */
  otherCustomer: Session
  /** An agent API key's secret. */
  apiKey: string
}

export async function setupOrg(app: App): Promise<Org> {
  const admin = await registerOrg(app)
  const [manager, agent, viewer, customer, otherCustomer] = [
    await addMember(app, admin, 'manager'), await addMember(app, admin, 'agent'), await addMember(app, admin, 'viewer'),
    await addMember(app, admin, 'customer'), await addMember(app, admin, 'customer'),
  ]
  const key = await call(app, 'POST', '/api/v1/api-keys', { token: admin.token, body: { name: `key ${randomBytes(3).toString('hex')}`, role: 'agent' } })
  expect(key.statusCode, key.body).toBe(201)
  return { admin, manager, agent, viewer, customer, otherCustomer, apiKey: (key.json.data as { key: string }).key }
}

export function asTenant<T>(app: App, s: Pick<Session, 'tenantId' | 'userId'>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withTenant(app.ctx.db, { tenantId: s.tenantId, userId: s.userId }, fn)
}

/** The response's `data`, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test responses are checked field by field
export const data = (res: { json: Record<string, unknown> }): any => res.json.data

/** Opens a ticket through the API as `as` (a customer opens one for themselves) and returns it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test responses are checked field by field
export async function openTicket(app: App, as: Session | string, body: Record<string, unknown> = {}): Promise<any> {
  const token = typeof as === 'string' ? as : as.token
  const res = await call(app, 'POST', '/api/v1/tickets', { token, body: { subject: `Ticket ${randomBytes(3).toString('hex')}`, description_text: 'It broke.', ...body } })
  expect(res.statusCode, res.body).toBe(201)
  return data(res)
}

export async function postComment(app: App, as: Session | string, ticketId: string, body: Record<string, unknown>, status = 201) {
  const token = typeof as === 'string' ? as : as.token
  const res = await call(app, 'POST', `/api/v1/tickets/${ticketId}/comments`, { token, body })
  expect(res.statusCode, res.body).toBe(status)
  return data(res)
}

export interface FilePart {
  filename: string
  data: Buffer | string
  field?: string
  type?: string
}

/** A multipart/form-data body with the given file parts, for `call(…, { body, headers })`. */
export function multipart(files: FilePart[]): { body: Buffer; headers: Record<string, string> } {
  const boundary = `----aidly${randomBytes(8).toString('hex')}`
  const chunks: Buffer[] = []
  for (const f of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field ?? 'file'}"; filename="${f.filename}"\r\nContent-Type: ${f.type ?? 'application/octet-stream'}\r\n\r\n`))
    chunks.push(Buffer.isBuffer(f.data) ? f.data : Buffer.from(f.data))
    chunks.push(Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { body: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

export async function upload(app: App, as: Session | string, ticketId: string, files: FilePart[]) {
  const token = typeof as === 'string' ? as : as.token
  return call(app, 'POST', `/api/v1/tickets/${ticketId}/attachments`, { token, ...multipart(files) })
}

export async function historyRows(app: App, s: Session, ticketId: string) {
  return asTenant(app, s, (tx) => tx.selectFrom('ticket_history').select(['field', 'old_value', 'new_value', 'actor_id'])
    .where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute())
}

export async function outboxEvents(app: App, tenantId: string, type: string) {
  const rows = await withSystem(app.ctx.db, (tx) => tx.selectFrom('outbox').select(['payload']).where('tenant_id', '=', tenantId).where('type', '=', type).orderBy('id').execute())
  return rows.map((r) => r.payload)
}

/** The organization's first status of a category. */
export async function statusOf(app: App, s: Session, category: 'open' | 'pending' | 'resolved' | 'closed'): Promise<string> {
  const row = await asTenant(app, s, (tx) => tx.selectFrom('ticket_statuses').select('id').where('category', '=', category).orderBy('position').executeTakeFirstOrThrow())
  return row.id
}

export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)])
