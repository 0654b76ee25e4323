import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { withTenant } from '../../platform/db/tenant.js'
import { AppError } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { addMember, call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { assertTransitionAllowed } from './transitions.js'

let app: App
let admin: Session
let manager: Session
let agent: Session
let viewer: Session
let customer: Session
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  manager = await addMember(app, admin, 'manager')
  agent = await addMember(app, admin, 'agent')
  viewer = await addMember(app, admin, 'viewer')
  customer = await addMember(app, admin, 'customer')
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

const data = (res: { json: Record<string, unknown> }): any => res.json.data
const unique = (name: string) => `${name} ${Math.random().toString(36).slice(2, 8)}`

async function list(s: Session): Promise<any[]> {
  const res = await call(app, 'GET', '/api/v1/ticket-statuses', { token: s.token })
  expect(res.statusCode, res.body).toBe(200)
  return data(res)
}

async function newStatus(s: Session, body: Record<string, unknown>): Promise<any> {
  const res = await call(app, 'POST', '/api/v1/ticket-statuses', { token: s.token, body })
  expect(res.statusCode, res.body).toBe(201)
  return data(res)
}

let ticketNumber = 1000
/** Inserts tickets straight into the table (the tickets module is not under test here). */
async function insertTickets(s: Session, statusId: string, n: number, extra: Record<string, unknown> = {}): Promise<string[]> {
  const ids = Array.from({ length: n }, () => uuidv7())
  await withTenant(app.ctx.db, { tenantId: s.tenantId, userId: s.userId }, (tx) => tx.insertInto('tickets').values(ids.map((id) => ({
    tenant_id: s.tenantId, id, number: ticketNumber++, subject: `Ticket ${id}`, status_id: statusId, ...extra,
  }))).execute())
  return ids
}

function inTenant<T>(s: Session, fn: Parameters<typeof withTenant<T>>[2]): Promise<T> {
  return withTenant(app.ctx.db, { tenantId: s.tenantId, userId: s.userId }, fn)
}

describe('ticket statuses', () => {
  it('every organization starts with the seven default statuses, "New" the default, ordered by position', async () => {
    const org = await registerOrg(app)
    const statuses = await list(org)
    expect(statuses.map((s) => [s.name, s.category, s.is_default])).toEqual([
      ['New', 'new', true], ['Open', 'open', false], ['Pending', 'pending', false], ['On hold', 'on_hold', false],
      ['Resolved', 'resolved', false], ['Closed', 'closed', false], ['Cancelled', 'cancelled', false],
    ])
    expect(statuses.every((s) => Array.isArray(s.transitions) && s.transitions.length === 0 && s.is_active)).toBe(true)
  })

  it('shows customers the statuses without workflow settings', async () => {
    const statuses = await list(customer)
    expect(statuses.length).toBeGreaterThanOrEqual(7)
    expect(Object.keys(statuses[0]).sort()).toEqual(['category', 'color', 'id', 'name', 'position'])
    expect(Object.keys((await list(viewer))[0])).toContain('transitions')
  })

  it('creates, renames, recolors and deactivates a status; names are unique in any letter case', async () => {
    const name = unique('Waiting on vendor')
    const created = await newStatus(manager, { name, category: 'pending', color: '#AABBCC' })
    expect(created).toMatchObject({ name, category: 'pending', color: '#aabbcc', is_default: false, is_active: true, transitions: [] })
    // appended after the others
    const all = await list(admin)
    expect(all.at(-1).id).toBe(created.id)

    const dup = await call(app, 'POST', '/api/v1/ticket-statuses', { token: admin.token, body: { name: name.toUpperCase(), category: 'open' } })
    expect(dup.statusCode).toBe(409)
    expect(dup.json.error).toMatchObject({ code: 'conflict', details: [expect.objectContaining({ field: 'name' })] })
    // the same name is fine in another organization
    await newStatus(stranger, { name, category: 'open' })

    const patched = await call(app, 'PATCH', `/api/v1/ticket-statuses/${created.id}`, { token: admin.token, body: { name: `${name} 2`, color: '#123456', is_active: false, position: 42 } })
    expect(patched.statusCode, patched.body).toBe(200)
    expect(data(patched)).toMatchObject({ name: `${name} 2`, color: '#123456', is_active: false, position: 42 })
    const renameToTaken = await call(app, 'PATCH', `/api/v1/ticket-statuses/${created.id}`, { token: admin.token, body: { name: 'open' } })
    expect(renameToTaken.statusCode).toBe(409)
    // renaming to its own name in another case is fine
    expect((await call(app, 'PATCH', `/api/v1/ticket-statuses/${created.id}`, { token: admin.token, body: { name: `${name} 2`.toUpperCase() } })).statusCode).toBe(200)
  })

  it('validates input, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'X', category: 'done' }, 'category'],
      [{ name: '', category: 'open' }, 'name'],
      [{ name: '   ', category: 'open' }, 'name'],
      [{ name: 'X', category: 'open', color: 'red' }, 'color'],
      [{ name: 'x'.repeat(61), category: 'open' }, 'name'],
      [{ name: 'X', category: 'open', extra: 1 }, 'extra'],
      [{ name: unique('Done'), category: 'resolved', is_default: true }, 'is_default'],
    ]
    for (const [body, field] of cases) {
      const res = await call(app, 'POST', '/api/v1/ticket-statuses', { token: admin.token, body })
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
      expect(res.json.error, JSON.stringify(body)).toMatchObject({ details: [expect.objectContaining({ field })] })
    }
  })

  it('moves the default: creating or patching with is_default leaves exactly one default', async () => {
    const org = await registerOrg(app)
    const triage = await newStatus(org, { name: 'Triage', category: 'new', is_default: true })
    let statuses = await list(org)
    expect(statuses.filter((s) => s.is_default).map((s) => s.id)).toEqual([triage.id])
    const open = statuses.find((s) => s.name === 'Open')
    const patched = await call(app, 'PATCH', `/api/v1/ticket-statuses/${open.id}`, { token: org.token, body: { is_default: true } })
    expect(data(patched)).toMatchObject({ is_default: true })
    statuses = await list(org)
    expect(statuses.filter((s) => s.is_default).map((s) => s.id)).toEqual([open.id])

    // the default cannot be switched off, deactivated or moved to a closed-kind category
    for (const [body, status, field] of [[{ is_default: false }, 409, 'is_default'], [{ is_active: false }, 409, 'is_active'], [{ category: 'closed' }, 400, 'category']] as const) {
      const res = await call(app, 'PATCH', `/api/v1/ticket-statuses/${open.id}`, { token: org.token, body })
      expect(res.statusCode, JSON.stringify(body)).toBe(status)
      expect(res.json.error).toMatchObject({ details: [expect.objectContaining({ field })] })
    }
    // an inactive or closed-kind status cannot become the default
    const closed = statuses.find((s) => s.name === 'Closed')
    expect((await call(app, 'PATCH', `/api/v1/ticket-statuses/${closed.id}`, { token: org.token, body: { is_default: true } })).statusCode).toBe(400)
    expect((await call(app, 'PATCH', `/api/v1/ticket-statuses/${triage.id}`, { token: org.token, body: { is_default: true, is_active: false } })).statusCode).toBe(400)
    expect((await list(org)).filter((s) => s.is_default).map((s) => s.id)).toEqual([open.id])

    // concurrent default moves still end with exactly one default
    const raced = await Promise.all(statuses.filter((s) => ['new', 'open', 'pending', 'on_hold'].includes(s.category)).map((s) =>
      call(app, 'PATCH', `/api/v1/ticket-statuses/${s.id}`, { token: org.token, body: { is_default: true } })))
    expect(raced.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200])
    expect((await list(org)).filter((s) => s.is_default)).toHaveLength(1)
  })

  it('changes the category of a status in use; its tickets stay and count under the new category', async () => {
    const org = await registerOrg(app)
    const waiting = await newStatus(org, { name: 'Waiting', category: 'pending' })
    const [ticket] = await insertTickets(org, waiting.id, 1)
    const res = await call(app, 'PATCH', `/api/v1/ticket-statuses/${waiting.id}`, { token: org.token, body: { category: 'on_hold' } })
    expect(res.statusCode).toBe(200)
    expect(data(res)).toMatchObject({ category: 'on_hold' })
    const row = await inTenant(org, (tx) => tx.selectFrom('tickets').select(['status_id', 'resolved_at']).where('id', '=', ticket!).executeTakeFirstOrThrow())
    expect(row).toEqual({ status_id: waiting.id, resolved_at: null })
  })

  it('keeps the last status of category "new" in that category', async () => {
    const org = await registerOrg(app)
    const statuses = await list(org)
    const fresh = statuses.find((s) => s.category === 'new')
    const other = statuses.find((s) => s.name === 'Open')
    await call(app, 'PATCH', `/api/v1/ticket-statuses/${other.id}`, { token: org.token, body: { is_default: true } })
    const res = await call(app, 'PATCH', `/api/v1/ticket-statuses/${fresh.id}`, { token: org.token, body: { category: 'open' } })
    expect(res.statusCode).toBe(409)
    expect(res.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'category' })] })
  })

  it('reorders: the listed statuses first, in that order, the rest after in their order', async () => {
    const org = await registerOrg(app)
    const before = await list(org)
    const [n, o, p, h, r, c, x] = before.map((s) => s.id)
    const res = await call(app, 'POST', '/api/v1/ticket-statuses/reorder', { token: org.token, body: { ids: [c, r, n] } })
    expect(res.statusCode, res.body).toBe(200)
    expect(data(res).map((s: any) => s.id)).toEqual([c, r, n, o, p, h, x])
    expect(data(res).map((s: any) => s.position)).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect((await list(org)).map((s) => s.id)).toEqual([c, r, n, o, p, h, x])

    const dup = await call(app, 'POST', '/api/v1/ticket-statuses/reorder', { token: org.token, body: { ids: [c, c] } })
    expect(dup.statusCode).toBe(400)
    expect(dup.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'ids.1' })] })
    const theirs = (await list(stranger))[0].id
    const foreign = await call(app, 'POST', '/api/v1/ticket-statuses/reorder', { token: org.token, body: { ids: [c, theirs] } })
    expect(foreign.statusCode).toBe(400)
    expect(foreign.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'ids.1' })] })
    expect((await list(org)).map((s) => s.id)).toEqual([c, r, n, o, p, h, x])
  })
})

