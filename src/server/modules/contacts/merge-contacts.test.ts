import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { withTenant } from '../../platform/db/tenant.js'
import { call, createTestApp, registerOrg, uniqueEmail, type Session } from '../../../../test/helpers.js'
import { factories } from './test-support.js'

let app: App
let admin: Session
let f: ReturnType<typeof factories>

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  f = factories(app)
})
afterAll(async () => { await app.close() })

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A target and two sources with overlapping and complementary data, plus tickets and notes on the sources. */
async function scenario() {
  const acme = await f.newCompany(admin, { name: 'Acme' })
  const targetEmail = uniqueEmail('target')
  const target = await f.newContact(admin, {
    name: 'Jane Doe', email: targetEmail, phones: [{ type: 'work', number: '+1 555 0100' }], tags: ['a'],
    language: 'en', address: { city: 'Boston' },
  })
  await sleep(5)
  const older = await f.newContact(admin, {
    name: 'J. Doe', phones: [{ type: 'mobile', number: '+1 555 0199' }], company_id: acme.id, tags: ['b'],
    time_zone: 'America/New_York', address: { street: '1 Main St', city: 'Cambridge' }, is_vip: true,
  })
  await sleep(5)
  const sourceEmail = uniqueEmail('source')
  const newest = await f.newContact(admin, { name: 'Janet Doe', email: sourceEmail, language: 'fr', tags: ['a', 'c'] })
  const tickets = [
    await f.newTicket(admin, { requester_id: older.id }),
    await f.newTicket(admin, { requester_id: newest.id }),
    await f.newTicket(admin, { requester_id: newest.id }),
    await f.newTicket(admin, { requester_id: target.id }),
  ]
  for (const [c, body] of [[older, 'Older note'], [newest, 'Newest note']] as const) {
    expect((await call(app, 'POST', `/api/v1/contacts/${c.id}/notes`, { token: admin.token, body: { body } })).statusCode).toBe(201)
  }
  return { acme, target, older, newest, tickets, targetEmail, sourceEmail }
}

async function requesterOf(ticketId: string): Promise<string | null> {
  const row = await withTenant(app.ctx.db, { tenantId: admin.tenantId }, (tx) => tx.selectFrom('tickets').select('requester_id').where('id', '=', ticketId).executeTakeFirstOrThrow())
  return row.requester_id
}

