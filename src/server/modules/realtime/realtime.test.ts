import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { connect } from '../../../../test/support/ws-client.js'
import type { App } from '../../app.js'
import { addMember, call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'

let app: App
let origin = ''
beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  origin = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
})
afterAll(async () => { await app.close() })

async function flush(s: Session) {
  await app.ctx.outbox.drain({ tenantId: s.tenantId })
}

describe('live updates', () => {
  it('tell each person about changes to the tickets they may see, and nothing else', async () => {
    const admin = await registerOrg(app)
    const agent = await addMember(app, admin, 'agent')
    const customer = await addMember(app, admin, 'customer')
    const adminWs = await connect(origin, admin.token)
    const customerWs = await connect(origin, customer.token)
    const agentWs = await connect(origin, agent.token)

    const mine = (await call(app, 'POST', '/api/v1/tickets', { token: customer.token, body: { subject: 'My printer' } })).json.data as any
    const team = (await call(app, 'POST', '/api/v1/teams', { token: admin.token, body: { name: 'Back office' } })).json.data as any
    const other = (await call(app, 'POST', '/api/v1/tickets', { token: admin.token, body: { subject: 'Not for the agent', team_id: team.id } })).json.data as any
    await call(app, 'POST', `/api/v1/tickets/${mine.id}/comments`, { token: admin.token, body: { body: 'secret note', is_internal: true } })
    await call(app, 'POST', `/api/v1/tickets/${mine.id}/comments`, { token: admin.token, body: { body: 'public answer' } })
    await flush(admin)

    await adminWs.next((m) => m.type === 'ticket.created' && m.ticket_id === other.id)
    await adminWs.next((m) => m.type === 'comment.added' && m.ticket_id === mine.id)
    await customerWs.next((m) => m.type === 'comment.added' && m.ticket_id === mine.id)
    await agentWs.next((m) => m.type === 'ticket.created' && m.ticket_id === mine.id)
    // Give stray deliveries a moment, then check what must not have arrived.
    await new Promise((r) => setTimeout(r, 200))
    expect(customerWs.messages.filter((m) => m.ticket_id === other.id)).toEqual([])
    expect(customerWs.messages.filter((m) => m.type === 'comment.added')).toHaveLength(1)
    expect(agentWs.messages.filter((m) => m.ticket_id === other.id)).toEqual([])
    expect(adminWs.messages.filter((m) => m.type === 'comment.added' && m.ticket_id === mine.id)).toHaveLength(2)
    for (const c of [adminWs, customerWs, agentWs]) c.ws.close()
  })

  it('show other staff who is viewing or typing on a ticket (collision detection), never to customers', async () => {
    const admin = await registerOrg(app)
    const agent = await addMember(app, admin, 'agent')
    const customer = await addMember(app, admin, 'customer')
    const ticket = (await call(app, 'POST', '/api/v1/tickets', { token: customer.token, body: { subject: 'Help' } })).json.data as any
    const adminWs = await connect(origin, admin.token)
    const agentWs = await connect(origin, agent.token)
    const customerWs = await connect(origin, customer.token)
    agentWs.ws.send(JSON.stringify({ type: 'presence', ticket_id: ticket.id, state: 'typing' }))
    const seen = await adminWs.next((m) => m.type === 'presence')
    expect(seen).toMatchObject({ ticket_id: ticket.id, data: { user_id: agent.userId, state: 'typing', name: 'A agent' } })
    customerWs.ws.send(JSON.stringify({ type: 'presence', ticket_id: ticket.id, state: 'typing' }))
    expect(await customerWs.next((m) => m.type === 'error')).toMatchObject({ error: { code: 'validation_error' } })
    await new Promise((r) => setTimeout(r, 200))
    expect(customerWs.messages.filter((m) => m.type === 'presence')).toEqual([])
    expect(agentWs.messages.filter((m) => m.type === 'presence')).toEqual([])
    agentWs.ws.send('not json')
    expect(await agentWs.next((m) => m.type === 'error')).toMatchObject({ error: { code: 'invalid_json' } })
    for (const c of [adminWs, customerWs, agentWs]) c.ws.close()
  })

  it('pass on one person\'s presence in the order it was sent, so a "viewing" sent before "typing" never hides the typing', async () => {
    const admin = await registerOrg(app)
    const agent = await addMember(app, admin, 'agent')
    const ticket = (await call(app, 'POST', '/api/v1/tickets', { token: admin.token, body: { subject: 'Race' } })).json.data as any
    const adminWs = await connect(origin, admin.token)
    const agentWs = await connect(origin, agent.token)
    const sent = ['viewing', 'typing', 'viewing', 'typing', 'viewing', 'typing', 'viewing', 'typing']
    for (const state of sent) agentWs.ws.send(JSON.stringify({ type: 'presence', ticket_id: ticket.id, state }))
    await expect.poll(() => adminWs.messages.filter((m) => m.type === 'presence').length).toBe(sent.length)
    expect(adminWs.messages.filter((m) => m.type === 'presence').map((m) => m.data.state)).toEqual(sent)
    for (const c of [adminWs, agentWs]) c.ws.close()
  })

  it('refuse a connection without a valid token, and from another organization see nothing', async () => {
    const bad = new WebSocket(`${origin}/api/v1/realtime?access_token=nope`)
    const status = await new Promise<number>((resolve) => bad.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))
    expect(status).toBe(401)
    const none = new WebSocket(`${origin}/api/v1/realtime`)
    expect(await new Promise<number>((resolve) => none.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))).toBe(401)

    const a = await registerOrg(app)
    const b = await registerOrg(app)
    const bWs = await connect(origin, b.token)
    const t = (await call(app, 'POST', '/api/v1/tickets', { token: a.token, body: { subject: 'A only' } })).json.data as any
    await flush(a)
    await new Promise((r) => setTimeout(r, 200))
    expect(bWs.messages.filter((m) => m.ticket_id === t.id)).toEqual([])
    bWs.ws.close()
  })

  it('closes a connection when its session ends', async () => {
    const quick = await createTestApp({ authRateLimitPerMinute: 1000, realtimeRecheckSeconds: 1 })
    await quick.listen({ port: 0, host: '127.0.0.1' })
    try {
      const address = quick.server.address()
      const admin = await registerOrg(quick)
      const client = await connect(`ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, admin.token)
      const closed = new Promise<number>((resolve) => client.ws.on('close', (code) => resolve(code)))
      expect((await call(quick, 'POST', '/api/v1/auth/logout', { token: admin.token, body: { refresh_token: admin.refresh } })).statusCode).toBeLessThan(300)
      expect(await closed).toBe(4401)
    } finally {
      await quick.close()
    }
  })
})