describe('status transitions', () => {
  it('sets, lists and clears the allowed next statuses; assertTransitionAllowed enforces them', async () => {
    const org = await registerOrg(app)
    const byName = Object.fromEntries((await list(org)).map((s) => [s.name, s.id])) as Record<string, string>
    const res = await call(app, 'PUT', `/api/v1/ticket-statuses/${byName.New}/transitions`, { token: org.token, body: { to: [byName.Open, byName.Cancelled, byName.Open] } })
    expect(res.statusCode, res.body).toBe(200)
    expect(data(res).transitions).toEqual([byName.Open, byName.Cancelled])
    expect((await list(org)).find((s) => s.id === byName.New).transitions).toEqual([byName.Open, byName.Cancelled])

    await inTenant(org, async (tx) => {
      await assertTransitionAllowed(tx, byName.New!, byName.Open!)
      await assertTransitionAllowed(tx, byName.New!, byName.New!)
      // no transitions defined for Open: anything goes
      await assertTransitionAllowed(tx, byName.Open!, byName.Closed!)
      const error = await assertTransitionAllowed(tx, byName.New!, byName.Resolved!).then(() => null, (e: unknown) => e)
      expect(error).toBeInstanceOf(AppError)
      expect(error).toMatchObject({ status: 422, code: 'unprocessable', details: [expect.objectContaining({ field: 'status_id' })] })
      expect((error as AppError).message).toContain('"Open"')
    })

    const cleared = await call(app, 'PUT', `/api/v1/ticket-statuses/${byName.New}/transitions`, { token: org.token, body: { to: [] } })
    expect(data(cleared).transitions).toEqual([])
    await inTenant(org, (tx) => assertTransitionAllowed(tx, byName.New!, byName.Resolved!))
  })

  it('refuses targets outside the organization, unknown ones and the status itself', async () => {
    const org = await registerOrg(app)
    const [first, second] = await list(org)
    const theirs = (await list(stranger))[0].id
    for (const [to, field] of [[[second.id, theirs], 'to.1'], [[uuidv7()], 'to.0'], [[first.id], 'to.0']] as const) {
      const res = await call(app, 'PUT', `/api/v1/ticket-statuses/${first.id}/transitions`, { token: org.token, body: { to } })
      expect(res.statusCode).toBe(400)
      expect(res.json.error).toMatchObject({ code: 'validation_error', details: [expect.objectContaining({ field })] })
    }
    expect((await list(org))[0].transitions).toEqual([])
  })
})

