import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { data, historyRows, openTicket, postComment, setupOrg, upload, type Org } from './test-fixtures.js'

let app: App
let org: Org
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 10_000 })
  org = await setupOrg(app)
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

const links = async (as: Session, id: string) => {
  const res = await call(app, 'GET', `/api/v1/tickets/${id}/links`, { token: as.token })
  expect(res.statusCode, res.body).toBe(200)
  return data(res)
}
const link = (as: Session, id: string, body: Record<string, unknown>) => call(app, 'POST', `/api/v1/tickets/${id}/links`, { token: as.token, body })

describe('links', () => {
  it('links two tickets, seen from both sides, once', async () => {
    const a = await openTicket(app, org.agent)
    const b = await openTicket(app, org.agent)
    const res = await link(org.agent, a.id, { ticket_id: b.id, kind: 'duplicate' })
    expect(res.statusCode, res.body).toBe(201)
    expect(data(res)).toMatchObject({ ticket: { id: b.id, ticket_number: b.ticket_number, subject: b.subject }, kind: 'duplicate' })
    expect(await links(org.agent, a.id)).toEqual([expect.objectContaining({ ticket: expect.objectContaining({ id: b.id }), kind: 'duplicate' })])
    expect(await links(org.viewer, b.id)).toEqual([expect.objectContaining({ ticket: expect.objectContaining({ id: a.id }), kind: 'duplicate' })])
    // Again, from either side: 409.
    expect((await link(org.agent, a.id, { ticket_id: b.id, kind: 'related' })).statusCode).toBe(409)
    expect((await link(org.agent, b.id, { ticket_id: a.id, kind: 'duplicate' })).statusCode).toBe(409)
    expect((await historyRows(app, org.admin, b.id)).at(-1)).toMatchObject({ field: 'linked', new_value: { id: a.id, kind: 'duplicate' } })

    expect((await call(app, 'DELETE', `/api/v1/tickets/${b.id}/links/${a.id}`, { token: org.agent.token })).statusCode).toBe(200)
    expect(await links(org.agent, a.id)).toEqual([])
    expect(await links(org.agent, b.id)).toEqual([])
    expect((await call(app, 'DELETE', `/api/v1/tickets/${b.id}/links/${a.id}`, { token: org.agent.token })).statusCode).toBe(404)
  })

  it('refuses self-links, tickets out of sight, and writes by viewers and customers', async () => {
    const a = await openTicket(app, org.agent)
    expect((await link(org.agent, a.id, { ticket_id: a.id, kind: 'related' })).statusCode).toBe(400)
    const foreign = await openTicket(app, stranger)
    const res = await link(org.agent, a.id, { ticket_id: foreign.id, kind: 'related' })
    expect(res.statusCode).toBe(400)
    expect(res.json.error).toMatchObject({ details: [{ field: 'ticket_id' }] })
    expect((await link(org.agent, a.id, { ticket_id: a.id, kind: 'sibling' })).statusCode).toBe(400)
    const b = await openTicket(app, org.agent)
    expect((await link(org.viewer, a.id, { ticket_id: b.id, kind: 'related' })).statusCode).toBe(403)
    expect((await link(org.customer, a.id, { ticket_id: b.id, kind: 'related' })).statusCode).toBe(403)
  })

  it('shows a customer only the linked tickets they may see', async () => {
    const mine = await openTicket(app, org.customer)
    const theirs = await openTicket(app, org.otherCustomer)
    const internal = await openTicket(app, org.agent)
    expect((await link(org.agent, mine.id, { ticket_id: theirs.id, kind: 'duplicate' })).statusCode).toBe(201)
    expect((await link(org.agent, internal.id, { ticket_id: mine.id, kind: 'related' })).statusCode).toBe(201)
    expect(await links(org.customer, mine.id)).toEqual([])
    expect(await links(org.agent, mine.id)).toHaveLength(2)
  })
})

describe('split', () => {
  it('moves a comment into a new ticket for the same requester, linked and recorded on both sides', async () => {
    const original = await openTicket(app, org.customer)
    const file = data(await upload(app, org.customer, original.id, [{ filename: 'photo.txt', data: 'printer photo' }]))[0]
    const comment = await postComment(app, org.customer, original.id, { body: '<p>Also my <b>printer</b> jams</p>', attachment_ids: [file.id] })
    const other = await postComment(app, org.agent, original.id, { body: 'Looking into the first issue' })

    const res = await call(app, 'POST', `/api/v1/tickets/${original.id}/comments/${comment.id}/split`, { token: org.agent.token, body: {} })
    expect(res.statusCode, res.body).toBe(201)
    const created = data(res)
    expect(created).toMatchObject({
      subject: `Split from ${original.ticket_number}: ${original.subject}`,
      description: '<p>Also my <b>printer</b> jams</p>',
      requester: { id: original.requester.id },
    })
    const moved = data(await call(app, 'GET', `/api/v1/tickets/${created.id}/comments`, { token: org.customer.token }))
    expect(moved).toEqual([expect.objectContaining({ id: comment.id, attachments: [expect.objectContaining({ id: file.id })] })])
    expect((await call(app, 'GET', `/api/v1/attachments/${file.id}`, { token: org.customer.token })).statusCode).toBe(200)

    const left = data(await call(app, 'GET', `/api/v1/tickets/${original.id}/comments`, { token: org.agent.token }))
    expect(left.map((c: { id: string }) => c.id)).toContain(other.id)
    expect(left.map((c: { id: string }) => c.id)).not.toContain(comment.id)
    expect(left.at(-1)).toMatchObject({ source: 'system', is_internal: true, body_text: `A comment was split off into ${created.ticket_number}.` })

    expect(await links(org.agent, original.id)).toEqual([expect.objectContaining({ ticket: expect.objectContaining({ id: created.id }), kind: 'related' })])
    expect((await historyRows(app, org.admin, original.id)).map((h) => h.field)).toContain('split')
    expect((await historyRows(app, org.admin, created.id)).find((h) => h.field === 'split')).toMatchObject({ new_value: { comment_id: comment.id, from: { id: original.id } } })
  })

  it('takes a subject, and refuses internal notes, other tickets’ comments and lesser roles', async () => {
    const original = await openTicket(app, org.customer)
    const reply = await postComment(app, org.customer, original.id, { body: 'second issue' })
    const named = await call(app, 'POST', `/api/v1/tickets/${original.id}/comments/${reply.id}/split`, { token: org.agent.token, body: { subject: 'Printer jam' } })
    expect(named.statusCode, named.body).toBe(201)
    expect(data(named).subject).toBe('Printer jam')

    const note = await postComment(app, org.agent, original.id, { body: 'internal thought', is_internal: true })
    expect((await call(app, 'POST', `/api/v1/tickets/${original.id}/comments/${note.id}/split`, { token: org.agent.token, body: {} })).statusCode).toBe(409)
    const elsewhere = await openTicket(app, org.agent)
    expect((await call(app, 'POST', `/api/v1/tickets/${elsewhere.id}/comments/${note.id}/split`, { token: org.agent.token, body: {} })).statusCode).toBe(404)
    const again = await postComment(app, org.customer, original.id, { body: 'third issue' })
    for (const who of [org.customer, org.viewer]) {
      expect((await call(app, 'POST', `/api/v1/tickets/${original.id}/comments/${again.id}/split`, { token: who.token, body: {} })).statusCode).toBe(403)
    }
  })
})
