import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { forbidden } from '../../platform/errors.js'
import { seesInternal } from '../conversation/policy.js'
import { formatTicketNumber } from '../tickets/present.js'
import { isCustomer, visibleTo } from '../tickets/visibility.js'
import type { ActivityItemOut } from './schemas.js'

/**
 * How many of the organization's newest history entries, and of its newest comments, are read
 * before they are joined to their tickets and filtered by visibility. Each source is read newest
 * first along its (tenant_id, created_at DESC) index and stops here, so the feed costs the same in
 * an organization of a hundred tickets and of a million. The price: someone who sees only a
 * sliver of a very busy organization may find their feed shorter than `limit` (or empty) when
 * everything in the last WINDOW changes happened on tickets they cannot see.
 */
export const WINDOW = 2000

/** Longest comment excerpt, in characters. */
const EXCERPT_CHARS = 160

/** History fields whose values are too large for a feed (the whole description): sent as null. */
const BULKY_FIELDS = new Set(['description'])

/** The start of a comment as one line: whitespace collapsed, cut at EXCERPT_CHARS with an ellipsis. */
export function excerptOf(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS - 1).trimEnd()}…` : line
}

/** Staff only: customers follow their own tickets in the portal, not an organization's feed. */
export function assertReadsActivity(actor: Actor): void {
  if (isCustomer(actor)) throw forbidden('Recent activity is for staff only.')
}

/** The actor's newest `limit` visible history entries, from the organization's newest WINDOW. */
export function historyFeed(tx: Tx, actor: Actor, limit: number) {
  const newest = tx.selectFrom('ticket_history')
    .select(['id', 'ticket_id', 'actor_id', 'field', 'old_value', 'new_value', 'created_at'])
    .where('tenant_id', '=', actor.tenantId)
    .orderBy('created_at', 'desc').limit(WINDOW)
  return tx.selectFrom(newest.as('h'))
    .innerJoin('tickets as t', (j) => j.on('t.tenant_id', '=', actor.tenantId).onRef('t.id', '=', 'h.ticket_id'))
    .innerJoin('organizations as o', 'o.id', 't.tenant_id')
    .leftJoin('users as u', 'u.id', 'h.actor_id')
    .where(visibleTo(actor)).where('t.deleted_at', 'is', null).where('t.is_spam', '=', false)
    .select([
      'h.id', 'h.field', 'h.old_value', 'h.new_value', 'h.created_at', 'h.actor_id', 'u.name as actor_name',
      't.id as ticket_id', 't.number', 't.subject', 'o.ticket_prefix',
    ])
    .orderBy('h.created_at', 'desc').orderBy('h.id', 'desc').limit(limit)
}

/** The actor's newest `limit` visible comments (internal notes only when they may read them), from the organization's newest WINDOW. */
export function commentFeed(tx: Tx, actor: Actor, limit: number) {
  // Served by comments_recent (tenant_id, created_at DESC) WHERE deleted_at IS NULL (migration 0009).
  const newest = tx.selectFrom('comments')
    .select(['id', 'ticket_id', 'author_user_id', 'author_contact_id', 'is_internal', 'created_at', sql<string>`left(body_text, ${EXCERPT_CHARS * 2})`.as('body_start')])
    .where('tenant_id', '=', actor.tenantId).where('deleted_at', 'is', null)
    .$if(!seesInternal(actor), (q) => q.where('is_internal', '=', false))
    .orderBy('created_at', 'desc').limit(WINDOW)
  return tx.selectFrom(newest.as('c'))
    .innerJoin('tickets as t', (j) => j.on('t.tenant_id', '=', actor.tenantId).onRef('t.id', '=', 'c.ticket_id'))
    .innerJoin('organizations as o', 'o.id', 't.tenant_id')
    .leftJoin('users as u', 'u.id', 'c.author_user_id')
    .leftJoin('contacts as ct', (j) => j.on('ct.tenant_id', '=', actor.tenantId).onRef('ct.id', '=', 'c.author_contact_id'))
    .where(visibleTo(actor)).where('t.deleted_at', 'is', null).where('t.is_spam', '=', false)
    .select([
      'c.id', 'c.is_internal', 'c.body_start', 'c.created_at', 'c.author_user_id', 'c.author_contact_id', 'u.name as user_name', 'ct.name as contact_name',
      't.id as ticket_id', 't.number', 't.subject', 'o.ticket_prefix',
    ])
    .orderBy('c.created_at', 'desc').orderBy('c.id', 'desc').limit(limit)
}

const ticketOf = (r: { ticket_id: string; number: number; subject: string; ticket_prefix: string }) =>
  ({ id: r.ticket_id, number: Number(r.number), ticket_number: formatTicketNumber(r.ticket_prefix, Number(r.number)), subject: r.subject })

/**
 * What happened lately on the tickets the actor may see (the one `visibleTo` rule; deleted and
 * spam tickets left out), newest first: their history entries and their comments — internal
 * notes only for those who may read them. Two statements whatever the limit; see WINDOW.
 */
export async function recentActivity(tx: Tx, actor: Actor, limit: number): Promise<ActivityItemOut[]> {
  assertReadsActivity(actor)
  // One connection either way: the two statements run one after the other.
  const history = await historyFeed(tx, actor, limit).execute()
  const comments = await commentFeed(tx, actor, limit).execute()
  const items: ActivityItemOut[] = [
    ...history.map((r): ActivityItemOut => ({
      kind: 'history',
      id: r.id,
      ticket: ticketOf(r),
      actor: r.actor_id && r.actor_name ? { id: r.actor_id, name: r.actor_name } : null,
      at: r.created_at,
      field: r.field,
      old_value: BULKY_FIELDS.has(r.field) ? null : r.old_value,
      new_value: BULKY_FIELDS.has(r.field) ? null : r.new_value,
    })),
    ...comments.map((r): ActivityItemOut => ({
      kind: 'comment',
      id: r.id,
      ticket: ticketOf(r),
      // As the conversation names authors: the customer's contact, else the staff member.
      actor: r.author_contact_id
        ? { id: r.author_contact_id, name: r.contact_name ?? 'Former contact' }
        : r.author_user_id ? { id: r.author_user_id, name: r.user_name ?? 'Former member' } : null,
      at: r.created_at,
      comment: { id: r.id, is_internal: r.is_internal, excerpt: excerptOf(r.body_start) },
    })),
  ]
  // Ids are UUIDv7 (time-ordered): they break ties between rows written in one transaction.
  items.sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.at < b.at ? 1 : -1))
  return items.slice(0, limit)
}
