import { sql } from 'kysely'
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres'
import type { Tx } from '../../platform/db/schema.js'
import { contactsWithEmail } from '../contacts/find-or-create.js'
import { mailboxes } from './intake.js'
import type { InboundMail } from './parse.js'
import { DEFAULT_TEMPLATES, type TemplateText } from './templates.js'
import { referencedTicket, type LiveTicket } from './thread.js'

/** How far back the per-sender limit looks. */
const SENDER_WINDOW_MINUTES = 10

/** One of the organization's mailboxes, as processing needs it. */
export interface MailboxFacts {
  id: string
  address: string
  is_active: boolean
  auto_create: boolean
  default_team_id: string | null
  default_priority: string | null
  default_category_id: string | null
}

/** Everything processing asks the database about a message before it writes anything. */
export interface InboundFacts {
  orgName: string
  ticketPrefix: string
  /** The organization's mailboxes, oldest first. */
  accounts: MailboxFacts[]
  /** The organization's `ticket_created` template (or the built-in one). */
  acknowledgement: TemplateText
  /** An earlier message with the same Message-ID that became a ticket or comment, or one we sent. */
  earlier: { ticket_id: string | null } | null
  /** The sender's contact. */
  senderContact: { id: string; is_blocked: boolean; email_status: 'ok' | 'bouncing' } | null
  /** The sender's processed or dropped messages in the last SENDER_WINDOW_MINUTES, counted up to the limit. */
  senderRecent: number
  /** The sender as an active staff member of the organization. */
  staffId: string | null
  /** What In-Reply-To/References name (see `referencedTicket`). */
  referenced: LiveTicket | null
}

/**
 * Reads the facts about a message (`self`, with the Message-ID it is stored under) in one
 * statement: each is a subquery that would otherwise be a round trip of its own. Read-only, and
 * read after the Message-ID lock, so the duplicate check sees what a message processed before
 * this one committed.
 */
export async function loadFacts(tx: Tx, tenantId: string, mail: InboundMail, self: { id: string; message_id: string }, senderLimit: number): Promise<InboundFacts> {
  const sender = mail.from?.address ?? ''
  const row = await tx.selectFrom('organizations as o').where('o.id', '=', tenantId).select((eb) => [
    'o.name', 'o.ticket_prefix',
    jsonArrayFrom(mailboxes(tx, tenantId)).as('accounts'),
    jsonObjectFrom(eb.selectFrom('email_templates').select(['subject', 'body', 'enabled'])
      .where('tenant_id', '=', tenantId).where('key', '=', 'ticket_created')).as('acknowledgement'),
    jsonObjectFrom(eb.selectFrom('email_messages').select('ticket_id')
      .where('tenant_id', '=', tenantId).where('message_id', '=', self.message_id).where('id', '!=', self.id)
      .where((w) => w.or([w('outcome', 'in', ['ticket_created', 'comment_added']), w('direction', '=', 'outbound')]))
      .orderBy('received_at').limit(1)).as('earlier'),
    jsonObjectFrom(contactsWithEmail(tx, tenantId, sender).select(['id', 'is_blocked', 'email_status']).limit(1)).as('sender_contact'),
    eb.selectFrom((r) => r.selectFrom('email_messages').select('id')
      .where('tenant_id', '=', tenantId).where('direction', '=', 'inbound').where('from_address', '=', sender)
      .where('id', '!=', self.id)
      .where('received_at', '>', sql<string>`now() - make_interval(mins => ${SENDER_WINDOW_MINUTES})`)
      .where('status', 'in', ['processed', 'dropped'])
      .limit(senderLimit).as('recent'))
      .select(sql<number>`count(*)::int`.as('n')).as('sender_recent'),
    eb.selectFrom('memberships as m').innerJoin('users as u', 'u.id', 'm.user_id')
      .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'm.tenant_id').onRef('r.id', '=', 'm.role_id'))
      .select('u.id').where('m.tenant_id', '=', tenantId).where(sql<string>`lower(u.email)`, '=', sender)
      .where('r.kind', '=', 'staff').where('m.is_active', '=', true).limit(1).as('staff_id'),
    jsonObjectFrom(referencedTicket(tx, tenantId, mail)).as('referenced'),
  ]).executeTakeFirstOrThrow()
  return {
    orgName: row.name,
    ticketPrefix: row.ticket_prefix,
    accounts: row.accounts,
    acknowledgement: row.acknowledgement ?? DEFAULT_TEMPLATES.ticket_created,
    earlier: row.earlier,
    senderContact: row.sender_contact,
    senderRecent: row.sender_recent ?? 0,
    staffId: row.staff_id ?? null,
    referenced: row.referenced,
  }
}
