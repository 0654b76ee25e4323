import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { App } from '../../app.js'
import { addMember, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { uuidv7 } from '../../platform/ids.js'
import { api, asTenant, newApiKey, newCategory, newCompany, newContact, newCustomField, newTeam, openTicket, statusIds } from '../tickets/test-support.js'
import { contactOf, insertTickets, minutesFromNow, type TicketSpec } from './test-fixtures.js'

let app: App
let admin: Session
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 10_000 })
  admin = await registerOrg(app)
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

const list = (token: string, query = '') => api(app, 'GET', `/api/v1/tickets${query ? `?${query}` : ''}`, { token })
const subjects = (res: { json: any }): string[] => (res.json.data as Array<{ subject: string }>).map((t) => t.subject)

/** A fresh organization, so a test sees only its own tickets. */
async function freshOrg(): Promise<Session> {
  return registerOrg(app)
}

/** Tickets named by subject, updated one minute apart in the order given (the last is the most recent). */
async function seed(org: Session, specs: TicketSpec[]) {
  const base = Date.now() - specs.length * 60_000
  return insertTickets(app, org, specs.map((s, i) => ({ updated_at: new Date(base + i * 60_000).toISOString(), ...s })))
}

describe('listing tickets', () => {
  it('lists live tickets most recently updated first, with page meta, hiding deleted and spam tickets', async () => {
    const org = await freshOrg()
    await seed(org, [{ subject: 'one' }, { subject: 'trashed', deleted_at: minutesFromNow(-1) }, { subject: 'two' }, { subject: 'junk', is_spam: true }, { subject: 'three' }])
    const res = await list(org.token)
    expect(res.statusCode, res.body).toBe(200)
    expect(subjects(res)).toEqual(['three', 'two', 'one'])
    expect(res.json.meta).toEqual({ page: 1, limit: 25, total: 3, next_cursor: null })
    expect(res.json.data[0]).toMatchObject({ ticket_number: expect.stringMatching(/^TKT-\d{6}$/), status: { category: 'open' }, is_spam: false, deleted_at: null })
  })

  it('filters by status, status category, priority, source, assignee, team, requester, company and tag', async () => {
    const org = await freshOrg()
    const agent = await addMember(app, org, 'agent')
    const team = await newTeam(app, org)
    const otherTeam = await newTeam(app, org)
    const company = await newCompany(app, org, 'Acme')
    const requester = await newContact(app, org, `rq-${uuidv7()}@example.test`, company)
    const statuses = await statusIds(app, org)
    await seed(org, [
      { subject: 'a', category: 'new', priority: 'low', source: 'email', tags: ['billing', 'vip'] },
      { subject: 'b', category: 'open', priority: 'high', source: 'chat', assignee_id: agent.userId, team_id: team, tags: ['billing'] },
      { subject: 'c', category: 'pending', priority: 'urgent', source: 'phone', assignee_id: org.userId, requester_id: requester, company_id: company },
      { subject: 'd', category: 'closed', priority: 'medium', team_id: otherTeam, tags: ['vip'] },
    ])
    const cases: Array<[string, string[]]> = [
      [`status=${statuses.new}`, ['a']],
      [`status=${statuses.new},${statuses.closed}`, ['d', 'a']],
      [`status=${statuses.new}&status=${statuses.pending}`, ['c', 'a']],
      ['status_category=open', ['b']],
      ['status_category=new,pending', ['c', 'a']],
      ['status_category=resolved', []],
      ['priority=urgent,high', ['c', 'b']],
      ['priority=low&priority=medium', ['d', 'a']],
      ['source=chat', ['b']],
      ['source=email,phone', ['c', 'a']],
      [`assignee=${agent.userId}`, ['b']],
      ['assignee=me', ['c']],
      ['assignee=none', ['d', 'a']],
      [`team=${team}`, ['b']],
      ['team=none', ['c', 'a']],
      [`requester_id=${requester}`, ['c']],
      [`company_id=${company}`, ['c']],
      ['tag=billing', ['b', 'a']],
      ['tag=billing,vip', ['a']],
      ['tag=billing&tag=vip', ['a']],
      ['tag=nothing', []],
      ['status_category=new,open,pending&priority=high,low&tag=billing', ['b', 'a']],
    ]
    for (const [query, expected] of cases) {
      const res = await list(org.token, query)
      expect(res.statusCode, `${query}: ${res.body}`).toBe(200)
      expect(subjects(res), query).toEqual(expected)
      expect(res.json.meta.total, query).toBe(expected.length)
    }
  })

  it('filters by category including its sub-categories', async () => {
    const org = await freshOrg()
    const hardware = await newCategory(app, org, 'Hardware')
    const printers = uuidv7()
    const inks = uuidv7()
    await asTenant(app, org, (tx) => tx.insertInto('ticket_categories').values([
      { tenant_id: org.tenantId, id: printers, name: 'Printers', parent_id: hardware },
      { tenant_id: org.tenantId, id: inks, name: 'Inks', parent_id: printers },
    ]).execute())
    const software = await newCategory(app, org, 'Software')
    await seed(org, [
      { subject: 'hw', category_id: hardware }, { subject: 'printer', category_id: printers }, { subject: 'ink', category_id: inks },
      { subject: 'sw', category_id: software }, { subject: 'none' },
    ])
    expect(subjects(await list(org.token, `category_id=${hardware}`))).toEqual(['ink', 'printer', 'hw'])
    expect(subjects(await list(org.token, `category_id=${printers}`))).toEqual(['ink', 'printer'])
    expect(subjects(await list(org.token, `category_id=${software}`))).toEqual(['sw'])
    expect(subjects(await list(org.token, `category_id=${uuidv7()}`))).toEqual([])
  })

  it('filters by custom field values by type, and refuses fields that are not the organization’s ticket fields', async () => {
    const org = await freshOrg()
    const customer = await addMember(app, org, 'customer')
    await contactOf(app, org, customer)
    await newCustomField(app, org, 'plan', 'select', { options: ['free', 'pro'] })
    await newCustomField(app, org, 'seats', 'number')
    await newCustomField(app, org, 'churn_risk', 'boolean', { is_internal: true })
    await newCustomField(app, org, 'modules', 'multiselect', { options: ['crm', 'erp'] })
    await seed(org, [
      { subject: 'pro-10', custom_fields: { plan: 'pro', seats: 10, churn_risk: true, modules: ['crm', 'erp'] } },
      { subject: 'free-1', custom_fields: { plan: 'free', seats: 1, churn_risk: false, modules: ['crm'] } },
      { subject: 'blank' },
    ])
    expect(subjects(await list(org.token, 'cf.plan=pro'))).toEqual(['pro-10'])
    expect(subjects(await list(org.token, 'cf.seats=1'))).toEqual(['free-1'])
    expect(subjects(await list(org.token, 'cf.churn_risk=false'))).toEqual(['free-1'])
    expect(subjects(await list(org.token, 'cf.modules=crm'))).toEqual(['free-1', 'pro-10'])
    expect(subjects(await list(org.token, 'cf.modules=erp&cf.plan=pro'))).toEqual(['pro-10'])

    const bad: Array<[string, string]> = [['cf.seats=ten', 'cf.seats'], ['cf.churn_risk=maybe', 'cf.churn_risk'], ['cf.unknown=1', 'cf.unknown'], ['cf.Plan=pro', 'cf.Plan']]
    for (const [query, field] of bad) {
      const res = await list(org.token, query)
      expect(res.statusCode, query).toBe(400)
      expect(res.json.error.details[0].field, query).toBe(field)
    }
    // Another organization's field is not this one's; an internal field is unknown to customers.
    await newCustomField(app, stranger, 'only_theirs', 'text')
    expect((await list(org.token, 'cf.only_theirs=x')).statusCode).toBe(400)
    const asCustomer = await list(customer.token, 'cf.churn_risk=true')
    expect(asCustomer.statusCode).toBe(400)
    expect(asCustomer.json.error.message).toBe('cf.churn_risk: is not a custom field of tickets')
  })

  it('filters by created and updated ranges and by overdue', async () => {
    const org = await freshOrg()
    await insertTickets(app, org, [
      { subject: 'old', created_at: '2026-01-10T10:00:00Z', updated_at: '2026-02-01T00:00:00Z', due_at: minutesFromNow(-600) },
      { subject: 'mid', created_at: '2026-03-10T10:00:00Z', updated_at: '2026-03-11T00:00:00Z', due_at: minutesFromNow(-10), category: 'resolved' },
      { subject: 'new', created_at: '2026-05-10T10:00:00Z', updated_at: '2026-05-11T00:00:00Z', due_at: minutesFromNow(600) },
      { subject: 'undated', created_at: '2026-05-12T10:00:00Z', updated_at: '2026-05-12T10:00:00Z' },
    ])
    expect(subjects(await list(org.token, 'created_after=2026-03-01T00:00:00Z&sort=created_at'))).toEqual(['mid', 'new', 'undated'])
    expect(subjects(await list(org.token, 'created_before=2026-03-10T10:00:00Z&sort=created_at'))).toEqual(['old'])
    expect(subjects(await list(org.token, 'created_after=2026-03-01T00:00:00%2B02:00&created_before=2026-05-11T00:00:00Z&sort=created_at'))).toEqual(['mid', 'new'])
    expect(subjects(await list(org.token, 'updated_after=2026-05-01T00:00:00Z'))).toEqual(['undated', 'new'])
    expect(subjects(await list(org.token, 'updated_before=2026-03-01T00:00:00Z'))).toEqual(['old'])
    // Overdue: due date passed and still open — a resolved ticket is not overdue.
    const overdue = await list(org.token, 'overdue=true')
    expect(subjects(overdue)).toEqual(['old'])
    expect(overdue.json.data[0].is_overdue).toBe(true)
    expect(subjects(await list(org.token, 'overdue=false&sort=created_at'))).toEqual(['mid', 'new', 'undated'])
    for (const query of ['created_after=yesterday', 'updated_before=2026-05-01', 'overdue=maybe']) {
      const res = await list(org.token, query)
      expect(res.statusCode, query).toBe(400)
      expect(res.json.error.details[0].field, query).toBe(query.split('=')[0])
    }
  })

  it('shows the trash and spam only when asked, deleted tickets only to those who may delete', async () => {
    const org = await freshOrg()
    const manager = await addMember(app, org, 'manager')
    const agent = await addMember(app, org, 'agent')
    await seed(org, [{ subject: 'live' }, { subject: 'trashed', deleted_at: minutesFromNow(-5) }, { subject: 'junk', is_spam: true }])
    expect(subjects(await list(manager.token, 'deleted=only'))).toEqual(['trashed'])
    expect(subjects(await list(manager.token, 'include_deleted=true'))).toEqual(['trashed', 'live'])
    expect(subjects(await list(agent.token, 'spam=true'))).toEqual(['junk'])
    expect(subjects(await list(agent.token, 'spam=false'))).toEqual(['live'])
    for (const query of ['deleted=only', 'include_deleted=true']) {
      const res = await list(agent.token, query)
      expect(res.statusCode, query).toBe(403)
      expect(res.json.error.code).toBe('forbidden')
    }
    expect((await list(manager.token, 'deleted=all')).statusCode).toBe(400)
  })
})

