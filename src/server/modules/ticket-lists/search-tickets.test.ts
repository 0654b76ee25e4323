import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { addMember, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { authenticate } from '../../platform/auth/authenticate.js'
import { api, asTenant, newTeam } from '../tickets/test-support.js'
import { CANDIDATES, indexedOnly, markHighlights, parseTicketNumber, searchTickets } from './search-tickets.js'
import { contactOf, insertComment, insertTickets, minutesFromNow } from './test-fixtures.js'

let app: App
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 10_000 })
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

const search = (token: string, q: string, extra = '') => api(app, 'GET', `/api/v1/tickets/search?q=${encodeURIComponent(q)}${extra}`, { token })
const subjects = (res: { json: any }): string[] => (res.json.data as Array<{ subject: string }>).map((t) => t.subject)

describe('searching tickets', () => {
  it('ranks subject matches over description matches over comment-only matches, newest first among equals', async () => {
    const org = await registerOrg(app)
    const [, inComment, older, inDescription] = await insertTickets(app, org, [
      { subject: 'Printer jam on floor 3', updated_at: minutesFromNow(-50) },
      { subject: 'Paper tray', description: 'Nothing relevant', updated_at: minutesFromNow(-40) },
      { subject: 'Toner', description: 'Nothing here either', updated_at: minutesFromNow(-45) },
      { subject: 'Office supplies', description: 'The printer on floor 2 prints blank pages', updated_at: minutesFromNow(-30) },
      { subject: 'Unrelated', description: 'Coffee machine', updated_at: minutesFromNow(-1) },
    ])
    await insertComment(app, org, inComment!.id, 'Have you tried turning the printer off and on?')
    await insertComment(app, org, older!.id, 'Have you tried turning the printer off and on?')
    const res = await search(org.token, 'printer')
    expect(res.statusCode, res.body).toBe(200)
    expect(subjects(res)).toEqual(['Printer jam on floor 3', 'Office supplies', 'Paper tray', 'Toner'])
    expect(res.json.meta).toEqual({ page: 1, limit: 25, total: 4 })
    expect(res.json.data.map((t: any) => t.highlight.matched_in)).toEqual(['ticket', 'ticket', 'comment', 'comment'])
    expect(res.json.data[1].id).toBe(inDescription!.id)
  })

  // ts_headline keeps markup-like text in a whole-field headline (the subject) and drops it from
  // excerpts; either way nothing but <mark> reaches the client unescaped.
  it('highlights matches with <mark> and escapes the HTML around them', async () => {
    const org = await registerOrg(app)
    const [ticket, quiet] = await insertTickets(app, org, [
      { subject: 'Printer <script>alert(1)</script> & "friends"', description: 'The <b>printer</b> says "PC LOAD LETTER" & stops. Other words follow here.' },
      { subject: 'Fax machine', description: 'It whirrs <img src=x onerror=alert(1)>' },
    ])
    const comment = await insertComment(app, org, quiet!.id, 'Replaced the printer cable & "fuse"')
    const res = await search(org.token, 'printer')
    const [first, second] = res.json.data
    expect(first.id).toBe(ticket!.id)
    expect(first.highlight.subject).toBe('<mark>Printer</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;friends&quot;')
    expect(first.highlight.excerpt).toContain('<mark>printer</mark>')
    expect(first.highlight.excerpt).toContain('&quot;PC LOAD LETTER&quot; &amp; stops')
    expect(first.highlight.excerpt).not.toMatch(/<(?!\/?mark>)/)
    expect(first.highlight.comment_id).toBeNull()
    expect(second.highlight).toMatchObject({ subject: 'Fax machine', matched_in: 'comment', comment_id: comment })
    expect(second.highlight.excerpt).toMatch(/^Replaced the <mark>printer<\/mark> cable &amp; &quot;fuse/)
    for (const hit of res.json.data) {
      for (const html of [hit.highlight.subject, hit.highlight.excerpt]) expect(html.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/)
    }
  })

  // The description is told apart from the subject by the stored search vector's weights; a
  // ticket found by its own text and by comments is one hit, counted once, in the ticket tier.
  it('shows the matching comment when only the subject matches, and counts a ticket once however it matched', async () => {
    const org = await registerOrg(app)
    const [subjectOnly, both, commentOnly] = await insertTickets(app, org, [
      { subject: 'Scanner offline', description: 'Nothing about it here', updated_at: minutesFromNow(-3) },
      { subject: 'Paper jam', description: 'The scanner eats paper', updated_at: minutesFromNow(-2) },
      { subject: 'Toner', description: 'Empty', updated_at: minutesFromNow(-1) },
    ])
    const reply = await insertComment(app, org, subjectOnly!.id, 'Restarted the scanner service')
    await insertComment(app, org, both!.id, 'The scanner works again')
    await insertComment(app, org, both!.id, 'Scanner confirmed fixed')
    const onlyInComment = await insertComment(app, org, commentOnly!.id, 'Is the scanner related?')
    const res = await search(org.token, 'scanner')
    expect(res.json.data.map((t: any) => t.id)).toEqual([subjectOnly!.id, both!.id, commentOnly!.id])
    expect(res.json.meta.total).toBe(3)
    const [first, second, third] = res.json.data.map((t: any) => t.highlight)
    expect(first).toMatchObject({ subject: '<mark>Scanner</mark> offline', matched_in: 'ticket', comment_id: reply })
    expect(first.excerpt).toBe('Restarted the <mark>scanner</mark> service')
    expect(second).toMatchObject({ matched_in: 'ticket', comment_id: null })
    expect(second.excerpt).toContain('<mark>scanner</mark> eats paper')
    expect(third).toMatchObject({ matched_in: 'comment', comment_id: onlyInComment })
  })

  it('finds internal notes for agents, never for customers or people who may not read them', async () => {
    const org = await registerOrg(app)
    const agent = await addMember(app, org, 'agent')
    const viewer = await addMember(app, org, 'viewer')
    const customer = await addMember(app, org, 'customer')
    const contact = await contactOf(app, org, customer)
    const [ticket] = await insertTickets(app, org, [{ subject: 'Refund please', requester_id: contact }])
    await insertComment(app, org, ticket!.id, 'Customer seems litigious, escalate to legal', { internal: true })
    await insertComment(app, org, ticket!.id, 'We are looking into your refund')

    const asAgent = await search(agent.token, 'litigious')
    expect(subjects(asAgent)).toEqual(['Refund please'])
    expect(asAgent.json.data[0].highlight.excerpt).toContain('<mark>litigious</mark>')
    for (const who of [customer, viewer]) {
      const res = await search(who.token, 'litigious')
      expect(res.statusCode).toBe(200)
      expect(res.json.data).toEqual([])
      expect(res.json.meta.total).toBe(0)
    }
    // The customer finds their ticket by its public words, and the snippet never shows the note.
    const own = await search(customer.token, 'refund')
    expect(subjects(own)).toEqual(['Refund please'])
    expect(own.body).not.toContain('litigious')
    expect(own.json.data[0].team).toBeNull()
    expect(own.json.data[0]).not.toHaveProperty('is_spam')
    const both = await search(customer.token, 'refund legal')
    expect(both.json.data).toEqual([])
  })

  it('puts the ticket with that number first for TKT-000123, #123 or 123, when the caller may see it', async () => {
    const org = await registerOrg(app)
    const agent = await addMember(app, org, 'agent')
    const team = await newTeam(app, org)
    const made = await insertTickets(app, org, Array.from({ length: 12 }, (_, i) => ({ subject: `Ticket about 12 things ${i}` })))
    const twelve = made.find((t) => t.number === 12)!
    await insertTickets(app, org, [{ subject: 'Hidden one' }])
    for (const q of ['TKT-000012', 'tkt-12', '#12', '12', ' 000012 ']) {
      const res = await search(org.token, q)
      expect(res.statusCode, q).toBe(200)
      expect(res.json.data[0].id, q).toBe(twelve.id)
      expect(res.json.data[0].highlight.matched_in, q).toBe('number')
    }
    // "12" is also a word in every subject: the rest follow, the numbered one is not repeated.
    const all = await search(org.token, '12')
    expect(all.json.data).toHaveLength(12)
    expect(new Set(all.json.data.map((t: any) => t.id)).size).toBe(12)
    // Outside the agent's scope the number finds nothing.
    await api(app, 'POST', `/api/v1/tickets/${twelve.id}/assign`, { token: org.token, body: { team_id: team } })
    const hidden = await search(agent.token, 'TKT-000012')
    expect(hidden.json.data.map((t: any) => t.id)).not.toContain(twelve.id)
  })

  it('understands websearch syntax: phrases, exclusions and or', async () => {
    const org = await registerOrg(app)
    await insertTickets(app, org, [
      { subject: 'Card declined at checkout', updated_at: minutesFromNow(-3) },
      { subject: 'Checkout page declined my card', updated_at: minutesFromNow(-2) },
      { subject: 'Invoice missing', updated_at: minutesFromNow(-1) },
    ])
    expect(subjects(await search(org.token, '"card declined"'))).toEqual(['Card declined at checkout'])
    expect(subjects(await search(org.token, 'declined -checkout'))).toEqual([])
    expect(subjects(await search(org.token, 'checkout -page'))).toEqual(['Card declined at checkout'])
    expect(subjects(await search(org.token, 'invoice or page'))).toEqual(['Invoice missing', 'Checkout page declined my card'])
    expect((await search(org.token, '!!! ---')).json.data).toEqual([])
  })

  it('applies the list filters and pages with a total', async () => {
    const org = await registerOrg(app)
    await insertTickets(app, org, Array.from({ length: 7 }, (_, i) => ({
      subject: `Login problem ${i}`, priority: i % 2 ? 'high' : 'low', updated_at: minutesFromNow(-10 + i), deleted_at: i === 6 ? minutesFromNow(-1) : null,
    })))
    const page1 = await search(org.token, 'login', '&limit=2')
    expect(subjects(page1)).toEqual(['Login problem 5', 'Login problem 4'])
    expect(page1.json.meta).toEqual({ page: 1, limit: 2, total: 6 })
    const page3 = await search(org.token, 'login', '&limit=2&page=3')
    expect(subjects(page3)).toEqual(['Login problem 1', 'Login problem 0'])
    const past = await search(org.token, 'login', '&limit=2&page=5')
    expect(past.json).toMatchObject({ data: [], meta: { page: 5, total: 6 } })
    expect(subjects(await search(org.token, 'login', '&priority=high'))).toEqual(['Login problem 5', 'Login problem 3', 'Login problem 1'])
    expect((await search(org.token, 'login', '&priority=severe')).json.error.details[0].field).toBe('priority')
    expect((await search(org.token, 'login', '&sort=number')).statusCode).toBe(400)
  })

  // One word and several words, common in every ticket: the newest CANDIDATES matches are ranked and counted.
  it('ranks the 1,000 most recently updated matches, for one word and for several', async () => {
    const org = await registerOrg(app)
    const made = await insertTickets(app, org, Array.from({ length: CANDIDATES + 5 }, (_, i) => ({
      subject: `Alpha beta ${i}`, updated_at: minutesFromNow(-2000 + i),
    })))
    const newest = made[made.length - 1]!.id
    for (const q of ['alpha', 'alpha beta', '"alpha beta"']) {
      const first = await search(org.token, q, '&limit=100')
      expect(first.json.meta, q).toEqual({ page: 1, limit: 100, total: CANDIDATES })
      expect(first.json.data[0].id, q).toBe(newest)
      const last = await search(org.token, q, '&limit=100&page=10')
      expect(last.json.data.map((t: any) => t.subject).at(-1), q).toBe('Alpha beta 5')
      expect((await search(org.token, q, '&limit=100&page=11')).json.data, q).toEqual([])
    }
  })

  it('refuses an empty query', async () => {
    const org = await registerOrg(app)
    for (const url of ['/api/v1/tickets/search', '/api/v1/tickets/search?q=', '/api/v1/tickets/search?q=%20%20%09']) {
      const res = await api(app, 'GET', url, { token: org.token })
      expect(res.statusCode, url).toBe(400)
      expect(res.json.error.details[0].field, url).toBe('q')
    }
  })

  it('keeps to the caller’s visibility and organization', async () => {
    const org = await registerOrg(app)
    const agent = await addMember(app, org, 'agent')
    const team = await newTeam(app, org)
    await insertTickets(app, org, [{ subject: 'Zeppelin delivery', team_id: team }, { subject: 'Zeppelin refund' }])
    await insertTickets(app, stranger, [{ subject: 'Zeppelin elsewhere' }])
    expect(subjects(await search(org.token, 'zeppelin')).sort()).toEqual(['Zeppelin delivery', 'Zeppelin refund'])
    expect(subjects(await search(agent.token, 'zeppelin'))).toEqual(['Zeppelin refund'])
    expect(subjects(await search(stranger.token, 'zeppelin'))).toEqual(['Zeppelin elsewhere'])
    expect((await api(app, 'GET', '/api/v1/tickets/search?q=zeppelin')).statusCode).toBe(401)
  })
})

