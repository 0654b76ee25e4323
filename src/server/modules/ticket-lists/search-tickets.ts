import { sql, type Expression, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import type { CommentsTable, TicketsTable, Tx } from '../../platform/db/schema.js'
import { seesInternal } from '../conversation/policy.js'
import { selectTickets, type TicketRow } from '../tickets/present.js'
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
  /** For tests: the window and candidate counts (SEARCH_WINDOW, CANDIDATES), small, to reach every way recentMatches reads. */
  tuning?: { window: number; candidates: number }
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
  const { window, candidates: limit } = input.tuning ?? { window: SEARCH_WINDOW, candidates: CANDIDATES }

  // Candidates are the most recent CANDIDATES matches of each kind, found by recentMatches: among
  // the newest tickets (and comments) when a word is common, through the full-text index when not.
  const candidates = tenantViews(tx)
    .with('rt', () => recentMatches({
      rows: filtered(tx.withTables<{ tenant_tickets: TicketsTable }>().selectFrom('tenant_tickets as t')).select(['t.id as ticket_id', 't.updated_at']),
      order: 'updated_at', query, window, limit, columns: sql`ticket_id, updated_at, rank`,
    }))
    .with('rc', () => recentMatches({
      // Comments count only when the tickets' own text has not filled the candidates: they rank
      // below every such ticket, so they would only be reached past the CANDIDATES-th result.
      rows: tx.withTables<{ tenant_comments: CommentsTable; rt: { ticket_id: string } }>().selectFrom('tenant_comments as t')
        .select(['t.ticket_id', 't.created_at']).where('t.deleted_at', 'is', null)
        .$if(!seesInternal(actor), (q) => q.where('t.is_internal', '=', false))
        .where((eb) => eb(eb.selectFrom('rt').select(sql<number>`count(*)`.as('n')), '<', limit)),
      order: 'created_at', query, window, limit, columns: sql`ticket_id, created_at, rank`,
    }))
    // A ticket whose own text matches ranks above any of its comments, so only the comments of
    // the other tickets are ranked, best per ticket, and only those tickets are looked up by id
    // (a lateral LIMIT 1 keeps that a keyed look-up, rather than a join that may read every
    // ticket of the organization).
    .with('cm', (db) => db.selectFrom('rc')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('rt').select('rt.ticket_id').whereRef('rt.ticket_id', '=', 'rc.ticket_id'))))
      .select(['rc.ticket_id', sql<number>`max(rc.rank)`.as('rank')])
      .groupBy('rc.ticket_id'))
    .with('hits', (db) => {
      const hits = db.selectFrom('rt')
        .select(['rt.ticket_id', 'rt.updated_at', sql<number>`2 + rt.rank`.as('score')])
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
/**
 * How many of the newest tickets (and comments) are read first, newest first, looking for
 * CANDIDATES matches and measuring how common the query is (recentMatches). Reading one costs
 * PostgreSQL about a microsecond.
 */
export const SEARCH_WINDOW = 5_000
/** A query matching at least one in this many of the window is read on newest first (at most CANDIDATES × this many rows); a rarer one is looked up in the full-text index. */
const COMMON_SHARE = 100

/**
 * The CANDIDATES most recent rows of `rows` (tickets by update, comments by creation, with the
 * caller's conditions) whose `search` matches the query, each with its ts_rank_cd (normalized to
 * 0..1): exactly what `… WHERE search @@ q ORDER BY <order> DESC LIMIT CANDIDATES` gives, read in
 * the way that costs least for how common the query is.
 *
 * PostgreSQL's statistics know how common one word is, but not several together (it expected
 * "login color" in 5% of the tickets, read all of them newest first and found none), so the
 * statement measures instead. It reads the newest `window` rows, ranking those that match:
 * 1. Enough matches there (a word in a fifth of the tickets), or no rows beyond: done.
 * 2. At least one in COMMON_SHARE matched: it reads on newest first, at most
 *    CANDIDATES × COMMON_SHARE rows, which finds the rest if the query is as common further back.
 * 3. Otherwise, or when 2 fell short (the query is rarer in older rows): the full-text index
 *    finds every match and the newest are kept. Ordering by a computed key keeps the date index
 *    out of it, and searchTickets turns sequential scans off, so an overestimate cannot pick one.
 * Each way reads a few tens of thousands of rows at most, whatever the size of the organization.
 */
function recentMatches<DB, TB extends keyof DB, O>(opts: {
  rows: SelectQueryBuilder<DB, TB, O>
  order: 'updated_at' | 'created_at'
  query: RawBuilder<unknown>
  window: number
  /** CANDIDATES, unless a test says otherwise. */
  limit: number
  /** The columns `rows` selects, as SQL (the ways that read on carry the text vector along and drop it here). */
  columns: RawBuilder<unknown>
}): RawBuilder<O & { rank: number }> {
  const { rows, order, query, window, limit, columns } = opts
  const key = sql.ref(`t.${order}`)
  const newest = rows.select(sql<number | null>`CASE WHEN t.search @@ ${query} THEN ts_rank_cd(t.search, ${query}, 32) END`.as('rank'))
    .orderBy(sql`${key} DESC`).limit(window)
  // Ranked once chosen: ranking reads the whole text vector, and the index may find thousands.
  const withSearch = rows.select(sql<string>`t.search`.as('search'))
  const ranked = (q: Expression<unknown>) => sql`SELECT m.*, ts_rank_cd(m.search, ${query}, 32) AS rank FROM (${q}) m`
  const readOn = sql`SELECT * FROM (${withSearch.orderBy(sql`${key} DESC`).limit(limit * COMMON_SHARE)}) x
    WHERE x.search @@ ${query} LIMIT ${sql.lit(limit)}`
  const indexed = withSearch.where(sql<SqlBool>`t.search @@ ${query}`).orderBy(sql`${key} + interval '0' DESC`).limit(limit)
  const hits = sql`(SELECT count(*) FROM hit)`
  const enough = sql`(${hits} >= ${sql.lit(limit)} OR (SELECT count(*) FROM w) < ${sql.lit(window)})`
  const common = sql`${hits} * ${sql.lit(COMMON_SHARE)} >= ${sql.lit(window)}`
  const readEnough = sql`(SELECT count(*) FROM more) >= ${sql.lit(limit)}`
  return sql<O & { rank: number }>`(WITH w AS MATERIALIZED (${newest}),
    hit AS MATERIALIZED (SELECT * FROM w WHERE w.rank IS NOT NULL LIMIT ${sql.lit(limit)}),
    more AS MATERIALIZED (SELECT * FROM (${ranked(readOn)}) r WHERE NOT ${enough} AND ${common})
    SELECT * FROM hit WHERE ${enough}
    UNION ALL
    SELECT ${columns} FROM more WHERE ${readEnough}
    UNION ALL
    SELECT ${columns} FROM (${ranked(indexed)}) i WHERE NOT ${enough} AND NOT ${readEnough})`
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
      .$if(!seesInternal(actor), (qb) => qb.where('c.is_internal', '=', false))
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
 * Every part of a search is read through an index (bench/explain-tickets.ts checks it). Turning
 * sequential scans off for the transaction keeps PostgreSQL from scanning a table when it
 * overestimates how many rows a query matches (recentMatches). Needs a transaction.
 */
export async function indexedOnly(tx: Tx): Promise<void> {
  await sql`SET LOCAL enable_seqscan = off`.execute(tx)
}

/**
 * One page of search results with highlighted snippets and the total: the ranking statement,
 * then the read model for that page's tickets only (two statements whatever the page size).
 */
export async function searchTickets(tx: Tx, actor: Actor, input: SearchInput): Promise<{ hits: SearchHit[]; total: number }> {
  await indexedOnly(tx)
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
