import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { api, historyRows, newApiKey, newTeam, openTicket, outboxEvents } from './test-support.js'

let app: App
let admin: Session
let agent: Session
let other: Session
let customer: Session
let viewer: Session
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  agent = await addMember(app, admin, 'agent')
  other = await addMember(app, admin, 'agent')
  customer = await addMember(app, admin, 'customer')
  viewer = await addMember(app, admin, 'viewer')
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

const assign = (token: string, id: string, body: Record<string, unknown>) => api(app, 'POST', `/api/v1/tickets/${id}/assign`, { token, body })
const take = (token: string, id: string, query = '') => api(app, 'POST', `/api/v1/tickets/${id}/take${query}`, { token })

describe('assigning tickets', () => {
  it('assigns, reassigns and unassigns an agent and a team, with history and events', async () => {
    const team = await newTeam(app, admin, [agent, other])
    const ticket = await openTicket(app, admin.token)
    const assigned = await assign(admin.token, ticket.id, { assignee_id: agent.userId, team_id: team })
    expect(assigned.statusCode, assigned.body).toBe(200)
    expect(assigned.json.data).toMatchObject({ assignee: { id: agent.userId, name: 'A agent' }, team: { id: team } })
    const reassigned = await assign(admin.token, ticket.id, { assignee_id: other.userId })
    expect(reassigned.json.data).toMatchObject({ assignee: { id: other.userId }, team: { id: team } })
    const cleared = await assign(admin.token, ticket.id, { assignee_id: null, team_id: null })
    expect(cleared.json.data).toMatchObject({ assignee: null, team: null })
    const unchanged = await assign(admin.token, ticket.id, { assignee_id: null })
    expect(unchanged.statusCode).toBe(200)

    const rows = (await historyRows(app, admin, ticket.id)).filter((r) => r.field !== 'created')
    expect(rows.map((r) => [r.field, (r.old_value as any)?.id ?? null, (r.new_value as any)?.id ?? null])).toEqual([
      ['assignee', null, agent.userId], ['team', null, team], ['assignee', agent.userId, other.userId], ['assignee', other.userId, null], ['team', team, null],
    ])
    const events = await outboxEvents(app, admin.tenantId, 'ticket.assigned', ticket.id)
    expect(events.map((e) => [e.assignee_id, e.previous_assignee_id])).toEqual([[agent.userId, null], [other.userId, agent.userId], [null, other.userId]])
  })

  it('lets an agent assign within what they can see, and refuses bad assignees and teams (400)', async () => {
    const ticket = await openTicket(app, agent.token)
    expect((await assign(agent.token, ticket.id, { assignee_id: other.userId })).statusCode).toBe(200)
    const theirTeam = await newTeam(app, stranger)
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ assignee_id: customer.userId }, 'assignee_id'],
      [{ assignee_id: stranger.userId }, 'assignee_id'],
      [{ team_id: theirTeam }, 'team_id'],
      [{ assignee_id: 'nope' }, 'assignee_id'],
      [{ owner: agent.userId }, 'owner'],
    ]
    for (const [body, field] of cases) {
      const res = await assign(admin.token, ticket.id, body)
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
      expect(res.json.error.details[0].field).toBe(field)
    }
    expect((await assign(admin.token, ticket.id, {})).statusCode).toBe(400)
  })

  it('lets an agent take an unassigned ticket, and take over someone else’s only with force', async () => {
    const team = await newTeam(app, admin, [agent, other])
    const ticket = await openTicket(app, admin.token, { team_id: team })
    const taken = await take(agent.token, ticket.id)
    expect(taken.statusCode, taken.body).toBe(200)
    expect(taken.json.data.assignee).toMatchObject({ id: agent.userId })
    expect((await take(agent.token, ticket.id)).statusCode).toBe(200)

    const refused = await take(other.token, ticket.id)
    expect(refused.statusCode).toBe(409)
    expect(refused.json.error).toMatchObject({ code: 'conflict', details: [expect.objectContaining({ field: 'assignee_id' })] })
    const forced = await take(other.token, ticket.id, '?force=1')
    expect(forced.statusCode).toBe(200)
    expect(forced.json.data.assignee).toMatchObject({ id: other.userId })
    expect(forced.json.data.team).toMatchObject({ id: team })
    expect((await historyRows(app, admin, ticket.id)).filter((r) => r.field === 'assignee').map((r) => r.actor_id)).toEqual([agent.userId, other.userId])
  })

  it('hides a ticket taken by someone outside one’s teams (404), like any other', async () => {
    const ticket = await openTicket(app, admin.token)
    expect((await take(agent.token, ticket.id)).statusCode).toBe(200)
    expect((await take(other.token, ticket.id, '?force=1')).statusCode).toBe(404)
  })

  it('refuses take to API keys, and assign/take to viewers and customers (403); 401 without a token', async () => {
    const ticket = await openTicket(app, customer.token)
    const key = await newApiKey(app, admin)
    expect((await take(key, ticket.id)).statusCode).toBe(403)
    expect((await assign(key, ticket.id, { assignee_id: agent.userId })).statusCode).toBe(200)
    for (const s of [viewer, customer]) {
      expect((await take(s.token, ticket.id)).statusCode).toBe(403)
      expect((await assign(s.token, ticket.id, { assignee_id: null })).statusCode).toBe(403)
    }
    expect((await take('', ticket.id)).statusCode).toBe(401)
    expect((await assign('', ticket.id, {})).statusCode).toBe(401)
  })

  it('answers 404 for another organization’s ticket', async () => {
    const theirs = await openTicket(app, stranger.token)
    expect((await assign(admin.token, theirs.id, { assignee_id: null })).statusCode).toBe(404)
    expect((await take(admin.token, theirs.id)).statusCode).toBe(404)
  })
})