describe('search helpers', () => {
  it('reads ticket numbers in the ways people write them', () => {
    expect(parseTicketNumber('TKT-000123')).toBe(123)
    expect(parseTicketNumber('help-7')).toBe(7)
    expect(parseTicketNumber('#42')).toBe(42)
    expect(parseTicketNumber(' 0099 ')).toBe(99)
    for (const q of ['printer', '12 monkeys', '#', '0', 'TKT-', 'TKT-12a', '1e5']) expect(parseTicketNumber(q), q).toBeNull()
  })

  it('escapes everything in a snippet except the highlight marks', () => {
    expect(markHighlights('a \uE000b\uE001 <c> & "d" \'e\'')).toBe('a <mark>b</mark> &lt;c&gt; &amp; &quot;d&quot; &#39;e&#39;')
  })
})

// recentMatches reads candidates in one of three ways — from the window of the newest rows, on
// newest first, or through the full-text index — chosen by how common the query is. Whatever the
// way, the answer must be the one a window holding every row gives.
describe('the ways search reads its candidates', () => {
  it('give the same page and total whichever way the window and the query lead', async () => {
    const org = await registerOrg(app)
    const words = ['amber', 'basalt', 'cobalt', 'dune', 'ember']
    const specs = Array.from({ length: 48 }, (_, i) => ({
      // amber everywhere, basalt in every 3rd, cobalt in every 11th, dune only in the 3 oldest,
      // ember never in a subject (only in comments below).
      subject: ['amber', i % 3 === 0 ? 'basalt' : '', i % 11 === 0 ? 'cobalt' : '', i < 3 ? 'dune' : ''].filter(Boolean).join(' ') + ` ${i}`,
      updated_at: minutesFromNow(-1000 + i * 7),
    }))
    const made = await insertTickets(app, org, specs)
    for (const [i, t] of made.entries()) {
      if (i % 5 === 0) await insertComment(app, org, t.id, `ember ${i % 2 ? 'cobalt' : 'dune'}`)
      if (i % 13 === 0) await insertComment(app, org, t.id, 'basalt ember', { internal: true })
    }
    const actor = await authenticate(app.ctx.db, app.ctx.tokens, org.token)
    const run = (q: string, tuning: { window: number; candidates: number }, page = 1) =>
      asTenant(app, org, async (tx) => {
        await indexedOnly(tx)
        const { hits, total } = await searchTickets(tx, actor, { q, filters: {}, page, limit: 4, tuning })
        return { ids: hits.map((h) => h.row.id), total }
      })
    for (const q of [...words, 'amber basalt', 'basalt cobalt', 'dune ember', 'ember', 'cobalt | dune', '-amber']) {
      for (const candidates of [3, 7, 1000]) {
        const truth = [await run(q, { window: 10_000, candidates }), await run(q, { window: 10_000, candidates }, 2)]
        for (const window of [1, 2, 5, 17]) {
          const got = [await run(q, { window, candidates }), await run(q, { window, candidates }, 2)]
          expect(got, `${q} · window ${window} · candidates ${candidates}`).toEqual(truth)
        }
      }
    }
    // The candidates are the newest matches: with 3 of them, "amber" ranks the 3 newest tickets.
    const three = await run('amber', { window: 1, candidates: 3 })
    expect(three.total).toBe(3)
    expect(new Set(three.ids)).toEqual(new Set(made.slice(-3).map((t) => t.id)))
  })
})
