import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { App } from '../../app.js'
import { addMember, call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { asTenant, data, openTicket, outboxEvents, postComment, setupOrg, statusOf, upload, PNG, type Org } from './test-fixtures.js'

let app: App
let org: Org
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 10_000 })
  org = await setupOrg(app)
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

const comments = async (as: Session | string, ticketId: string, query = '') => {
  const res = await call(app, 'GET', `/api/v1/tickets/${ticketId}/comments${query}`, { token: typeof as === 'string' ? as : as.token })
  expect(res.statusCode, res.body).toBe(200)
  return res
}

describe('the conversation', () => {
  it('keeps internal notes from customers and viewers, in the query itself', async () => {
    const ticket = await openTicket(app, org.customer)
    await postComment(app, org.agent, ticket.id, { body: '<p>We are on it.</p>' })
    const note = await postComment(app, org.agent, ticket.id, { body: '<p>Secret: customer is on the old plan</p>', is_internal: true })
    expect(note).toMatchObject({ is_internal: true, source: 'web', author: { type: 'user', id: org.agent.userId } })

    const staff = data(await comments(org.agent, ticket.id))
    expect(staff.map((c: { is_internal: boolean }) => c.is_internal)).toEqual([false, true])
    for (const who of [org.customer, org.viewer]) {
      const res = await comments(who, ticket.id)
      expect(res.body).not.toContain('Secret')
      expect(res.json.meta).toMatchObject({ total: 1 })
    }
    // The note's revisions are not reachable either.
    const revisions = await call(app, 'GET', `/api/v1/tickets/${ticket.id}/comments/${note.id}/revisions`, { token: org.viewer.token })
    expect(revisions.statusCode).toBe(404)
  })

  it('refuses internal notes from customers (403) and viewers (403 at the gate)', async () => {
    const ticket = await openTicket(app, org.customer)
    const customer = await call(app, 'POST', `/api/v1/tickets/${ticket.id}/comments`, { token: org.customer.token, body: { body: 'hi', is_internal: true } })
    expect(customer.statusCode).toBe(403)
    const viewer = await call(app, 'POST', `/api/v1/tickets/${ticket.id}/comments`, { token: org.viewer.token, body: { body: 'hi' } })
    expect(viewer.statusCode).toBe(403)
    expect(data(await comments(org.admin, ticket.id))).toHaveLength(0)
  })

  it('writes a customer reply as their contact, sanitized, oldest first and paged', async () => {
    const ticket = await openTicket(app, org.customer)
    const reply = await postComment(app, org.customer, ticket.id, { body: '<p onclick="x()">Hello <script>alert(1)</script><b>there</b></p>' })
    expect(reply.body).toBe('<p>Hello <b>there</b></p>')
    expect(reply.body_text).toBe('Hello there')
    expect(reply.author).toMatchObject({ type: 'contact', id: ticket.requester.id })
    await postComment(app, org.agent, ticket.id, { body_text: 'Line one\nline two\n\nNext <para>' })
    await postComment(app, org.agent, ticket.id, { content: '<p>Third</p>' })
    const first = await comments(org.customer, ticket.id, '?limit=2')
    expect(first.json.meta).toEqual({ page: 1, limit: 2, total: 3 })
    expect(data(first).map((c: { body_text: string }) => c.body_text)).toEqual(['Hello there', 'Line one\nline two\n\nNext <para>'])
    expect(data(first)[1].body).toBe('<p>Line one<br>line two</p><p>Next &lt;para&gt;</p>')
    const second = await comments(org.customer, ticket.id, '?limit=2&page=2')
    expect(data(second).map((c: { body: string }) => c.body)).toEqual(['<p>Third</p>'])
  })

  it('validates the body: empty after sanitizing, too long, none or two of them', async () => {
    const ticket = await openTicket(app, org.agent)
    const url = `/api/v1/tickets/${ticket.id}/comments`
    const empty = await call(app, 'POST', url, { token: org.agent.token, body: { body: '<script>alert(1)</script>  ' } })
    expect(empty.statusCode).toBe(400)
    expect(empty.json.error).toMatchObject({ code: 'validation_error', details: [{ field: 'body' }] })
    const long = await call(app, 'POST', url, { token: org.agent.token, body: { body: 'x'.repeat(100_001) } })
    expect(long.statusCode).toBe(400)
    expect(long.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'body' })] })
    expect((await call(app, 'POST', url, { token: org.agent.token, body: {} })).statusCode).toBe(400)
    expect((await call(app, 'POST', url, { token: org.agent.token, body: { body: 'a', body_text: 'b' } })).statusCode).toBe(400)
    expect((await call(app, 'POST', url, { token: org.agent.token, body: { body: 'a', colour: 'red' } })).statusCode).toBe(400)
  })

  it('keeps mentions of active staff of this organization only, and announces them', async () => {
    const ticket = await openTicket(app, org.agent)
    const body = [
      `<p>Hey <span data-mention-id="${org.manager.userId}">@Manager</span>`,
      `<span data-mention-id="${stranger.userId}">@Stranger</span>`,
      `<span data-mention-id="${org.customer.userId}">@Customer</span>`,
      `and @${org.admin.email.toUpperCase()} and @${stranger.email} and @nobody@example.test</p>`,
    ].join(' ')
    const comment = await postComment(app, org.agent, ticket.id, { body, is_internal: true })
    expect(comment.mentions.map((m: { id: string }) => m.id).sort()).toEqual([org.manager.userId, org.admin.userId].sort())
    const events = (await outboxEvents(app, org.admin.tenantId, 'comment.mentioned')).filter((e) => e.comment_id === comment.id)
    expect(events).toHaveLength(1)
    expect((events[0]!.user_ids as string[]).sort()).toEqual([org.manager.userId, org.admin.userId].sort())
    const added = (await outboxEvents(app, org.admin.tenantId, 'comment.added')).filter((e) => e.comment_id === comment.id)
    expect(added).toEqual([expect.objectContaining({ ticket_id: ticket.id, is_internal: true })])
    // A customer's @mentions are not kept.
    const own = await openTicket(app, org.customer)
    const fromCustomer = await postComment(app, org.customer, own.id, { body: `<p>@${org.admin.email} help</p>` })
    expect(fromCustomer.mentions).toEqual([])
  })

  it('stamps first_response_at with the first public staff reply only', async () => {
    const ticket = await openTicket(app, org.customer)
    const stamp = async () => (await asTenant(app, org.admin, (tx) => tx.selectFrom('tickets').select('first_response_at').where('id', '=', ticket.id).executeTakeFirstOrThrow())).first_response_at
    await postComment(app, org.customer, ticket.id, { body: 'More details' })
    await postComment(app, org.agent, ticket.id, { body: 'note', is_internal: true })
    expect(await stamp()).toBeNull()
    await postComment(app, org.agent, ticket.id, { body: 'Public answer' })
    const first = await stamp()
    expect(first).not.toBeNull()
    await postComment(app, org.manager, ticket.id, { body: 'Another answer' })
    expect(await stamp()).toBe(first)
  })

  it('writes an API key’s reply with source api and no author, and it counts as the first response', async () => {
    const ticket = await openTicket(app, org.customer)
    const reply = await postComment(app, org.apiKey, ticket.id, { body: 'Automated answer' })
    expect(reply).toMatchObject({ source: 'api', author: null, is_internal: false })
    const after = data(await call(app, 'GET', `/api/v1/tickets/${ticket.id}`, { token: org.agent.token }))
    expect(after.first_response_at).not.toBeNull()
    // Nobody authored it, so only a manager or admin may edit it.
    const url = `/api/v1/tickets/${ticket.id}/comments/${reply.id}`
    expect((await call(app, 'PATCH', url, { token: org.agent.token, body: { body: 'x' } })).statusCode).toBe(403)
    expect((await call(app, 'PATCH', url, { token: org.admin.token, body: { body: 'Corrected answer' } })).statusCode).toBe(200)
  })

  it('reopens a pending or resolved ticket when the customer replies, with history', async () => {
    for (const category of ['pending', 'resolved'] as const) {
      const ticket = await openTicket(app, org.customer)
      const moved = await call(app, 'PATCH', `/api/v1/tickets/${ticket.id}`, { token: org.agent.token, body: { status_id: await statusOf(app, org.admin, category) } })
      expect(moved.statusCode, moved.body).toBe(200)
      await postComment(app, org.customer, ticket.id, { body: 'Still broken' })
      const after = data(await call(app, 'GET', `/api/v1/tickets/${ticket.id}`, { token: org.agent.token }))
      expect(after.status.category).toBe('open')
      expect(after.resolved_at).toBeNull()
      const history = data(await call(app, 'GET', `/api/v1/tickets/${ticket.id}/history`, { token: org.agent.token }))
      expect(history.at(-1)).toMatchObject({ field: 'status', old_value: { category }, new_value: { category: 'open' }, actor: { id: org.customer.userId } })
    }
    // Staff replies and replies on open tickets change nothing.
    const ticket = await openTicket(app, org.customer)
    await call(app, 'PATCH', `/api/v1/tickets/${ticket.id}`, { token: org.agent.token, body: { status_id: await statusOf(app, org.admin, 'pending') } })
    await postComment(app, org.agent, ticket.id, { body: 'Waiting for you' })
    expect(data(await call(app, 'GET', `/api/v1/tickets/${ticket.id}`, { token: org.agent.token })).status.category).toBe('pending')
  })

  it('bumps updated_at and last_activity_at', async () => {
    const ticket = await openTicket(app, org.agent)
    await new Promise((r) => setTimeout(r, 5))
    await postComment(app, org.agent, ticket.id, { body: 'progress' })
    const row = await asTenant(app, org.admin, (tx) => tx.selectFrom('tickets').select(['updated_at', 'last_activity_at']).where('id', '=', ticket.id).executeTakeFirstOrThrow())
    expect(Date.parse(row.updated_at)).toBeGreaterThan(Date.parse(ticket.updated_at))
    expect(Date.parse(row.last_activity_at)).toBeGreaterThan(Date.parse(ticket.created_at))
  })

  it('edits keep revisions; only the author or a manager for staff comments; customers within 15 minutes', async () => {
    const ticket = await openTicket(app, org.customer)
    const mine = await postComment(app, org.agent, ticket.id, { body: '<p>First version</p>' })
    const url = `/api/v1/tickets/${ticket.id}/comments/${mine.id}`
    const edited = await call(app, 'PATCH', url, { token: org.agent.token, body: { body: '<p>Second version</p>' } })
    expect(edited.statusCode, edited.body).toBe(200)
    expect(data(edited)).toMatchObject({ body: '<p>Second version</p>', edited_at: expect.any(String) })
    expect((await call(app, 'PATCH', url, { token: org.manager.token, body: { body_text: 'Third version' } })).statusCode).toBe(200)
    const revisions = await call(app, 'GET', `${url}/revisions`, { token: org.viewer.token })
    expect(revisions.statusCode).toBe(200)
    expect(data(revisions).map((r: { body: string }) => r.body)).toEqual(['<p>First version</p>', '<p>Second version</p>'])
    expect(data(revisions)[1].edited_by).toMatchObject({ id: org.manager.userId })
    expect(data(await comments(org.customer, ticket.id))[0].body_text).toBe('Third version')

    const other = (await addMember(app, org.admin, 'agent')).token
    expect((await call(app, 'PATCH', url, { token: other, body: { body: 'hijack' } })).statusCode).toBe(403)
    expect((await call(app, 'PATCH', url, { token: org.customer.token, body: { body: 'hijack' } })).statusCode).toBe(403)
    expect((await call(app, 'GET', `${url}/revisions`, { token: org.customer.token })).statusCode).toBe(403)

    const reply = await postComment(app, org.customer, ticket.id, { body: 'typo' })
    const replyUrl = `/api/v1/tickets/${ticket.id}/comments/${reply.id}`
    expect((await call(app, 'PATCH', replyUrl, { token: org.customer.token, body: { body: 'fixed' } })).statusCode).toBe(200)
    expect((await call(app, 'PATCH', replyUrl, { token: org.manager.token, body: { body: 'staff rewrite' } })).statusCode).toBe(403)
    await asTenant(app, org.admin, (tx) => tx.updateTable('comments').set({ created_at: new Date(Date.now() - 16 * 60 * 1000) }).where('id', '=', reply.id).execute())
    const late = await call(app, 'PATCH', replyUrl, { token: org.customer.token, body: { body: 'too late' } })
    expect(late.statusCode).toBe(403)
  })

  it('attaches earlier uploads to a reply and lists them with the page', async () => {
    const ticket = await openTicket(app, org.customer)
    const up = await upload(app, org.customer, ticket.id, [{ filename: 'a.png', data: PNG }, { filename: 'b.txt', data: 'hello' }])
    expect(up.statusCode, up.body).toBe(201)
    const ids = data(up).map((a: { id: string }) => a.id)
    const reply = await postComment(app, org.customer, ticket.id, { body: 'see files', attachment_ids: ids })
    expect(reply.attachments.map((a: { filename: string }) => a.filename)).toEqual(['a.png', 'b.txt'])
    expect(reply.attachments[0]).toMatchObject({ content_type: 'image/png', url: `/api/v1/attachments/${ids[0]}` })
    // Already attached: not again.
    const again = await call(app, 'POST', `/api/v1/tickets/${ticket.id}/comments`, { token: org.agent.token, body: { body: 'x', attachment_ids: [ids[0]] } })
    expect(again.statusCode).toBe(400)
    expect(again.json.error).toMatchObject({ details: [{ field: 'attachment_ids' }] })
    // A customer cannot attach someone else's upload.
    const agentUpload = data(await upload(app, org.agent, ticket.id, [{ filename: 'c.txt', data: 'agent file' }]))
    const stolen = await call(app, 'POST', `/api/v1/tickets/${ticket.id}/comments`, { token: org.customer.token, body: { body: 'x', attachment_ids: [agentUpload[0].id] } })
    expect(stolen.statusCode).toBe(400)
  })

  it('reads a page with a fixed number of statements, however many authors and files', async () => {
    const ticket = await openTicket(app, org.customer)
    const count = async () => {
      let proto = Object.getPrototypeOf(app.ctx.db.getExecutor())
      while (proto && !Object.hasOwn(proto, 'executeQuery')) proto = Object.getPrototypeOf(proto)
      const spy = vi.spyOn(proto, 'executeQuery')
      try {
        await comments(org.agent, ticket.id)
        return spy.mock.calls.length
      } finally {
        spy.mockRestore()
      }
    }
    await postComment(app, org.agent, ticket.id, { body: `<span data-mention-id="${org.admin.userId}">@A</span>` })
    const few = await count()
    for (const who of [org.customer, org.manager, org.admin, org.agent]) {
      const files = data(await upload(app, who, ticket.id, [{ filename: 'f.txt', data: `from ${who.userId}` }]))
      await postComment(app, who, ticket.id, { body: `<span data-mention-id="${org.manager.userId}">@M</span> hi`, attachment_ids: [files[0].id] })
    }
    expect(await count()).toBe(few)
  })

  it('answers 404 for a ticket outside the actor’s visibility and for comments of other tickets', async () => {
    const ticket = await openTicket(app, org.customer)
    const theirs = await openTicket(app, org.otherCustomer)
    expect((await call(app, 'GET', `/api/v1/tickets/${theirs.id}/comments`, { token: org.customer.token })).statusCode).toBe(404)
    expect((await call(app, 'POST', `/api/v1/tickets/${theirs.id}/comments`, { token: org.customer.token, body: { body: 'x' } })).statusCode).toBe(404)
    const c = await postComment(app, org.agent, theirs.id, { body: 'x' })
    expect((await call(app, 'PATCH', `/api/v1/tickets/${ticket.id}/comments/${c.id}`, { token: org.agent.token, body: { body: 'y' } })).statusCode).toBe(404)
  })
})

