import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { asTenant, data, historyRows, openTicket, outboxEvents, postComment, setupOrg, upload, type Org } from './test-fixtures.js'

let app: App
let org: Org
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 10_000 })
  org = await setupOrg(app)
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

const merge = (as: Session | string, targetId: string, sourceIds: string[]) =>
  call(app, 'POST', `/api/v1/tickets/${targetId}/merge`, { token: typeof as === 'string' ? as : as.token, body: { source_ids: sourceIds } })

describe('merging tickets', () => {
  it('moves comments, files and time to the target, closes the sources and records it on both sides', async () => {
    const target = await openTicket(app, org.customer, { tags: undefined })
    const source = await openTicket(app, org.agent, { requester: { email: 'someone@example.test' }, tags: ['billing', 'vip'] })
    await call(app, 'PATCH', `/api/v1/tickets/${target.id}`, { token: org.agent.token, body: { tags: ['vip', 'printer'] } })
    const onTarget = await postComment(app, org.agent, target.id, { body: 'target reply' })
    const files = data(await upload(app, org.agent, source.id, [{ filename: 'a.txt', data: 'on a comment' }, { filename: 'b.txt', data: 'loose' }]))
    const onSource = await postComment(app, org.agent, source.id, { body: 'source reply', attachment_ids: [files[0].id] })
    const time = await call(app, 'POST', `/api/v1/tickets/${source.id}/time-entries`, { token: org.agent.token, body: { minutes: 30 } })
    expect(time.statusCode, time.body).toBe(201)

    const res = await merge(org.agent, target.id, [source.id])
    expect(res.statusCode, res.body).toBe(200)
    expect(data(res)).toMatchObject({ id: target.id, tags: ['vip', 'printer', 'billing'] })

    const conversation = data(await call(app, 'GET', `/api/v1/tickets/${target.id}/comments?limit=100`, { token: org.agent.token }))
    const ids = conversation.map((c: { id: string }) => c.id)
    expect(ids).toEqual(expect.arrayContaining([onTarget.id, onSource.id]))
    expect(conversation.find((c: { id: string }) => c.id === onSource.id).attachments).toHaveLength(1)
    const note = conversation.at(-1)
    expect(note).toMatchObject({ is_internal: true, source: 'system' })
    expect(note.body_text).toContain(`Merged ${source.ticket_number} into this ticket`)
    // The customer of the target does not see the internal merge note.
    const seen = await call(app, 'GET', `/api/v1/tickets/${target.id}/comments?limit=100`, { token: org.customer.token })
    expect(seen.body).not.toContain('Merged')

    const rows = await asTenant(app, org.admin, async (tx) => ({
      attachments: await tx.selectFrom('attachments').select(['id', 'ticket_id']).where('id', 'in', files.map((f: { id: string }) => f.id)).execute(),
      time: await tx.selectFrom('time_entries').select('ticket_id').where('id', '=', data(time).id).executeTakeFirstOrThrow(),
    }))
    expect(rows.attachments.map((a) => a.ticket_id)).toEqual([target.id, target.id])
    expect(rows.time.ticket_id).toBe(target.id)

    const after = data(await call(app, 'GET', `/api/v1/tickets/${source.id}`, { token: org.agent.token }))
    expect(after).toMatchObject({ merged_into_id: target.id, status: { category: 'closed' }, closed_at: expect.any(String) })
    const sourceComments = data(await call(app, 'GET', `/api/v1/tickets/${source.id}/comments`, { token: org.agent.token }))
    expect(sourceComments).toEqual([expect.objectContaining({ is_internal: false, source: 'system', body_text: `This ticket was merged into ${target.ticket_number}.` })])

    expect((await historyRows(app, org.admin, target.id)).find((h) => h.field === 'merged')).toMatchObject({
      new_value: { from: { id: source.id, ticket_number: source.ticket_number }, moved: { comments: 1, attachments: 2, time_entries: 1 } },
    })
    const sourceHistory = await historyRows(app, org.admin, source.id)
    expect(sourceHistory.map((h) => h.field)).toEqual(expect.arrayContaining(['status', 'merged']))
    expect((await outboxEvents(app, org.admin.tenantId, 'ticket.merged')).filter((e) => e.ticket_id === target.id)).toEqual([
      expect.objectContaining({ source_ids: [source.id] }),
    ])
    // A merged ticket takes no more replies.
    expect((await call(app, 'POST', `/api/v1/tickets/${source.id}/comments`, { token: org.agent.token, body: { body: 'late' } })).statusCode).toBe(409)
  })

  it('merges several sources at once', async () => {
    const target = await openTicket(app, org.agent)
    const sources = [await openTicket(app, org.agent), await openTicket(app, org.agent), await openTicket(app, org.agent)]
    for (const s of sources) await postComment(app, org.agent, s.id, { body: `from ${s.ticket_number}` })
    const res = await merge(org.manager, target.id, sources.map((s) => s.id))
    expect(res.statusCode, res.body).toBe(200)
    const conversation = data(await call(app, 'GET', `/api/v1/tickets/${target.id}/comments`, { token: org.agent.token }))
    expect(conversation.filter((c: { source: string }) => c.source !== 'system')).toHaveLength(3)
    expect(conversation.filter((c: { source: string }) => c.source === 'system')).toHaveLength(3)
  })

  it('refuses self-merges, cycles and merges involving merged or deleted tickets (409)', async () => {
    const a = await openTicket(app, org.agent)
    const b = await openTicket(app, org.agent)
    const c = await openTicket(app, org.agent)
    expect((await merge(org.agent, a.id, [a.id])).statusCode).toBe(409)
    expect((await merge(org.agent, a.id, [b.id])).statusCode).toBe(200)
    // b now points at a: merging a into b would close a loop, and b cannot be merged again.
    const cycle = await merge(org.agent, b.id, [a.id])
    expect(cycle.statusCode).toBe(409)
    expect(cycle.json.error).toMatchObject({ code: 'conflict' })
    expect((await merge(org.agent, c.id, [b.id])).statusCode).toBe(409)
    const d = await openTicket(app, org.agent)
    expect((await call(app, 'DELETE', `/api/v1/tickets/${d.id}`, { token: org.admin.token })).statusCode).toBe(200)
    expect((await merge(org.admin, c.id, [d.id])).statusCode).toBe(409)
    expect((await merge(org.admin, d.id, [c.id])).statusCode).toBe(409)
  })

  it('refuses sources the actor cannot see (400 naming source_ids) and foreign targets (404)', async () => {
    const mine = await openTicket(app, org.agent)
    const foreign = await openTicket(app, stranger)
    const res = await merge(org.agent, mine.id, [foreign.id])
    expect(res.statusCode).toBe(400)
    expect(res.json.error).toMatchObject({ details: [{ field: 'source_ids' }] })
    expect((await merge(org.admin, foreign.id, [mine.id])).statusCode).toBe(404)
    expect((await merge(org.customer, mine.id, [mine.id])).statusCode).toBe(403)
    expect((await merge(org.viewer, mine.id, [mine.id])).statusCode).toBe(403)
  })

  it('lets exactly one of two opposite merges run at once succeed', async () => {
    for (let round = 0; round < 3; round++) {
      const a = await openTicket(app, org.agent)
      const b = await openTicket(app, org.agent)
      await postComment(app, org.agent, a.id, { body: 'a' })
      await postComment(app, org.agent, b.id, { body: 'b' })
      const [ab, ba] = await Promise.all([merge(org.agent, b.id, [a.id]), merge(org.manager, a.id, [b.id])])
      expect([ab.statusCode, ba.statusCode].sort(), `${ab.body} ${ba.body}`).toEqual([200, 409])
      const rows = await asTenant(app, org.admin, (tx) => tx.selectFrom('tickets').select(['id', 'merged_into_id']).where('id', 'in', [a.id, b.id]).execute())
      expect(rows.filter((r) => r.merged_into_id !== null)).toHaveLength(1)
    }
  })
})
