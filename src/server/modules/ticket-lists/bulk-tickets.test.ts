import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { uuidv7 } from '../../platform/ids.js'
import { api, asTenant, historyRows, newTeam, statusIds } from '../tickets/test-support.js'
import { insertTickets } from './test-fixtures.js'

let app: App
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 10_000 })
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

const bulk = (token: string, body: Record<string, unknown>) => api(app, 'POST', '/api/v1/tickets/bulk', { token, body })

async function ticketRows(org: Session, ids: string[]) {
  return asTenant(app, org, (tx) => tx.selectFrom('tickets').select(['id', 'priority', 'status_id', 'tags', 'assignee_id', 'team_id', 'deleted_at'])
    .where('id', 'in', ids).orderBy('number').execute())
}

describe('bulk actions', () => {
  it('updates status, priority and tags of many tickets, each with its history', async () => {
    const org = await registerOrg(app)
    const statuses = await statusIds(app, org)
    const made = await insertTickets(app, org, [{ tags: ['old', 'keep'] }, { tags: ['keep'] }, { tags: [] }])
    const ids = made.map((t) => t.id)
    const res = await bulk(org.token, { action: 'update', ids, data: { status_id: statuses.pending, priority: 'urgent', tags_add: ['VIP', 'new'], tags_remove: ['old'] } })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json.data).toEqual({ results: ids.map((id) => ({ id, ok: true })), succeeded: 3, failed: 0 })
    const rows = await ticketRows(org, ids)
    expect(rows.map((r) => [r.priority, r.status_id, r.tags])).toEqual([
      ['urgent', statuses.pending, ['keep', 'vip', 'new']],
      ['urgent', statuses.pending, ['keep', 'vip', 'new']],
      ['urgent', statuses.pending, ['vip', 'new']],
    ])
    const history = await historyRows(app, org, ids[0]!)
    expect(history.map((h) => h.field).sort()).toEqual(['priority', 'status', 'tags'])
    expect(history.every((h) => h.actor_id === org.userId)).toBe(true)
  })

  it('goes ahead with the others when some tickets are not found or not visible', async () => {
    const org = await registerOrg(app)
    const agent = await addMember(app, org, 'agent')
    const team = await newTeam(app, org)
    const [open, hidden, deleted] = await insertTickets(app, org, [{}, { team_id: team }, { deleted_at: new Date().toISOString() }])
    const [foreign] = await insertTickets(app, stranger, [{}])
    const missing = uuidv7()
    const res = await bulk(agent.token, { action: 'update', ids: [open!.id, hidden!.id, foreign!.id, missing, deleted!.id], data: { priority: 'high' } })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json.data.succeeded).toBe(1)
    expect(res.json.data.failed).toBe(4)
    expect(res.json.data.results).toEqual([
      { id: open!.id, ok: true },
      ...[hidden!.id, foreign!.id, missing, deleted!.id].map((id) => ({ id, ok: false, error: { code: 'not_found', message: 'Ticket not found.' } })),
    ])
    expect((await ticketRows(org, [open!.id, hidden!.id])).map((r) => r.priority)).toEqual(['high', 'medium'])
    expect((await ticketRows(stranger, [foreign!.id]))[0]!.priority).toBe('medium')
  })

  it('leaves a ticket that fails half way exactly as it was', async () => {
    const org = await registerOrg(app)
    const made = await insertTickets(app, org, [{}, {}])
    const theirTeam = await newTeam(app, stranger)
    // The priority is written, then the team turns out not to be this organization's.
    const res = await bulk(org.token, { action: 'update', ids: made.map((t) => t.id), data: { priority: 'urgent', team_id: theirTeam } })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json.data).toMatchObject({ succeeded: 0, failed: 2 })
    expect(res.json.data.results[0].error.code).toBe('validation_error')
    expect((await ticketRows(org, made.map((t) => t.id))).map((r) => [r.priority, r.team_id])).toEqual([['medium', null], ['medium', null]])
    expect(await historyRows(app, org, made[0]!.id)).toEqual([])
  })

  it('closes, assigns and deletes, each action with its permission', async () => {
    const org = await registerOrg(app)
    const agent = await addMember(app, org, 'agent')
    const manager = await addMember(app, org, 'manager')
    const team = await newTeam(app, org, [agent])
    const statuses = await statusIds(app, org)
    const made = await insertTickets(app, org, [{}, {}, {}])
    const ids = made.map((t) => t.id)

    const closed = await bulk(agent.token, { action: 'close', ids: ids.slice(0, 2) })
    expect(closed.json.data).toMatchObject({ succeeded: 2, failed: 0 })
    expect((await ticketRows(org, ids)).map((r) => r.status_id)).toEqual([statuses.closed, statuses.closed, statuses.open])

    const assigned = await bulk(agent.token, { action: 'assign', ids, data: { assignee_id: agent.userId, team_id: team } })
    expect(assigned.json.data).toMatchObject({ succeeded: 3, failed: 0 })
    expect((await ticketRows(org, ids)).every((r) => r.assignee_id === agent.userId && r.team_id === team)).toBe(true)
    const unassigned = await bulk(agent.token, { action: 'assign', ids: [ids[2]!], data: { assignee_id: null } })
    expect(unassigned.json.data.succeeded).toBe(1)
    expect((await ticketRows(org, [ids[2]!]))[0]!.assignee_id).toBeNull()

    const refused = await bulk(agent.token, { action: 'delete', ids })
    expect(refused.statusCode).toBe(403)
    const deleted = await bulk(manager.token, { action: 'delete', ids: [ids[0]!] })
    expect(deleted.json.data).toMatchObject({ succeeded: 1 })
    expect((await ticketRows(org, [ids[0]!]))[0]!.deleted_at).not.toBeNull()
    const trash = await api(app, 'GET', '/api/v1/tickets?deleted=only', { token: manager.token })
    expect(trash.json.data.map((t: any) => t.id)).toEqual([ids[0]])

    // Assigning needs tickets:assign, in the assign action and in an update that assigns.
    const role = await api(app, 'POST', '/api/v1/roles', { token: org.token, body: { name: 'Editor', key: 'editor', kind: 'staff', permissions: ['tickets:read', 'tickets:update'], ticket_scope: 'all' } })
    expect(role.statusCode, role.body).toBe(201)
    const editor = await addMember(app, org, 'editor')
    expect((await bulk(editor.token, { action: 'assign', ids, data: { assignee_id: null } })).statusCode).toBe(403)
    expect((await bulk(editor.token, { action: 'update', ids, data: { priority: 'low', team_id: null } })).statusCode).toBe(403)
    // The deleted one is gone from every action.
    expect((await bulk(editor.token, { action: 'update', ids, data: { priority: 'low' } })).json.data).toMatchObject({ succeeded: 2, failed: 1 })
  })

  it('refuses requests that cannot work before touching any ticket', async () => {
    const org = await registerOrg(app)
    const viewer = await addMember(app, org, 'viewer')
    const customer = await addMember(app, org, 'customer')
    const [ticket] = await insertTickets(app, org, [{}])
    const id = ticket!.id
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ action: 'update', ids: [] }, 'ids'],
      [{ action: 'update', ids: Array.from({ length: 101 }, () => uuidv7()), data: { priority: 'low' } }, 'ids'],
      [{ action: 'update', ids: [id, id], data: { priority: 'low' } }, 'ids'],
      [{ action: 'update', ids: ['nope'], data: { priority: 'low' } }, 'ids.0'],
      [{ action: 'merge', ids: [id] }, 'action'],
      [{ action: 'update', ids: [id] }, 'data'],
      [{ action: 'update', ids: [id], data: {} }, 'data'],
      [{ action: 'update', ids: [id], data: { priority: 'extreme' } }, 'data.priority'],
      [{ action: 'update', ids: [id], data: { subject: 'x' } }, 'data.subject'],
      [{ action: 'close', ids: [id], data: { priority: 'low' } }, 'data.priority'],
      [{ action: 'assign', ids: [id], data: { priority: 'low' } }, 'data.priority'],
      [{ action: 'update', ids: [id], data: { tags_add: [' '] } }, 'data.tags_add'],
    ]
    for (const [body, field] of cases) {
      const res = await bulk(org.token, body)
      expect(res.statusCode, `${JSON.stringify(body).slice(0, 80)}: ${res.body}`).toBe(400)
      expect(res.json.error.details[0].field, JSON.stringify(body).slice(0, 80)).toBe(field)
    }
    expect((await ticketRows(org, [id]))[0]!.priority).toBe('medium')
    expect((await api(app, 'POST', '/api/v1/tickets/bulk', { body: { action: 'close', ids: [id] } })).statusCode).toBe(401)
    for (const who of [viewer, customer]) expect((await bulk(who.token, { action: 'close', ids: [id] })).statusCode).toBe(403)
  })
})