describe('contact merge', () => {
  it('previews the result of each strategy and what would move, without changing anything', async () => {
    const s = await scenario()
    const res = await call(app, 'GET', `/api/v1/contacts/${s.target.id}/merge-preview?source_ids=${s.older.id},${s.newest.id}`, { token: admin.token })
    expect(res.statusCode, res.body).toBe(200)
    const data = res.json.data as any
    expect(data.target.id).toBe(s.target.id)
    expect(data.sources.map((x: any) => x.id)).toEqual([s.older.id, s.newest.id])
    expect(data.moves).toEqual({ tickets: 3, notes: 2 })
    expect(data.results.keep_primary).toMatchObject({
      name: 'Jane Doe', email: s.targetEmail, language: 'en', time_zone: 'America/New_York', company_id: s.acme.id,
      phones: [{ type: 'work', number: '+1 555 0100' }], tags: ['a'], address: { city: 'Boston' }, is_vip: false,
    })
    expect(data.results.prefer_newest).toMatchObject({
      name: 'Janet Doe', email: s.sourceEmail, language: 'fr', time_zone: 'America/New_York', company_id: s.acme.id,
      tags: ['a', 'c'], phones: [{ type: 'mobile', number: '+1 555 0199' }], address: { street: '1 Main St', city: 'Cambridge' },
    })
    expect(data.results.prefer_complete).toMatchObject({
      name: 'Jane Doe', email: s.targetEmail, language: 'en', time_zone: 'America/New_York', company_id: s.acme.id,
      tags: ['a', 'b', 'c'], is_vip: true,
      phones: [{ type: 'work', number: '+1 555 0100' }, { type: 'mobile', number: '+1 555 0199' }],
      address: { city: 'Boston', street: '1 Main St' },
    })
    // nothing moved
    expect((await call(app, 'GET', `/api/v1/contacts/${s.newest.id}`, { token: admin.token })).statusCode).toBe(200)
    expect(await requesterOf(s.tickets[1]!)).toBe(s.newest.id)
    // no source_ids, itself as a source, or an unknown source → 400
    expect((await call(app, 'GET', `/api/v1/contacts/${s.target.id}/merge-preview`, { token: admin.token })).statusCode).toBe(400)
    expect((await call(app, 'GET', `/api/v1/contacts/${s.target.id}/merge-preview?source_ids=${s.target.id}`, { token: admin.token })).statusCode).toBe(400)
    expect((await call(app, 'GET', `/api/v1/contacts/${s.target.id}/merge-preview?source_ids=00000000-0000-7000-8000-000000000000`, { token: admin.token })).statusCode).toBe(400)
    expect((await call(app, 'GET', `/api/v1/contacts/${s.target.id}/merge-preview?source_ids=nope`, { token: admin.token })).statusCode).toBe(400)
  })

  for (const strategy of ['keep_primary', 'prefer_newest', 'prefer_complete'] as const) {
    it(`merges with ${strategy}: fields by strategy, tickets and notes moved, sources retired`, async () => {
      const s = await scenario()
      const preview = (await call(app, 'GET', `/api/v1/contacts/${s.target.id}/merge-preview?source_ids=${s.older.id},${s.newest.id}`, { token: admin.token })).json.data as any
      const res = await call(app, 'POST', `/api/v1/contacts/${s.target.id}/merge`, { token: admin.token, body: { source_ids: [s.older.id, s.newest.id], strategy } })
      expect(res.statusCode, res.body).toBe(200)
      const data = res.json.data as any
      expect(data.moved).toEqual({ tickets: 3, notes: 2 })
      expect(data.merged_ids).toEqual([s.older.id, s.newest.id])
      const expected = preview.results[strategy]
      expect(data.contact).toMatchObject({
        id: s.target.id, name: expected.name, email: expected.email, phones: expected.phones, tags: expected.tags,
        time_zone: expected.time_zone, language: expected.language, address: expected.address, is_vip: expected.is_vip,
        company_id: expected.company_id,
      })
      for (const t of s.tickets) expect(await requesterOf(t)).toBe(s.target.id)
      const notes = await call(app, 'GET', `/api/v1/contacts/${s.target.id}/notes`, { token: admin.token })
      expect((notes.json.data as any[]).map((n) => n.body).sort()).toEqual(['Newest note', 'Older note'])
      const timeline = await call(app, 'GET', `/api/v1/contacts/${s.target.id}/tickets`, { token: admin.token })
      expect(timeline.json.meta).toMatchObject({ total: 4 })
      for (const src of [s.older, s.newest]) expect((await call(app, 'GET', `/api/v1/contacts/${src.id}`, { token: admin.token })).statusCode).toBe(404)
      const retired = await withTenant(app.ctx.db, { tenantId: admin.tenantId }, (tx) => tx.selectFrom('contacts').select(['id', 'deleted_at', 'merged_into_id']).where('id', 'in', [s.older.id, s.newest.id]).execute())
      for (const r of retired) expect(r).toMatchObject({ deleted_at: expect.any(String), merged_into_id: s.target.id })
      const audit = await withTenant(app.ctx.db, { tenantId: admin.tenantId }, (tx) => tx.selectFrom('audit_events').select(['data']).where('action', '=', 'contact.merged').where('subject_id', '=', s.target.id).execute())
      expect(audit).toHaveLength(1)
      expect(audit[0]!.data).toMatchObject({ strategy, source_ids: [s.older.id, s.newest.id] })
    })
  }

  it("takes over a source's email when the target has none (the unique index is freed first)", async () => {
    const target = await f.newContact(admin, { name: 'No Email' })
    const email = uniqueEmail('taken')
    const source = await f.newContact(admin, { name: 'Has Email', email })
    const res = await call(app, 'POST', `/api/v1/contacts/${target.id}/merge`, { token: admin.token, body: { source_ids: [source.id], strategy: 'keep_primary' } })
    expect(res.statusCode, res.body).toBe(200)
    expect((res.json.data as any).contact.email).toBe(email)
    // the email now belongs to the survivor: a new contact with it is refused
    expect((await call(app, 'POST', '/api/v1/contacts', { token: admin.token, body: { name: 'Dup', email } })).statusCode).toBe(409)
  })

  it('refuses merging into itself, unknown or deleted sources, and leaves everything as it was', async () => {
    const target = await f.newContact(admin, { name: 'T' })
    const gone = await f.newContact(admin, { name: 'Gone' })
    await call(app, 'DELETE', `/api/v1/contacts/${gone.id}`, { token: admin.token })
    for (const source_ids of [[target.id], [gone.id], ['00000000-0000-7000-8000-000000000000']]) {
      const res = await call(app, 'POST', `/api/v1/contacts/${target.id}/merge`, { token: admin.token, body: { source_ids, strategy: 'keep_primary' } })
      expect(res.statusCode).toBe(400)
      expect(res.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'source_ids' })] })
    }
    const bad = await call(app, 'POST', `/api/v1/contacts/${target.id}/merge`, { token: admin.token, body: { source_ids: [gone.id], strategy: 'newest' } })
    expect(bad.statusCode).toBe(400)
    const stranger = await registerOrg(app)
    const theirs = await f.newContact(stranger, { name: 'Theirs' })
    const cross = await call(app, 'POST', `/api/v1/contacts/${target.id}/merge`, { token: admin.token, body: { source_ids: [theirs.id], strategy: 'keep_primary' } })
    expect(cross.statusCode).toBe(400)
    expect((await call(app, 'GET', `/api/v1/contacts/${theirs.id}`, { token: stranger.token })).statusCode).toBe(200)
  })
})
