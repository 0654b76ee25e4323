import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { data, multipart, openTicket, postComment, setupOrg, upload, type Org } from './test-fixtures.js'

/**
 * Every conversation route: no token → 401; another organization's admin, given this
 * organization's ids → 404 (and nothing changes); each role that may not use it → 403.
 */
interface Ids { ticket: string; other: string; comment: string; attachment: string; entry: string }
interface Case {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  url: string
  path: (ids: Ids) => string
  body?: (ids: Ids) => Record<string, unknown>
  multipart?: boolean
  /** Roles answered 403 (on a ticket they can see, where visibility applies). */
  refused: Array<keyof Org>
}

const CASES: Case[] = [
  { method: 'GET', url: '/api/v1/tickets/:id/comments', path: (i) => `/api/v1/tickets/${i.ticket}/comments`, refused: [] },
  { method: 'POST', url: '/api/v1/tickets/:id/comments', path: (i) => `/api/v1/tickets/${i.ticket}/comments`, body: () => ({ body: 'hello' }), refused: ['viewer'] },
  { method: 'PATCH', url: '/api/v1/tickets/:id/comments/:comment_id', path: (i) => `/api/v1/tickets/${i.ticket}/comments/${i.comment}`, body: () => ({ body: 'edited' }), refused: ['viewer', 'customer'] },
  { method: 'GET', url: '/api/v1/tickets/:id/comments/:comment_id/revisions', path: (i) => `/api/v1/tickets/${i.ticket}/comments/${i.comment}/revisions`, refused: ['customer'] },
  { method: 'POST', url: '/api/v1/tickets/:id/attachments', path: (i) => `/api/v1/tickets/${i.ticket}/attachments`, multipart: true, refused: ['viewer'] },
  { method: 'GET', url: '/api/v1/attachments/:id', path: (i) => `/api/v1/attachments/${i.attachment}`, refused: [] },
  { method: 'DELETE', url: '/api/v1/attachments/:id', path: (i) => `/api/v1/attachments/${i.attachment}`, refused: ['viewer', 'customer'] },
  { method: 'POST', url: '/api/v1/tickets/:id/merge', path: (i) => `/api/v1/tickets/${i.ticket}/merge`, body: (i) => ({ source_ids: [i.other] }), refused: ['viewer', 'customer'] },
  { method: 'GET', url: '/api/v1/tickets/:id/links', path: (i) => `/api/v1/tickets/${i.ticket}/links`, refused: [] },
  { method: 'POST', url: '/api/v1/tickets/:id/links', path: (i) => `/api/v1/tickets/${i.ticket}/links`, body: (i) => ({ ticket_id: i.other, kind: 'related' }), refused: ['viewer', 'customer'] },
  { method: 'DELETE', url: '/api/v1/tickets/:id/links/:linked_id', path: (i) => `/api/v1/tickets/${i.ticket}/links/${i.other}`, refused: ['viewer', 'customer'] },
  { method: 'POST', url: '/api/v1/tickets/:id/comments/:comment_id/split', path: (i) => `/api/v1/tickets/${i.ticket}/comments/${i.comment}/split`, body: () => ({}), refused: ['viewer', 'customer'] },
  { method: 'GET', url: '/api/v1/tickets/:id/time-entries', path: (i) => `/api/v1/tickets/${i.ticket}/time-entries`, refused: ['customer'] },
  { method: 'POST', url: '/api/v1/tickets/:id/time-entries', path: (i) => `/api/v1/tickets/${i.ticket}/time-entries`, body: () => ({ minutes: 5 }), refused: ['viewer', 'customer', 'apiKey'] },
  { method: 'DELETE', url: '/api/v1/tickets/:id/time-entries/:entry_id', path: (i) => `/api/v1/tickets/${i.ticket}/time-entries/${i.entry}`, refused: ['viewer', 'customer'] },
]

let app: App
let org: Org
let stranger: Session
let ids: Ids

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 10_000 })
  org = await setupOrg(app)
  stranger = await registerOrg(app)
  const ticket = await openTicket(app, org.customer)
  const other = await openTicket(app, org.agent)
  const file = data(await upload(app, org.agent, ticket.id, [{ filename: 'a.txt', data: 'hello' }]))[0]
  const comment = await postComment(app, org.agent, ticket.id, { body: 'public answer', attachment_ids: [file.id] })
  expect((await call(app, 'POST', `/api/v1/tickets/${ticket.id}/links`, { token: org.agent.token, body: { ticket_id: other.id, kind: 'related' } })).statusCode).toBe(201)
  const entry = await call(app, 'POST', `/api/v1/tickets/${ticket.id}/time-entries`, { token: org.agent.token, body: { minutes: 10 } })
  expect(entry.statusCode).toBe(201)
  ids = { ticket: ticket.id, other: other.id, comment: comment.id, attachment: file.id, entry: data(entry).id }
}, 120_000)
afterAll(async () => { await app.close() })

function send(c: Case, token?: string) {
  const payload = c.multipart ? multipart([{ filename: 'x.txt', data: 'x' }]) : c.body ? { body: c.body(ids) } : {}
  return call(app, c.method, c.path(ids), { ...(token ? { token } : {}), ...payload })
}

describe('conversation authorization', () => {
  it('lists every conversation route here', () => {
    const mine = app.ctx.routes.filter((r) => /^\/api\/v1\/(attachments|tickets\/:id\/(comments|attachments|merge|links|time-entries))/.test(r.url)).map((r) => `${r.method} ${r.url}`)
    expect(mine.sort()).toEqual(CASES.map((c) => `${c.method} ${c.url}`).sort())
  })

  for (const c of CASES) {
    it(`${c.method} ${c.url}`, async () => {
      expect((await send(c)).statusCode, 'without a token').toBe(401)
      const foreign = await send(c, stranger.token)
      expect(foreign.statusCode, `another organization's admin: ${foreign.body}`).toBe(404)
      for (const role of c.refused) {
        const token = role === 'apiKey' ? org.apiKey : (org[role] as Session).token
        const res = await send(c, token)
        expect(res.statusCode, `${role}: ${res.body}`).toBe(403)
      }
    })
  }

  it('changed nothing while refusing', async () => {
    const comments = data(await call(app, 'GET', `/api/v1/tickets/${ids.ticket}/comments`, { token: org.admin.token }))
    expect(comments).toEqual([expect.objectContaining({ id: ids.comment, body_text: 'public answer', attachments: [expect.objectContaining({ id: ids.attachment })] })])
    const time = data(await call(app, 'GET', `/api/v1/tickets/${ids.ticket}/time-entries`, { token: org.admin.token }))
    expect(time.total_minutes).toBe(10)
    const links = data(await call(app, 'GET', `/api/v1/tickets/${ids.ticket}/links`, { token: org.admin.token }))
    expect(links).toHaveLength(1)
    const other = data(await call(app, 'GET', `/api/v1/tickets/${ids.other}`, { token: org.admin.token }))
    expect(other.merged_into_id).toBeNull()
  })
})
