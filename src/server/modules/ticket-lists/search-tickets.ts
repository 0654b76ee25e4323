import { sql, type Expression, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely'
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
 * ordered and paged, with the total (a count of the candidates) — on the tenant views only, no
 * presentation joins. Plus the count alone, for a page past the end.
 *
 * Tickets matched by their own text are filtered where they are found; only tickets matched
 * through a comment alone are looked up by id. Both text conditions read the tenant views so
 * that the GIN indexes serve them (scope.ts). ts_rank_cd is normalized to 0..1 (flag 32), so
 * tier + rank sorts as one number.
 */
export async function buildSearchRanking(tx: Tx, actor: Actor, input: SearchInput) {
  const query = tsQuery(input.q)
  const number = parseTicketNumber(input.q)
  const where = await listConditions(tx, actor, input.filters)
  const filtered = <Q extends { where(e: Expression<SqlBool>): Q }>(q: Q): Q => where.reduce((acc, w) => acc.where(w), q)

  // Candidates are the most recent CANDIDATES matches of each kind: a rare word's matches are
  // all of them (found through the GIN indexes), a common word's are read newest first along
  // the updated_at and created_at indexes and stop there, instead of ranking a third of the
  // organization's tickets. For queries of several words see newestTickets (counting words
  // here only picks the plan; the parser's own reading of the query decides what matches).
  const severalWords = (input.q.match(/[\p{L}\p{N}]+/gu) ?? []).length > 1
  const candidates = tenantViews(tx)
    .with('rt', (db) => newestTickets(
      filtered(db.selectFrom('tenant_tickets as t').select(['t.id as ticket_id', 't.updated_at', 't.search'])), query, severalWords))
    .with('rc', (db) => db.selectFrom('tenant_comments as c')
      .select(['c.ticket_id', 'c.search'])
      .where(sql<SqlBool>`c.search @@ ${query}`).where('c.deleted_at', 'is', null)
      .$if(!readsInternalNotes(actor), (q) => q.where('c.is_internal', '=', false))
      .orderBy('c.created_at', 'desc').limit(CANDIDATES))
    // A ticket whose own text matches ranks above any of its comments, so only the comments of
    // the other tickets are ranked, best per ticket, and only those tickets are looked up by id
    // (a lateral LIMIT 1 keeps that a keyed look-up, rather than a join that may read every
    // ticket of the organization).
    .with('cm', (db) => db.selectFrom('rc')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('rt').select('rt.ticket_id').whereRef('rt.ticket_id', '=', 'rc.ticket_id'))))
      .select(['rc.ticket_id', sql<number>`max(ts_rank_cd(rc.search, ${query}, 32))`.as('rank')])
      .groupBy('rc.ticket_id'))
    .with('hits', (db) => {
      const hits = db.selectFrom('rt')
        .select(['rt.ticket_id', 'rt.updated_at', sql<number>`2 + ts_rank_cd(rt.search, ${query}, 32)`.as('score')])
        .unionAll(db.selectFrom('cm')
          .innerJoinLateral((eb) => filtered(eb.selectFrom('tenant_tickets as t').select(['t.id', 't.updated_at']).whereRef('t.id', '=', 'cm.ticket_id')).limit(1).as('t'), (join) => join.onTrue())
          .select(['t.id as ticket_id', 't.updated_at', sql<number>`1 + cm.rank`.as('score')]))
      if (number === null) return hits
      return hits.unionAll(filtered(db.selectFrom('tenant_tickets as t')
        .select(['t.id as ticket_id', 't.updated_at', sql<number>`3.99::float8`.as('score')])
        .where('t.number', '=', number)))
    })
    // The numbered ticket may also match by text: one row per ticket, with its best score.
    .with('ranked', (db) => db.selectFrom('hits')
      .select(['hits.ticket_id', 'hits.updated_at', sql<number>`max(hits.score)`.as('score')])
      .groupBy(['hits.ticket_id', 'hits.updated_at']))
  const count = candidates.selectFrom('ranked').select(sql<string>`count(*)`.as('total'))
  const page = candidates.selectFrom('ranked')
    .select(['ranked.ticket_id', 'ranked.score', (eb) => eb.selectFrom('ranked').select(sql<string>`count(*)`.as('n')).as('total')])
    .orderBy(sql`ranked.score DESC, ranked.updated_at DESC, ranked.ticket_id DESC`)
    .limit(input.limit).offset((input.page - 1) * input.limit)
  return { page, count }
}