describe('deleting a status', () => {
  it('deletes an unused status', async () => {
    const org = await registerOrg(app)
    const spare = await newStatus(org, { name: 'Spare', category: 'open' })
    const res = await call(app, 'DELETE', `/api/v1/ticket-statuses/${spare.id}`, { token: org.token })
    expect(res.statusCode, res.body).toBe(200)
    expect(data(res)).toEqual({ id: spare.id, tickets_moved: 0, replaced_with: null })
    expect((await list(org)).some((s) => s.id === spare.id)).toBe(false)
    expect((await call(app, 'DELETE', `/api/v1/ticket-statuses/${spare.id}`, { token: org.token })).statusCode).toBe(404)
  })

  it('refuses a status in use without replace_with (naming the count), then moves its tickets and records each move', async () => {
    const org = await registerOrg(app)
    const byName = Object.fromEntries((await list(org)).map((s) => [s.name, s])) as Record<string, any>
    const done = await newStatus(org, { name: 'Done', category: 'resolved' })
    const tickets = await insertTickets(org, done.id, 3, { resolved_at: '2026-01-01T00:00:00Z' })
    // a soft-deleted ticket still references the status and moves too
    const [deleted] = await insertTickets(org, done.id, 1, { deleted_at: '2026-01-02T00:00:00Z' })
    // transitions into the deleted status lead to the replacement afterwards
    await call(app, 'PUT', `/api/v1/ticket-statuses/${byName.Pending.id}/transitions`, { token: org.token, body: { to: [done.id] } })

    const refused = await call(app, 'DELETE', `/api/v1/ticket-statuses/${done.id}`, { token: org.token })
    expect(refused.statusCode).toBe(409)
    expect(refused.json.error).toMatchObject({ code: 'conflict', details: [expect.objectContaining({ field: 'replace_with' })] })
    expect((refused.json.error as any).message).toContain('4 tickets')

    const self = await call(app, 'DELETE', `/api/v1/ticket-statuses/${done.id}?replace_with=${done.id}`, { token: org.token })
    expect(self.statusCode).toBe(400)
    const theirs = (await list(stranger))[0].id
    const foreign = await call(app, 'DELETE', `/api/v1/ticket-statuses/${done.id}?replace_with=${theirs}`, { token: org.token })
    expect(foreign.statusCode).toBe(400)
    expect(foreign.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'replace_with' })] })

    const res = await call(app, 'DELETE', `/api/v1/ticket-statuses/${done.id}?replace_with=${byName.Closed.id}`, { token: org.token })
    expect(res.statusCode, res.body).toBe(200)
    expect(data(res)).toEqual({ id: done.id, tickets_moved: 4, replaced_with: byName.Closed.id })

    await inTenant(org, async (tx) => {
      const rows = await tx.selectFrom('tickets').select(['id', 'status_id', 'resolved_at', 'closed_at']).where('id', 'in', [...tickets, deleted!]).execute()
      expect(rows.every((r) => r.status_id === byName.Closed.id)).toBe(true)
      // entering a closed status stamps closed_at and keeps resolved_at
      expect(rows.filter((r) => tickets.includes(r.id)).every((r) => r.closed_at !== null && Date.parse(r.resolved_at!) === Date.parse('2026-01-01T00:00:00Z'))).toBe(true)
      const history = await tx.selectFrom('ticket_history').selectAll().where('ticket_id', 'in', [...tickets, deleted!]).execute()
      expect(history).toHaveLength(4)
      for (const h of history) {
        expect(h).toMatchObject({
          field: 'status', actor_id: org.userId, actor_kind: 'user',
          old_value: { id: done.id, name: 'Done', category: 'resolved' }, new_value: { id: byName.Closed.id, name: 'Closed', category: 'closed' },
        })
      }
      const audit = await tx.selectFrom('audit_events').select(['action', 'data']).where('subject_id', '=', done.id).orderBy('created_at', 'desc').executeTakeFirstOrThrow()
      expect(audit).toMatchObject({ action: 'ticket_status.deleted', data: { tickets_moved: 4, replaced_with: byName.Closed.id } })
    })
    expect((await list(org)).find((s) => s.id === byName.Pending.id).transitions).toEqual([byName.Closed.id])
  })

  it('refuses to delete the only allowed next status of another status unless a replacement takes its place', async () => {
    const org = await registerOrg(app)
    const byName = Object.fromEntries((await list(org)).map((s) => [s.name, s])) as Record<string, any>
    const review = await newStatus(org, { name: 'Review', category: 'pending' })
    await call(app, 'PUT', `/api/v1/ticket-statuses/${byName.Open.id}/transitions`, { token: org.token, body: { to: [review.id] } })
    await call(app, 'PUT', `/api/v1/ticket-statuses/${byName.Pending.id}/transitions`, { token: org.token, body: { to: [review.id, byName.Closed.id] } })
    const refused = await call(app, 'DELETE', `/api/v1/ticket-statuses/${review.id}`, { token: org.token })
    expect(refused.statusCode).toBe(409)
    expect((refused.json.error as any).message).toContain('"Open"')
    expect((refused.json.error as any).message).not.toContain('"Pending"')
    // replacing it with "Open" itself would leave Open without a next status too
    expect((await call(app, 'DELETE', `/api/v1/ticket-statuses/${review.id}?replace_with=${byName.Open.id}`, { token: org.token })).statusCode).toBe(409)
    const res = await call(app, 'DELETE', `/api/v1/ticket-statuses/${review.id}?replace_with=${byName.Resolved.id}`, { token: org.token })
    expect(res.statusCode, res.body).toBe(200)
    const after = Object.fromEntries((await list(org)).map((s) => [s.name, s.transitions]))
    expect(after.Open).toEqual([byName.Resolved.id])
    expect(after.Pending).toEqual([byName.Resolved.id, byName.Closed.id])
  })

  it('never deletes the default status or the last "new" one', async () => {
    const org = await registerOrg(app)
    const byName = Object.fromEntries((await list(org)).map((s) => [s.name, s])) as Record<string, any>
    const def = await call(app, 'DELETE', `/api/v1/ticket-statuses/${byName.New.id}`, { token: org.token })
    expect(def.statusCode).toBe(409)
    await call(app, 'PATCH', `/api/v1/ticket-statuses/${byName.Open.id}`, { token: org.token, body: { is_default: true } })
    const lastNew = await call(app, 'DELETE', `/api/v1/ticket-statuses/${byName.New.id}`, { token: org.token })
    expect(lastNew.statusCode).toBe(409)
    expect((lastNew.json.error as any).message).toContain('last status of category "new"')
    // with a second "new" status, the first may go
    await newStatus(org, { name: 'Fresh', category: 'new' })
    expect((await call(app, 'DELETE', `/api/v1/ticket-statuses/${byName.New.id}`, { token: org.token })).statusCode).toBe(200)
  })
})

