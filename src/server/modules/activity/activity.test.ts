import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { api, asTenant, newApiKey, newTeam, openTicket, type Json } from '../tickets/test-support.js'
import { WINDOW, excerptOf } from './recent-activity.js'

let app: App
let admin: Session
let agent: Session
let colleague: Session
let viewer: Session
let customer: Session
let stranger: Session
let myTeam: string
let otherTeam: string

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  agent = await addMember(app, admin, 'agent')
  colleague = await addMember(app, admin, 'agent')
  viewer = await addMember(app, admin, 'viewer')
  customer = await addMember(app, admin, 'customer')
  stranger = await registerOrg(app)
  myTeam = await newTeam(app, admin, [agent, viewer])
  otherTeam = await newTeam(app, admin, [colleague])
})
afterAll(async () => { await app.close() })

async function feed(token: string, query = ''): Promise<Json[]> {
  const res = await api(app, 'GET', `/api/v1/activity${query}`, { token })
  expect(res.statusCode, res.body).toBe(200)
  return res.json.data
}
async function comment(s: Session | string, ticketId: string, body: string, isInternal = false): Promise<Json> {
  const res = await api(app, 'POST', `/api/v1/tickets/${ticketId}/comments`, { token: typeof s === 'string' ? s : s.token, body: { body_text: body, is_internal: isInternal } })
  expect(res.statusCode, res.body).toBe(201)
  return res.json.data
}
async function patch(s: Session, ticketId: string, body: Record<string, unknown>): Promise<void> {
  const res = await api(app, 'PATCH', `/api/v1/tickets/${ticketId}`, { token: s.token, body })
  expect(res.statusCode, res.body).toBe(200)
}
const onTicket = (items: Json[], ticketId: string) => items.filter((i) => i.ticket.id === ticketId)