describe('sorting', () => {
  it('sorts by each key both ways; priority runs urgent > high > medium > low, tickets without a due date come last', async () => {
    const org = await freshOrg()
    const made = await insertTickets(app, org, [
      { subject: 'A', priority: 'medium', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-05T00:00:00Z', due_at: '2026-02-02T00:00:00Z' },
      { subject: 'B', priority: 'urgent', created_at: '2026-01-02T00:00:00Z', updated_at: '2026-01-03T00:00:00Z', due_at: null },
      { subject: 'C', priority: 'low', created_at: '2026-01-03T00:00:00Z', updated_at: '2026-01-04T00:00:00Z', due_at: '2026-02-01T00:00:00Z' },
      { subject: 'D', priority: 'high', created_at: '2026-01-04T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', due_at: '2026-02-03T00:00:00Z' },
    ])
    expect(made.map((m) => m.number)).toEqual([1, 2, 3, 4])
    const cases: Array<[string, string[]]> = [
      ['', ['A', 'C', 'B', 'D']],
      ['-updated_at', ['A', 'C', 'B', 'D']],
      ['updated_at', ['D', 'B', 'C', 'A']],
      ['created_at', ['A', 'B', 'C', 'D']],
      ['-created_at', ['D', 'C', 'B', 'A']],
      ['-priority', ['B', 'D', 'A', 'C']],
      ['priority', ['C', 'A', 'D', 'B']],
      ['due_at', ['C', 'A', 'D', 'B']],
      ['-due_at', ['D', 'A', 'C', 'B']],
      ['number', ['A', 'B', 'C', 'D']],
      ['-number', ['D', 'C', 'B', 'A']],
    ]
    for (const [sort, expected] of cases) {
      const res = await list(org.token, sort ? `sort=${sort}` : '')
      expect(res.statusCode, sort).toBe(200)
      expect(subjects(res), sort).toEqual(expected)
    }
    const bad = await list(org.token, 'sort=subject')
    expect(bad.statusCode).toBe(400)
    expect(bad.json.error.details[0].field).toBe('sort')
  })
})

describe('paging', () => {
  it('pages with page and limit and reports the total', async () => {
    const org = await freshOrg()
    await seed(org, Array.from({ length: 7 }, (_, i) => ({ subject: `t${i}` })))
    const first = await list(org.token, 'limit=3')
    expect(subjects(first)).toEqual(['t6', 't5', 't4'])
    expect(first.json.meta).toMatchObject({ page: 1, limit: 3, total: 7, next_cursor: expect.any(String) })
    const third = await list(org.token, 'limit=3&page=3')
    expect(subjects(third)).toEqual(['t0'])
    expect(third.json.meta).toEqual({ page: 3, limit: 3, total: 7, next_cursor: null })
    const beyond = await list(org.token, 'limit=3&page=9')
    expect(beyond.json.data).toEqual([])
    expect(beyond.json.meta.total).toBe(7)
    for (const query of ['limit=101', 'limit=0', 'page=0', 'page=x']) {
      const res = await list(org.token, query)
      expect(res.statusCode, query).toBe(400)
      expect(res.json.error.details[0].field, query).toBe(query.split('=')[0])
    }
  })

  it('walks cursor pages without skipping or repeating while new tickets arrive between pages', async () => {
    const org = await freshOrg()
    // Same updated_at for several tickets: the id breaks the tie, so none is lost at a page edge.
    const same = '2026-03-01T12:00:00.123456Z'
    await insertTickets(app, org, Array.from({ length: 23 }, (_, i) => ({ subject: `t${i}`, updated_at: i % 3 === 0 ? same : minutesFromNow(-100 + i) })))
    const expected = subjects(await list(org.token, 'limit=100'))
    expect(expected).toHaveLength(23)

    const seen: string[] = []
    let cursor = ''
    for (let page = 0; page < 10; page++) {
      const res = await list(org.token, `limit=5&cursor=${cursor}`)
      expect(res.statusCode, res.body).toBe(200)
      expect(res.json.meta).not.toHaveProperty('total')
      expect(res.json.meta).not.toHaveProperty('page')
      seen.push(...subjects(res))
      // Someone opens tickets while the list is being read: they sort before the cursor.
      await insertTickets(app, org, [{ subject: `late${page}` }])
      cursor = res.json.meta.next_cursor
      if (!cursor) break
    }
    expect(seen).toEqual(expected)
  })

  it('walks cursor pages for every sort, ties and missing due dates included', async () => {
    const org = await freshOrg()
    const priorities = ['low', 'medium', 'high', 'urgent'] as const
    await insertTickets(app, org, Array.from({ length: 17 }, (_, i) => ({
      subject: `t${i}`, priority: priorities[i % 4], due_at: i % 3 === 0 ? null : minutesFromNow((i % 5) * 60),
      created_at: minutesFromNow(-1000 + (i % 6)),
    })))
    for (const sort of ['priority', '-priority', 'due_at', '-due_at', 'created_at', '-created_at', 'number', '-number', 'updated_at']) {
      const expected = subjects(await list(org.token, `sort=${sort}&limit=100`))
      const seen: string[] = []
      let cursor = ''
      do {
        const res = await list(org.token, `sort=${sort}&limit=4&cursor=${cursor}`)
        expect(res.statusCode, `${sort}: ${res.body}`).toBe(200)
        seen.push(...subjects(res))
        cursor = res.json.meta.next_cursor
      } while (cursor)
      expect(seen, sort).toEqual(expected)
    }
  })

  it('refuses a cursor that is not one, belongs to another sort, or comes with a page', async () => {
    const org = await freshOrg()
    await seed(org, [{ subject: 'a' }, { subject: 'b' }])
    const cursor = (await list(org.token, 'limit=1')).json.meta.next_cursor as string
    expect((await list(org.token, `limit=1&cursor=${cursor}`)).statusCode).toBe(200)
    const forged = Buffer.from(JSON.stringify({ s: '-updated_at', k: "'; DROP TABLE tickets; --", id: uuidv7() })).toString('base64url')
    for (const query of [`cursor=${cursor}&sort=number`, `cursor=${cursor}&page=2`, 'cursor=garbage', `cursor=${forged}`]) {
      const res = await list(org.token, query)
      expect(res.statusCode, query).toBe(400)
      expect(res.json.error.details[0].field, query).toBe('cursor')
    }
  })
})

describe('validation', () => {
  it('answers 400 naming the field for an unknown filter or a bad value', async () => {
    const cases: Array<[string, string]> = [
      ['colour=red', 'colour'],
      ['status=open', 'status'],
      ['status_category=opened', 'status_category'],
      ['priority=critical', 'priority'],
      ['priority=', 'priority'],
      ['source=fax', 'source'],
      ['assignee=someone', 'assignee'],
      ['team=me', 'team'],
      ['requester_id=42', 'requester_id'],
      ['company_id=x', 'company_id'],
      ['category_id=x', 'category_id'],
      ['spam=yes', 'spam'],
      ['cf.=1', 'cf.'],
      ['cf.plan=a&cf.plan=b', 'cf.plan'],
    ]
    for (const [query, field] of cases) {
      const res = await list(admin.token, query)
      expect(res.statusCode, `${query}: ${res.body}`).toBe(400)
      expect(res.json.error).toMatchObject({ code: 'validation_error' })
      expect(res.json.error.details[0].field, query).toBe(field)
    }
  })
})

describe('who sees what', () => {
  it('shows an agent their own, their teams’ and unassigned tickets; a customer only theirs, in the portal projection', async () => {
    const org = await freshOrg()
    const mine = await addMember(app, org, 'agent')
    const other = await addMember(app, org, 'agent')
    const viewer = await addMember(app, org, 'viewer')
    const customer = await addMember(app, org, 'customer')
    const contact = await contactOf(app, org, customer)
    const team = await newTeam(app, org, [mine])
    const otherTeam = await newTeam(app, org, [other])
    await seed(org, [
      { subject: 'unassigned', requester_id: contact },
      { subject: 'for me', assignee_id: mine.userId },
      { subject: 'for my team', team_id: team },
      { subject: 'for them', assignee_id: other.userId, team_id: otherTeam },
      { subject: 'their team', team_id: otherTeam, requester_id: contact },
    ])
    expect(subjects(await list(org.token))).toEqual(['their team', 'for them', 'for my team', 'for me', 'unassigned'])
    const asAgent = await list(mine.token)
    expect(subjects(asAgent)).toEqual(['for my team', 'for me', 'unassigned'])
    expect(asAgent.json.meta.total).toBe(3)
    expect(subjects(await list(mine.token, `team=${otherTeam}`))).toEqual([])
    expect(subjects(await list(viewer.token))).toEqual(['unassigned'])
    const asCustomer = await list(customer.token)
    expect(subjects(asCustomer)).toEqual(['their team', 'unassigned'])
    expect(asCustomer.json.data[0].team).toBeNull()
    expect(asCustomer.json.data[0]).not.toHaveProperty('is_spam')
    expect(asCustomer.body).not.toContain(otherTeam)
    const spam = await list(customer.token, 'spam=true')
    expect(spam.statusCode).toBe(403)
    const byTeam = await list(customer.token, `team=${otherTeam}`)
    expect(byTeam.statusCode).toBe(400)
    expect(byTeam.json.error.details[0].field).toBe('team')
  })

  it('never lists another organization’s tickets, and API keys list as the organization', async () => {
    const org = await freshOrg()
    await seed(org, [{ subject: 'ours' }])
    await seed(stranger, [{ subject: 'theirs' }])
    expect(subjects(await list(org.token))).toEqual(['ours'])
    const key = await newApiKey(app, org)
    const viaKey = await list(key)
    expect(subjects(viaKey)).toEqual(['ours'])
    // An API key is nobody: nothing is assigned to it.
    expect(subjects(await list(key, 'assignee=me'))).toEqual([])
  })

  it('needs credentials and the tickets:read permission', async () => {
    expect((await api(app, 'GET', '/api/v1/tickets')).statusCode).toBe(401)
    const role = await api(app, 'POST', '/api/v1/roles', { token: admin.token, body: { name: 'No tickets', key: 'no_tickets', kind: 'staff', permissions: ['organization:read'], ticket_scope: 'own' } })
    expect(role.statusCode, role.body).toBe(201)
    const outsider = await addMember(app, admin, 'no_tickets')
    const res = await list(outsider.token, 'priority=nonsense')
    expect(res.statusCode).toBe(403)
    expect(res.json.error.code).toBe('forbidden')
  })

  it('lists tickets opened through the API', async () => {
    const org = await freshOrg()
    const opened = await openTicket(app, org.token, { subject: 'Through the front door', priority: 'high', tags: ['api'] })
    const res = await list(org.token, 'tag=api&priority=high')
    expect(res.json.data.map((t: any) => t.id)).toEqual([opened.id])
  })
})

// Lists narrowed by status and priority are read as a merge of index ranges, one per (status,
// priority) pair (combinations.ts). Their pages must be exactly the plain order, by page and by
// cursor, in every sort the ranges serve, with the other filters and tickets that must not show.
describe('lists read by status and priority ranges', () => {
  it('page exactly as the sort says, by page number and by cursor', async () => {
    const org = await freshOrg()
    const categories = ['new', 'open', 'pending', 'closed'] as const
    const priorities = ['low', 'medium', 'high', 'urgent'] as const
    const specs: TicketSpec[] = Array.from({ length: 60 }, (_, i) => ({
      subject: `r${i}`,
      // The last 25 all open and high: one range then fills whole pages alone.
      category: i >= 35 ? 'open' : categories[(i * 7) % 4],
      priority: i >= 35 ? 'high' : priorities[(i * 5 + (i >> 2)) % 4],
      source: i % 3 ? 'email' : 'chat',
      // Ties on purpose: every third pair of tickets shares its update time (the id breaks them).
      updated_at: minutesFromNow(-500 + Math.floor(i / 2) * 3),
      created_at: minutesFromNow(-2000 + ((i * 37) % 60) * 11),
      due_at: i % 4 === 0 ? null : minutesFromNow(((i * 13) % 50) - 25),
      deleted_at: i % 17 === 0 ? minutesFromNow(-1) : null,
      is_spam: i % 19 === 0,
    }))
    const made = await insertTickets(app, org, specs)
    const rows = made.map((m, i) => ({ ...m, ...specs[i]!, id: m.id }))
    const keyOf: Record<string, (r: (typeof rows)[number]) => number> = {
      '-updated_at': (r) => -Date.parse(r.updated_at!),
      'updated_at': (r) => Date.parse(r.updated_at!),
      '-created_at': (r) => -Date.parse(r.created_at!),
      'created_at': (r) => Date.parse(r.created_at!),
      'due_at': (r) => (r.due_at ? Date.parse(r.due_at) : Number.POSITIVE_INFINITY),
    }
    const cases: Array<[string, (r: (typeof rows)[number]) => boolean]> = [
      ['status_category=open&priority=high', (r) => r.category === 'open' && r.priority === 'high'],
      ['status_category=new,open&priority=high,urgent', (r) => ['new', 'open'].includes(r.category!) && ['high', 'urgent'].includes(r.priority!)],
      ['status_category=new,open,pending', (r) => ['new', 'open', 'pending'].includes(r.category!)],
      ['priority=low,urgent&source=chat', (r) => ['low', 'urgent'].includes(r.priority!) && r.source === 'chat'],
      ['status_category=pending,closed&priority=medium&overdue=false', (r) => ['pending', 'closed'].includes(r.category!) && r.priority === 'medium'
        && !(r.due_at && Date.parse(r.due_at) < Date.now() && r.category === 'pending')],
    ]
    for (const [filters, keep] of cases) {
      for (const [sort, key] of Object.entries(keyOf)) {
        const desc = sort.startsWith('-')
        const expected = rows.filter((r) => !r.deleted_at && !r.is_spam && keep(r))
          .sort((a, b) => key(a) - key(b) || (desc ? (a.id < b.id ? 1 : -1) : (a.id < b.id ? -1 : 1)))
          .map((r) => r.subject)
        const byPage: string[] = []
        for (let page = 1; page <= 5; page++) {
          const res = await list(org.token, `${filters}&sort=${sort}&limit=4&page=${page}`)
          expect(res.statusCode, res.body).toBe(200)
          byPage.push(...subjects(res))
          expect(res.json.meta.total, `${filters} ${sort}`).toBe(expected.length)
        }
        expect(byPage, `${filters} ${sort} by page`).toEqual(expected.slice(0, 20))
        const byCursor: string[] = []
        let cursor = ''
        for (let i = 0; i < 20; i++) {
          const res = await list(org.token, `${filters}&sort=${sort}&limit=5&cursor=${cursor}`)
          byCursor.push(...subjects(res))
          cursor = res.json.meta.next_cursor
          if (!cursor) break
        }
        expect(byCursor, `${filters} ${sort} by cursor`).toEqual(expected)
      }
    }
  })
})

describe('cost', () => {
  /** How many SQL statements `fn` runs (authentication included). */
  async function countQueries(fn: () => Promise<unknown>): Promise<number> {
    let proto = Object.getPrototypeOf(app.ctx.db.getExecutor())
    while (proto && !Object.hasOwn(proto, 'executeQuery')) proto = Object.getPrototypeOf(proto)
    const spy = vi.spyOn(proto, 'executeQuery')
    try {
      await fn()
      return spy.mock.calls.length
    } finally {
      spy.mockRestore()
    }
  }

  it('reads a page in a fixed number of statements however many tickets it shows (no N+1)', async () => {
    const org = await freshOrg()
    const agent = await addMember(app, org, 'agent')
    const team = await newTeam(app, org, [agent])
    const company = await newCompany(app, org, 'Big Co')
    const category = await newCategory(app, org, 'General')
    const contact = await newContact(app, org, `c-${uuidv7()}@example.test`, company)
    const spec = (i: number): TicketSpec => ({ subject: `t${i}`, assignee_id: agent.userId, team_id: team, company_id: company, requester_id: contact, category_id: category })
    await seed(org, [spec(0), spec(1)])
    const run = () => list(org.token, 'limit=100&priority=medium')
    await run() // the organization's statuses are read once, then cached
    const few = await countQueries(run)
    expect(few).toBeGreaterThanOrEqual(1) // the page (a short first page is its own total)
    await seed(org, Array.from({ length: 30 }, (_, i) => spec(i + 2)))
    expect((await run()).json.data).toHaveLength(32)
    expect(await countQueries(run)).toBe(few)
  })
})
