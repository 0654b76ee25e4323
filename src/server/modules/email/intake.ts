import { sql, type Insertable, type Selectable } from 'kysely'
import type { AppContext } from '../../platform/context.js'
import type { EmailChannel, EmailMessagesTable, EmailStatus, Tx } from '../../platform/db/schema.js'
import { withSystem, withTenant } from '../../platform/db/tenant.js'
import { uuidv7 } from '../../platform/ids.js'
import { parseMail, recipientsOf, type InboundMail } from './parse.js'

export interface Intake {
  tenantId: string
  /** The mailbox it arrived at; null when none of the organization's mailboxes matched. */
  accountId: string | null
  channel: Extract<EmailChannel, 'imap' | 'smtp' | 'api'>
  raw: Buffer
  imapUid?: number
}

export interface StoredInbound {
  id: string
  tenantId: string
  status: EmailStatus
  reason: string | null
  mail: InboundMail | null
}

/** Strips a plus-address tag: `support+abc@x` is delivered to `support@x`. */
export function baseAddress(address: string): string {
  const at = address.lastIndexOf('@')
  const local = address.slice(0, at)
  const plus = local.indexOf('+')
  return plus > 0 ? `${local.slice(0, plus)}${address.slice(at)}` : address
}

/** What routing needs to know about one of the organization's mailboxes. */
export interface MailboxRef {
  id: string
  address: string
  is_active: boolean
}

/**
 * The organization's active mailbox a message was sent to (To, Cc, Delivered-To; plus-addresses
 * match their base): the oldest when several match. `accounts` are the organization's mailboxes, oldest first.
 */
export function pickAccount(accounts: readonly MailboxRef[], mail: InboundMail): string | null {
  const candidates = new Set(recipientsOf(mail).flatMap((a) => [a, baseAddress(a)]))
  return accounts.find((a) => a.is_active && candidates.has(a.address))?.id ?? null
}

/** The organization's mailboxes, oldest first. */
export function mailboxes(tx: Tx, tenantId: string) {
  return tx.selectFrom('email_accounts')
    .select(['id', 'address', 'is_active', 'auto_create', 'default_team_id', 'default_priority', 'default_category_id'])
    .where('tenant_id', '=', tenantId).orderBy('created_at')
}

/** Mailboxes across organizations that receive mail for these addresses (the SMTP listener's routing; owner privileges). */
export async function accountsForRecipients(ctx: AppContext, recipients: string[]): Promise<Array<{ tenant_id: string; id: string }>> {
  const candidates = [...new Set(recipients.map((r) => r.toLowerCase()).flatMap((a) => [a, baseAddress(a)]))]
  if (!candidates.length) return []
  return withSystem(ctx.db, (tx) => tx.selectFrom('email_accounts').select(['tenant_id', 'id'])
    .where('is_active', '=', true).where('address', '=', sql<string>`ANY(${sql.val(candidates)}::text[])`).execute())
}

/** A raw message in the file store, and what could be read from it. */
export interface ReadInbound {
  rawKey: string
  mail: InboundMail | null
  parseError: string | null
}

/** Puts the raw bytes in the file store first (content-addressed), then parses them; a message that cannot be parsed keeps the error. */
export async function readInbound(ctx: AppContext, raw: Buffer): Promise<ReadInbound> {
  const rawKey = await ctx.files.put(raw)
  try {
    return { rawKey, mail: await parseMail(raw), parseError: null }
  } catch (error) {
    return { rawKey, mail: null, parseError: error instanceof Error ? error.message : String(error) }
  }
}

export type InboundRow = Insertable<EmailMessagesTable> & Pick<Selectable<EmailMessagesTable>, 'account_id' | 'message_id' | 'status' | 'reason'>

/** The `email_messages` row of an inbound message as it is first written (status `received`, or `unrouted` when unreadable). */
export function inboundRow(intake: Intake, read: ReadInbound, id: string, accountId: string | null): InboundRow {
  const { mail } = read
  // Only an unreadable message is unrouted at once; one for no mailbox is still classified
  // first (a bounce or auto-reply is dropped as such) and becomes unrouted in processing.
  return {
    tenant_id: intake.tenantId, id, account_id: accountId, direction: 'inbound', channel: intake.channel,
    message_id: mail?.messageId ?? `unparsed.${read.rawKey.slice(0, 40)}@aidly.invalid`,
    in_reply_to: mail?.inReplyTo ?? null, reference_ids: mail?.references ?? [],
    from_address: mail?.from?.address.slice(0, 320) ?? null, from_name: mail?.from?.name.slice(0, 200) || null,
    to_addresses: (mail?.to ?? []).map((a) => a.address).slice(0, 100), cc_addresses: (mail?.cc ?? []).map((a) => a.address).slice(0, 100),
    subject: mail?.subject ?? '', raw_key: read.rawKey, raw_size: intake.raw.length,
    status: mail ? 'received' : 'unrouted', reason: mail ? null : `parse_failed: ${read.parseError ?? 'unknown'}`.slice(0, 500),
    imap_uid: intake.imapUid ?? null,
  }
}

/**
 * Records an inbound message before anything else happens to it: its raw bytes go to the file
 * store and a row to `email_messages` (status `received`, the processing queue). A message that
 * cannot be parsed at all is kept as `unrouted` for an admin to assign or discard; one that
 * matches none of the organization's mailboxes becomes unrouted when processed, unless it is a
 * bounce or an auto-reply. `beforeCommit` runs in the same transaction (the
 * IMAP reader advances its UID mark there, so a stored message and its mark commit together).
 * `read` and `id` are given when the message was already read (and that id kept for it).
 */
export async function storeInbound(
  ctx: AppContext, intake: Intake, beforeCommit?: (tx: Tx) => Promise<void>,
  read?: ReadInbound, id: string = uuidv7(),
): Promise<StoredInbound> {
  const message = read ?? await readInbound(ctx, intake.raw)
  const { mail } = message
  return withTenant(ctx.db, { tenantId: intake.tenantId }, async (tx) => {
    const accountId = intake.accountId ?? (mail ? pickAccount(await mailboxes(tx, intake.tenantId).execute(), mail) : null)
    const row = inboundRow(intake, message, id, accountId)
    await tx.insertInto('email_messages').values(row).execute()
    if (beforeCommit) await beforeCommit(tx)
    return { id, tenantId: intake.tenantId, status: row.status, reason: row.reason, mail }
  })
}