const tsQuery = (q: string) => sql`websearch_to_tsquery('simple', ${q})`
/** How many of the most recent matching tickets (and comments) are ranked; `total` counts at most these. */
export const CANDIDATES = 1000
const readsInternalNotes = (actor: Actor) => can(actor, 'comments:internal') && !isCustomer(actor)

/**
 * The CANDIDATES most recently updated of `tickets` (those the actor may see, with the filters)
 * that match the query.
 *
 * For one word PostgreSQL's statistics know how common it is, and it picks between reading
 * newest first along the updated_at index until it has enough (a common word) and the GIN index
 * (a rare one). For several words it multiplies their frequencies, which is far off when the
 * words go together or never do: it expected "login color" in 5% of the tickets, read all
 * 100,000 newest first and found none. So for several words the matches are first read through
 * the GIN index (a MATERIALIZED CTE is planned for all its rows, so not along updated_at, and is
 * read only as far as it is used), up to CANDIDATES + 1 of them: if there are no more than
 * CANDIDATES those are all of them, otherwise the planner's newest-first plan is used as for
 * one word — the same tickets either way, for at most CANDIDATES rows more.
 */
function newestTickets<DB, TB extends keyof DB, O>(tickets: SelectQueryBuilder<DB, TB, O>, query: RawBuilder<unknown>, severalWords: boolean): Expression<O> {
  const matching = tickets.where(sql<SqlBool>`t.search @@ ${query}`)
  const newest = matching.orderBy(sql`t.updated_at DESC`).limit(CANDIDATES)
  if (!severalWords) return newest
  const found = sql`(SELECT count(*) FROM (SELECT 1 FROM g LIMIT ${sql.lit(CANDIDATES + 1)}) x)`
  return sql<O>`(WITH g AS MATERIALIZED (${matching})
    SELECT * FROM g WHERE ${found} <= ${sql.lit(CANDIDATES)}
    UNION ALL
    SELECT * FROM (${newest}) n WHERE ${found} > ${sql.lit(CANDIDATES)})`
}

/**
 * The read model of a page of results (by id, under row-level security) with the highlights:
 * the subject, and the best passage of the description or — when only a comment matches — of
 * the best comment the actor may read.
 *
 * Whether the description matches is read from the stored `search` column (subject weight A,
 * description weight B) by keeping its B lexemes, instead of parsing up to 100,000 characters
 * again; the best comment is looked up only for a ticket whose description does not match, and
 * only the text shown as the excerpt is headlined.
 */
export function buildSearchRows(tx: Tx, actor: Actor, q: string, ids: string[]) {
  const query = tsQuery(q)
  const descriptionMatches = sql<boolean>`ts_filter(t.search, '{b}') @@ ${query}`
  return selectTickets(tx)
    .where(sql<SqlBool>`t.id = ANY(${ids}::uuid[])`)
    .leftJoinLateral((eb) => eb.selectFrom('comments as c')
      .select(['c.id', 'c.body_text'])
      .whereRef('c.tenant_id', '=', 't.tenant_id').whereRef('c.ticket_id', '=', 't.id')
      .where(sql<boolean>`NOT ${descriptionMatches}`)
      .where(sql<boolean>`c.search @@ ${query}`).where('c.deleted_at', 'is', null)
      .$if(!readsInternalNotes(actor), (qb) => qb.where('c.is_internal', '=', false))
      .orderBy(sql`ts_rank_cd(c.search, ${query}) DESC, c.created_at DESC`).limit(1)
      .as('bc'), (join) => join.onTrue())
    .select([
      'bc.id as comment_id',
      headline(sql`t.subject`, query, HEADLINE_FULL).as('hl_subject'),
      descriptionMatches.as('description_matches'),
      sql<string | null>`CASE WHEN ${descriptionMatches} THEN ${headline(sql`left(t.description_text, 100000)`, query, HEADLINE_EXCERPT)}
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
