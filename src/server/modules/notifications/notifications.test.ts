import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../../../test/support/ws-client.js'
import type { App } from '../../app.js'
import { addMember, call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { setupOrg, type Org } from '../conversation/test-fixtures.js'

let app: App
let origin = ''
let org: Org
let stranger: Session
beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  origin = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  org = await setupOrg(app)
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

const flush = () => app.ctx.outbox.drain({ tenantId: org.admin.tenantId })
const mention = (s: Session, label = 'you') => `<span data-mention-id="${s.userId}">@${label}</span>`

async function openTicket(as: Session, body: Record<string, unknown> = {}) {
  const res = await call(app, 'POST', '/api/v1/tickets', { token: as.token, body: { subject: `Printer ${Math.random()}`, ...body } })
  expect(res.statusCode, res.body).toBe(201)
  return res.json.data as any
}
async function list(as: Session, query = '') {
  const res = await call(app, 'GET', `/api/v1/notifications${query}`, { token: as.token })
  expect(res.statusCode, res.body).toBe(200)
  return res.json as any
}
const unread = async (as: Session) => ((await call(app, 'GET', '/api/v1/notifications/unread-count', { token: as.token })).json.data as any).count as number

describe('notifications', () => {
  it('tell a mentioned colleague, with who and where, and not the author or a customer', async () => {
    const ticket = await openTicket(org.customer)
    const before = await unread(org.manager)
    const res = await call(app, 'POST', `/api/v1/tickets/${ticket.id}/comments`, {
      token: org.agent.token,
      body: { body: `<p>${mention(org.manager, 'Manager')} can you check the invoice? ${mention(org.agent, 'me')}</p>`, is_internal: true },
    })
    expect(res.statusCode, res.body).toBe(201)
    await flush()
    expect(await unread(org.manager)).toBe(before + 1)
    const [latest] = (await list(org.manager)).data
    expect(latest).toMatchObject({
      kind: 'mention', read_at: null, comment_id: (res.json.data as any).id,
      ticket: { id: ticket.id, number: ticket.number, subject: ticket.subject },
      actor: { id: org.agent.userId },
    })
    expect(latest.excerpt).toContain('can you check the invoice')
    // The author mentioning themself is not told; the customer never has a bell.
    expect((await list(org.agent)).data.filter((n: any) => n.comment_id === latest.comment_id)).toEqual([])
    expect((await list(org.customer)).data).toEqual([])
  })

  it('tell the assignee when a ticket is assigned or created assigned to them, but not when they take it themselves', async () => {
    const ticket = await openTicket(org.customer)
    const before = await unread(org.agent)
    await call(app, 'POST', `/api/v1/tickets/${ticket.id}/assign`, { token: org.admin.token, body: { assignee_id: org.agent.userId } })
    await openTicket(org.manager, { assignee_id: org.agent.userId })
    const self = await openTicket(org.customer)
    await call(app, 'POST', `/api/v1/tickets/${self.id}/assign`, { token: org.agent.token, body: { assignee_id: org.agent.userId } })
    await flush()
    const mine = (await list(org.agent, '?unread=true')).data.filter((n: any) => n.kind === 'assignment')
    expect(await unread(org.agent)).toBe(before + 2)
    expect(mine.map((n: any) => n.actor?.id).sort()).toEqual([org.admin.userId, org.manager.userId].sort())
    expect(mine.some((n: any) => n.ticket.id === self.id)).toBe(false)
  })

  it('are marked read one by one or all at once, and only by their recipient', async () => {
    const ticket = await openTicket(org.customer)
    for (const word of ['one', 'two', 'three']) {
      await call(app, 'POST', `/api/v1/tickets/${ticket.id}/comments`, { token: org.agent.token, body: { body: `${mention(org.admin)} ${word}`, is_internal: true } })
    }
    await flush()
    const notes = (await list(org.admin, '?unread=true&limit=3')).data
    expect(notes).toHaveLength(3)
    expect(notes.map((n: any) => n.excerpt.trim().split(' ').pop())).toEqual(['three', 'two', 'one'])
    // Someone else — a colleague or another organization — cannot touch it.
    for (const other of [org.manager, stranger]) {
      const res = await call(app, 'POST', `/api/v1/notifications/${notes[0].id}/read`, { token: other.token })
      expect(res.statusCode).toBe(404)
      expect((res.json as any).error.code).toBe('not_found')
    }
    const read = await call(app, 'POST', `/api/v1/notifications/${notes[0].id}/read`, { token: org.admin.token })
    expect(read.statusCode).toBe(200)
    expect((read.json.data as any).read_at).not.toBeNull()
    const left = await unread(org.admin)
    expect(left).toBeGreaterThanOrEqual(2)
    const all = await call(app, 'POST', '/api/v1/notifications/read-all', { token: org.admin.token })
    expect((all.json.data as any).updated).toBe(left)
    expect(await unread(org.admin)).toBe(0)
    expect((await list(org.admin)).meta.total).toBeGreaterThanOrEqual(3)
    expect((await list(stranger)).data).toEqual([])
  })

  it('arrive live on the recipient’s socket and nobody else’s', async () => {
    const ticket = await openTicket(org.customer)
    const managerWs = await connect(origin, org.manager.token)
    const adminWs = await connect(origin, org.admin.token)
    await call(app, 'POST', `/api/v1/tickets/${ticket.id}/comments`, { token: org.agent.token, body: { body: `${mention(org.manager)} live`, is_internal: true } })
    await flush()
    const got = await managerWs.next((m) => m.type === 'notification' && m.ticket_id === ticket.id)
    expect(got.data).toMatchObject({ kind: 'mention' })
    await new Promise((r) => setTimeout(r, 200))
    expect(adminWs.messages.filter((m) => m.type === 'notification' && m.ticket_id === ticket.id)).toEqual([])
    managerWs.ws.close()
    adminWs.ws.close()
  })

  it('belong to people: an API key gets 403, a bad id 400, no token 401', async () => {
    const key = await call(app, 'GET', '/api/v1/notifications', { token: org.apiKey })
    expect(key.statusCode).toBe(403)
    expect((await call(app, 'POST', '/api/v1/notifications/not-a-uuid/read', { token: org.admin.token })).statusCode).toBe(400)
    expect((await call(app, 'GET', '/api/v1/notifications/unread-count')).statusCode).toBe(401)
    expect((await call(app, 'GET', '/api/v1/notifications?limit=500', { token: org.admin.token })).statusCode).toBe(400)
    const viewer = await addMember(app, org.admin, 'viewer')
    expect((await list(viewer)).data).toEqual([])
  })
})