describe('status settings are audited', () => {
  it('records create, update, transitions, reorder and delete', async () => {
    const org = await registerOrg(app)
    const s = await newStatus(org, { name: 'Audited', category: 'open' })
    await call(app, 'PATCH', `/api/v1/ticket-statuses/${s.id}`, { token: org.token, body: { color: '#000000' } })
    await call(app, 'PUT', `/api/v1/ticket-statuses/${s.id}/transitions`, { token: org.token, body: { to: [] } })
    await call(app, 'POST', '/api/v1/ticket-statuses/reorder', { token: org.token, body: { ids: [s.id] } })
    await call(app, 'DELETE', `/api/v1/ticket-statuses/${s.id}`, { token: org.token })
    const events = await inTenant(org, (tx) => tx.selectFrom('audit_events').select('action').where('action', 'like', 'ticket_status.%').orderBy('created_at').orderBy('id').execute())
    expect(events.map((e) => e.action)).toEqual([
      'ticket_status.created', 'ticket_status.updated', 'ticket_status.transitions_set', 'ticket_status.reordered', 'ticket_status.deleted',
    ])
  })
})

describe('ticket status authorization', () => {
  it('answers 401 without a token, 403 to roles without settings:manage, 404 to another organization for every route', async () => {
    const mine = await newStatus(admin, { name: unique('Mine'), category: 'open' })
    const routes: Array<{ method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT'; url: string; body?: Record<string, unknown>; write: boolean; byId: boolean }> = [
      { method: 'GET', url: '/api/v1/ticket-statuses', write: false, byId: false },
      { method: 'POST', url: '/api/v1/ticket-statuses', body: { name: unique('X'), category: 'open' }, write: true, byId: false },
      { method: 'POST', url: '/api/v1/ticket-statuses/reorder', body: { ids: [mine.id] }, write: true, byId: false },
      { method: 'PATCH', url: `/api/v1/ticket-statuses/${mine.id}`, body: { color: '#111111' }, write: true, byId: true },
      { method: 'DELETE', url: `/api/v1/ticket-statuses/${mine.id}`, write: true, byId: true },
      { method: 'PUT', url: `/api/v1/ticket-statuses/${mine.id}/transitions`, body: { to: [] }, write: true, byId: true },
    ]
    for (const r of routes) {
      const label = `${r.method} ${r.url}`
      expect((await call(app, r.method, r.url, { body: r.body })).statusCode, label).toBe(401)
      for (const s of [agent, viewer, customer]) {
        expect((await call(app, r.method, r.url, { token: s.token, body: r.body })).statusCode, label).toBe(r.write ? 403 : 200)
      }
      if (r.byId) expect((await call(app, r.method, r.url, { token: stranger.token, body: r.body })).statusCode, label).toBe(404)
    }
    // the reorder and list of another organization never include our statuses
    expect((await list(stranger)).some((s) => s.id === mine.id)).toBe(false)
    const reorder = await call(app, 'POST', '/api/v1/ticket-statuses/reorder', { token: stranger.token, body: { ids: [mine.id] } })
    expect(reorder.statusCode).toBe(400)
    // a 403 comes before body validation
    expect((await call(app, 'POST', '/api/v1/ticket-statuses', { token: agent.token, body: { nonsense: true } })).statusCode).toBe(403)
    expect((await list(admin)).find((s) => s.id === mine.id)).toMatchObject({ color: '#6b7280' })
  })
})