describe('GET /activity', () => {
  it('lists history entries and comments, newest first, with the ticket, who and when', async () => {
    const org = await registerOrg(app, 'Activity Order')
    const ticket = await openTicket(app, org.token, { subject: 'Printer is on fire', priority: 'low' })
    await patch(org, ticket.id, { priority: 'high' })
    const reply = await comment(org, ticket.id, `Looking   into it\n\nnow. ${'x'.repeat(300)}`)

    const items = await feed(org.token)
    expect(items.map((i) => i.kind === 'history' ? i.field : i.kind)).toEqual(['comment', 'priority', 'created'])
    const times = items.map((i) => i.at)
    expect([...times].sort().reverse()).toEqual(times)
    const ref = { id: ticket.id, number: ticket.number, ticket_number: ticket.ticket_number, subject: 'Printer is on fire' }
    expect(ticket.ticket_number).toMatch(/^[A-Z][A-Z0-9]*-\d{6}$/)
    expect(items[0]).toEqual({
      kind: 'comment', id: reply.id, ticket: ref, actor: { id: org.userId, name: 'Admin' }, at: reply.created_at,
      comment: { id: reply.id, is_internal: false, excerpt: expect.stringMatching(/^Looking into it now\. x+…$/) },
    })
    expect(items[0].comment.excerpt.length).toBeLessThanOrEqual(160)
    expect(items[1]).toMatchObject({ kind: 'history', ticket: ref, actor: { id: org.userId, name: 'Admin' }, field: 'priority', old_value: 'low', new_value: 'high' })
    expect(items[2]).toMatchObject({ kind: 'history', field: 'created', old_value: null, new_value: { number: ticket.number, subject: 'Printer is on fire' } })
  })

  it('takes limit (1–50, default 20) and stops there', async () => {
    const org = await registerOrg(app, 'Activity Limit')
    const ticket = await openTicket(app, org.token)
    for (let i = 0; i < 24; i++) await comment(org, ticket.id, `Reply ${i}`)
    expect(await feed(org.token)).toHaveLength(20)
    const three = await api(app, 'GET', '/api/v1/activity?limit=3', { token: org.token })
    expect(three.json.meta).toEqual({ limit: 3 })
    expect(three.json.data.map((i: Json) => i.comment.excerpt)).toEqual(['Reply 23', 'Reply 22', 'Reply 21'])
    expect(await feed(org.token, '?limit=50')).toHaveLength(25)
    for (const bad of ['0', '51', 'x']) {
      const res = await api(app, 'GET', `/api/v1/activity?limit=${bad}`, { token: org.token })
      expect(res.statusCode, bad).toBe(400)
      expect(res.json.error.code).toBe('validation_error')
    }
  })

  it('shows an agent only the tickets they may see; managers and staff API keys see all', async () => {
    const mine = await openTicket(app, admin.token, { subject: 'Team ticket', team_id: myTeam })
    const theirs = await openTicket(app, admin.token, { subject: 'Other team ticket', team_id: otherTeam })
    const assigned = await openTicket(app, admin.token, { subject: 'Colleague’s', assignee_id: colleague.userId })
    for (const t of [mine, theirs, assigned]) await comment(admin, t.id, `About ${t.subject}`)
    await patch(admin, theirs.id, { priority: 'urgent' })

    const seen = await feed(agent.token, '?limit=50')
    expect(onTicket(seen, mine.id).length).toBeGreaterThan(0)
    expect(onTicket(seen, theirs.id)).toEqual([])
    expect(onTicket(seen, assigned.id)).toEqual([])
    expect(JSON.stringify(seen)).not.toContain('Other team ticket')

    const theirFeed = await feed(colleague.token, '?limit=50')
    expect(onTicket(theirFeed, theirs.id).map((i) => i.kind === 'history' ? i.field : i.kind)).toEqual(['priority', 'comment', 'created'])
    expect(onTicket(theirFeed, mine.id)).toEqual([])

    for (const token of [admin.token, await newApiKey(app, admin)]) {
      const all = await feed(token, '?limit=50')
      for (const t of [mine, theirs, assigned]) expect(onTicket(all, t.id).length, t.subject).toBeGreaterThan(0)
    }
  })

  it('lists internal notes only for those with comments:internal (not viewers)', async () => {
    const ticket = await openTicket(app, admin.token, { team_id: myTeam })
    const reply = await comment(admin, ticket.id, 'Public answer')
    const note = await comment(admin, ticket.id, 'Secret note: refund approved', true)

    const agentSees = onTicket(await feed(agent.token, '?limit=50'), ticket.id).filter((i) => i.kind === 'comment')
    expect(agentSees.map((i) => [i.comment.id, i.comment.is_internal])).toEqual([[note.id, true], [reply.id, false]])

    const viewerFeed = await feed(viewer.token, '?limit=50')
    expect(onTicket(viewerFeed, ticket.id).filter((i) => i.kind === 'comment').map((i) => i.comment.id)).toEqual([reply.id])
    expect(JSON.stringify(viewerFeed)).not.toContain('Secret note')
    expect(JSON.stringify(viewerFeed)).not.toContain(note.id)
  })

  it('names the customer’s contact on their replies', async () => {
    const ticket = await openTicket(app, customer.token, { subject: 'My printer' })
    await comment(customer, ticket.id, 'Still broken')
    const [latest] = onTicket(await feed(admin.token, '?limit=50'), ticket.id)
    expect(latest).toMatchObject({ kind: 'comment', actor: { name: 'A customer' }, comment: { excerpt: 'Still broken', is_internal: false } })
    expect(latest.actor.id).not.toBe(customer.userId)
  })

  it('leaves out deleted and spam tickets', async () => {
    const gone = await openTicket(app, admin.token, { subject: 'Deleted one' })
    const spam = await openTicket(app, admin.token, { subject: 'Spam one' })
    await comment(admin, gone.id, 'before deletion')
    expect((await api(app, 'DELETE', `/api/v1/tickets/${gone.id}`, { token: admin.token })).statusCode).toBe(200)
    expect((await api(app, 'POST', `/api/v1/tickets/${spam.id}/spam`, { token: admin.token, body: { is_spam: true } })).statusCode).toBe(200)
    const items = await feed(admin.token, '?limit=50')
    expect(onTicket(items, gone.id)).toEqual([])
    expect(onTicket(items, spam.id)).toEqual([])
  })

  it('is for staff: customers get 403, without credentials 401', async () => {
    const res = await api(app, 'GET', '/api/v1/activity', { token: customer.token })
    expect(res.statusCode).toBe(403)
    expect(res.json.error.code).toBe('forbidden')
    expect((await api(app, 'GET', '/api/v1/activity')).statusCode).toBe(401)
  })

  it('never shows another organization’s activity', async () => {
    const ours = await openTicket(app, admin.token, { subject: 'Ours alone' })
    await comment(admin, ours.id, 'our reply', true)
    const theirs = await openTicket(app, stranger.token, { subject: 'Theirs alone' })
    await comment(stranger, theirs.id, 'their reply', true)
    const strangerFeed = JSON.stringify(await feed(stranger.token, '?limit=50'))
    expect(strangerFeed).toContain(theirs.id)
    expect(strangerFeed).not.toContain(ours.id)
    expect(strangerFeed).not.toContain(admin.tenantId)
    const ourFeed = JSON.stringify(await feed(admin.token, '?limit=50'))
    expect(ourFeed).toContain(ours.id)
    expect(ourFeed).not.toContain(theirs.id)
  })

  it(`reads only the organization’s newest ${WINDOW} history entries and comments, whatever its size`, async () => {
    const org = await registerOrg(app, 'Activity Window')
    const orgAgent = await addMember(app, org, 'agent')
    const team = await newTeam(app, org, [])
    const visible = await openTicket(app, org.token, { subject: 'Seen by the agent' })
    const hidden = await openTicket(app, org.token, { subject: 'Another team’s', team_id: team })
    expect(onTicket(await feed(orgAgent.token), visible.id).length).toBeGreaterThan(0)
    // A burst of changes on a ticket the agent cannot see pushes the older ones out of the window.
    await asTenant(app, org, (tx) => sql`
      INSERT INTO ticket_history (tenant_id, id, ticket_id, actor_id, field, old_value, new_value)
      SELECT ${org.tenantId}, gen_random_uuid(), ${hidden.id}, ${org.userId}, 'tags', '[]', '["x"]' FROM generate_series(1, ${WINDOW})`.execute(tx))
    expect(onTicket(await feed(orgAgent.token), visible.id).filter((i) => i.kind === 'history')).toEqual([])
    expect(await feed(org.token)).toHaveLength(20)
  })
})

describe('excerptOf', () => {
  it('puts a comment on one line and cuts it at 160 characters', () => {
    expect(excerptOf('  Hello\n\n  world  ')).toBe('Hello world')
    expect(excerptOf('a'.repeat(160))).toBe('a'.repeat(160))
    expect(excerptOf('a'.repeat(161))).toBe(`${'a'.repeat(159)}…`)
  })
})
