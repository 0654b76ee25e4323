import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely'
import { can, type Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { selectTickets, type TicketRow } from '../tickets/present.js'
import { isCustomer } from '../tickets/visibility.js'
import type { TicketFilters } from './filters.js'
import { listConditions } from './list-tickets.js'
import { tenantViews } from './scope.js'

/**
 * Full-text search over tickets (subject weight A, description B) and their comments, with the
 * list's visibility and filters. Ranking: an exact ticket number first, then tickets whose own
 * text matches, then tickets matched only through a comment; within each tier `ts_rank_cd`
 * (normalized to 0–1, so tier + rank is one sortable score), then the most recently updated.
 * A word that matches thousands of tickets is ranked among its CANDIDATES most recent matches.
 *
 * Internal notes are searched only for actors who may read them (never customers): the
 * comment branch below excludes them, so a word that appears only in an internal note finds
 * nothing at all for those actors.
 */

export interface SearchInput {
  q: string
  filters: TicketFilters
  page: number
  limit: number
}

export interface SearchHit {
  row: TicketRow
  score: number
  highlight: { subject: string; excerpt: string | null; matched_in: 'number' | 'ticket' | 'comment'; comment_id: string | null }
}

/** `TKT-000123`, `#123` or `123`: the number of the ticket meant. */
export function parseTicketNumber(q: string): number | null {
  const m = /^(?:[a-z][a-z0-9]{0,9}-|#)?0*(\d{1,15})$/i.exec(q.trim())
  if (!m) return null
  const n = Number(m[1])
  return Number.isSafeInteger(n) && n > 0 ? n : null
}

// Private-use characters mark the highlights in ts_headline's output: they cannot be confused
// with anything in the text (they are removed from it first), and the whole snippet is
// HTML-escaped before they become <mark> tags.
const OPEN = '\uE000'
const CLOSE = '\uE001'
const HEADLINE_FULL = `HighlightAll=true, StartSel=${OPEN}, StopSel=${CLOSE}`
const HEADLINE_EXCERPT = `MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … ", StartSel=${OPEN}, StopSel=${CLOSE}`

function headline(text: RawBuilder<unknown>, query: RawBuilder<unknown>, options: string): RawBuilder<string> {
  return sql<string>`ts_headline('simple', translate(${text}, ${OPEN + CLOSE}, ''), ${query}, ${options})`
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** A ts_headline result as safe HTML: everything escaped, only the highlights become <mark>. */
export function markHighlights(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!).replaceAll(OPEN, '<mark>').replaceAll(CLOSE, '</mark>')
}

/**
 * The ranking statement: matching tickets the actor may see, with the list's filters, scored,
 * ordered and paged, with the total (a window count) — on the tenant views only, no
 * presentation joins. Plus the count alone, for a page past the end.
 *
 * Tickets matched by their own text are filtered where they are found; only tickets matched
 * through a comment are looked up by id. Both text conditions read the tenant views so that
 * the GIN indexes serve them (scope.ts). ts_rank_cd is normalized to 0..1 (flag 32), so
 * tier + rank sorts as one number.
 */
export async function buildSearchRanking(tx: Tx, actor: Actor, input: SearchInput) {
  const query = tsQuery(input.q)
  const number = parseTicketNumber(input.q)
  const where = await listConditions(tx, actor, input.filters)
  const views = tenantViews(tx)
  const filtered = <Q extends { where(e: Expression<SqlBool>): Q }>(q: Q): Q => where.reduce((acc, w) => acc.where(w), q)

  // Comment matches, best per ticket, then each ticket looked up by id (a lateral LIMIT 1 keeps
  // that a keyed look-up, rather than a join that may read every ticket of the organization).
  // Candidates are the most recent CANDIDATES matches of each kind: a rare word's matches are
  // all of them (found through the GIN index), a common word's are read newest first along the
  // updated_at index and stop there, instead of ranking a third of the organization's tickets.
  const recentComments = views.selectFrom('tenant_comments as c')
    .select(['c.ticket_id', 'c.search'])
    .where(sql<SqlBool>`c.search @@ ${query}`).where('c.deleted_at', 'is', null)
    .$if(!readsInternalNotes(actor), (q) => q.where('c.is_internal', '=', false))
    .orderBy('c.created_at', 'desc').limit(CANDIDATES)
  const commentMatches = views.selectFrom(recentComments.as('c'))
    .select(['c.ticket_id', sql<number>`max(ts_rank_cd(c.search, ${query}, 32))`.as('rank')])
    .groupBy('c.ticket_id')
  const recentTickets = filtered(views.selectFrom('tenant_tickets as t')
    .select(['t.id as ticket_id', 't.updated_at', 't.search'])
    .where(sql<SqlBool>`t.search @@ ${query}`))
    .orderBy('t.updated_at', 'desc').limit(CANDIDATES)
  let hits = views.selectFrom(recentTickets.as('rt'))
    .select(['rt.ticket_id', 'rt.updated_at', sql<number>`2 + ts_rank_cd(rt.search, ${query}, 32)`.as('score')])
    .unionAll(views.selectFrom(commentMatches.as('cm'))
      .innerJoinLateral((eb) => filtered(eb.selectFrom('tenant_tickets as t').select(['t.id', 't.updated_at']).whereRef('t.id', '=', 'cm.ticket_id')).limit(1).as('t'), (join) => join.onTrue())
      .select(['t.id as ticket_id', 't.updated_at', sql<number>`1 + cm.rank`.as('score')]))
  if (number !== null) {
    hits = hits.unionAll(filtered(views.selectFrom('tenant_tickets as t')
      .select(['t.id as ticket_id', 't.updated_at', sql<number>`3.99::float8`.as('score')])
      .where('t.number', '=', number)))
  }
  const ranked = views.selectFrom(hits.as('h'))
    .groupBy(['h.ticket_id', 'h.updated_at'])
  const page = ranked
    .select(['h.ticket_id', sql<number>`max(h.score)`.as('score'), sql<string>`count(*) OVER ()`.as('total')])
    .orderBy(sql`max(h.score) DESC, h.updated_at DESC, h.ticket_id DESC`)
    .limit(input.limit).offset((input.page - 1) * input.limit)
  const count = views.selectFrom(ranked.select('h.ticket_id').as('r')).select(sql<string>`count(*)`.as('total'))
  return { page, count }
}

const tsQuery = (q: string) => sql`websearch_to_tsquery('simple', ${q})`
/** How many of the most recent matching tickets (and comments) are ranked; `total` counts at most these. */
export const CANDIDATES = 1000
const readsInternalNotes = (actor: Actor) => can(actor, 'comments:internal') && !isCustomer(actor)

/**
 * The read model of a page of results (by id, under row-level security) with the highlights:
 * the subject, and the best passage of the description or — when only a comment matches — of
 * the best comment the actor may read.
 */
export function buildSearchRows(tx: Tx, actor: Actor, q: string, ids: string[]) {
  const query = tsQuery(q)
  return selectTickets(tx)
    .where('t.id', 'in', ids)
    .leftJoinLateral((eb) => eb.selectFrom('comments as c')
      .select(['c.id', 'c.body_text'])
      .whereRef('c.tenant_id', '=', 't.tenant_id').whereRef('c.ticket_id', '=', 't.id')
      .where(sql<boolean>`c.search @@ ${query}`).where('c.deleted_at', 'is', null)
      .$if(!readsInternalNotes(actor), (qb) => qb.where('c.is_internal', '=', false))
      .orderBy(sql`ts_rank_cd(c.search, ${query}) DESC, c.created_at DESC`).limit(1)
      .as('bc'), (join) => join.onTrue())
    .select([
      'bc.id as comment_id',
      headline(sql`t.subject`, query, HEADLINE_FULL).as('hl_subject'),
      sql<boolean>`to_tsvector('simple', left(t.description_text, 100000)) @@ ${query}`.as('description_matches'),
      sql<string | null>`CASE WHEN to_tsvector('simple', left(t.description_text, 100000)) @@ ${query}
        THEN ${headline(sql`left(t.description_text, 100000)`, query, HEADLINE_EXCERPT)}
        WHEN bc.body_text IS NOT NULL THEN ${headline(sql`bc.body_text`, query, HEADLINE_EXCERPT)}
        WHEN t.description_text <> '' THEN ${headline(sql`left(t.description_text, 2000)`, query, HEADLINE_EXCERPT)} END`.as('hl_excerpt'),
    ])
}

/**
 * One page of search results with highlighted snippets and the total: the ranking statement,
 * then the read model for that page's tickets only (two statements whatever the page size).
 */
export async function searchTickets(tx: Tx, actor: Actor, input: SearchInput): Promise<{ hits: SearchHit[]; total: number }> {
  const { page, count } = await buildSearchRanking(tx, actor, input)
  const ranking = await page.execute()
  let total = ranking[0] ? Number(ranking[0].total) : 0
  if (!ranking.length) {
    if (input.page > 1) total = Number((await count.executeTakeFirstOrThrow()).total)
    return { hits: [], total }
  }
  const rows = new Map((await buildSearchRows(tx, actor, input.q, ranking.map((r) => r.ticket_id)).execute()).map((r) => [r.id, r]))
  const hits: SearchHit[] = []
  for (const { ticket_id, score } of ranking) {
    const r = rows.get(ticket_id)
    if (!r) continue
    hits.push({
      row: r,
      score: Number(score),
      highlight: {
        subject: markHighlights(r.hl_subject),
        excerpt: r.hl_excerpt === null ? null : markHighlights(r.hl_excerpt),
        matched_in: score >= 3 ? 'number' : score >= 2 ? 'ticket' : 'comment',
        comment_id: !r.description_matches && r.comment_id !== null ? r.comment_id : null,
      },
    })
  }
  return { hits, total }
}
