import { sql } from 'kysely'
import type { AppContext } from '../../platform/context.js'
import type { EmailChannel, EmailStatus, Tx } from '../../platform/db/schema.js'
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
  mail: InboundMail | null
}

/** Strips a plus-address tag: `support+abc@x` is delivered to `support@x`. */
export function baseAddress(address: string): string {
  const at = address.lastIndexOf('@')
  const local = address.slice(0, at)
  const plus = local.indexOf('+')
  return plus > 0 ? `${local.slice(0, plus)}${address.slice(at)}` : address
}

/** The organization's active mailbox a message was sent to (To, Cc, Delivered-To; plus-addresses match their base). */
export async function matchAccount(tx: Tx, tenantId: string, mail: InboundMail): Promise<string | null> {
  const candidates = [...new Set(recipientsOf(mail).flatMap((a) => [a, baseAddress(a)]))]
  if (!candidates.length) return null
  const row = await tx.selectFrom('email_accounts').select('id')
    .where('tenant_id', '=', tenantId).where('is_active', '=', true)
    .where('address', '=', sql<string>`ANY(${sql.val(candidates)}::text[])`)
    .orderBy('created_at').limit(1).executeTakeFirst()
  return row?.id ?? null
}

/** Mailboxes across organizations that receive mail for these addresses (the SMTP listener's routing; owner privileges). */
export async function accountsForRecipients(ctx: AppContext, recipients: string[]): Promise<Array<{ tenant_id: string; id: string }>> {
  const candidates = [...new Set(recipients.map((r) => r.toLowerCase()).flatMap((a) => [a, baseAddress(a)]))]
  if (!candidates.length) return []
  return withSystem(ctx.db, (tx) => tx.selectFrom('email_accounts').select(['tenant_id', 'id'])
    .where('is_active', '=', true).where('address', '=', sql<string>`ANY(${sql.val(candidates)}::text[])`).execute())
}

/**
 * Records an inbound message before anything else happens to it: its raw bytes go to the file
 * store and a row to `email_messages` (status `received`, the processing queue). A message that
 * cannot be parsed at all is kept as `unrouted` for an admin to assign or discard; one that
 * matches none of the organization's mailboxes becomes unrouted when processed, unless it is a
 * bounce or an auto-reply. `beforeCommit` runs in the same transaction (the
 * IMAP reader advances its UID mark there, so a stored message and its mark commit together).
 */
export async function storeInbound(ctx: AppContext, intake: Intake, beforeCommit?: (tx: Tx) => Promise<void>): Promise<StoredInbound> {
  const rawKey = await ctx.files.put(intake.raw)
  let mail: InboundMail | null = null
  let parseError: string | null = null
  try {
    mail = await parseMail(intake.raw)
  } catch (error) {
    parseError = error instanceof Error ? error.message : String(error)
  }
  const id = uuidv7()
  return withTenant(ctx.db, { tenantId: intake.tenantId }, async (tx) => {
    const accountId = intake.accountId ?? (mail ? await matchAccount(tx, intake.tenantId, mail) : null)
    // Only an unreadable message is unrouted at once; one for no mailbox is still classified
    // first (a bounce or auto-reply is dropped as such) and becomes unrouted in processing.
    const status: EmailStatus = !mail ? 'unrouted' : 'received'
    const reason = !mail ? `parse_failed: ${parseError ?? 'unknown'}`.slice(0, 500) : null
    await tx.insertInto('email_messages').values({
      tenant_id: intake.tenantId, id, account_id: accountId, direction: 'inbound', channel: intake.channel,
      message_id: mail?.messageId ?? `unparsed.${rawKey.slice(0, 40)}@aidly.invalid`,
      in_reply_to: mail?.inReplyTo ?? null, reference_ids: mail?.references ?? [],
      from_address: mail?.from?.address.slice(0, 320) ?? null, from_name: mail?.from?.name.slice(0, 200) || null,
      to_addresses: (mail?.to ?? []).map((a) => a.address).slice(0, 100), cc_addresses: (mail?.cc ?? []).map((a) => a.address).slice(0, 100),
      subject: mail?.subject ?? '', raw_key: rawKey, raw_size: intake.raw.length,
      status, reason, imap_uid: intake.imapUid ?? null,
    }).execute()
    if (beforeCommit) await beforeCommit(tx)
    return { id, tenantId: intake.tenantId, status, mail }
  })
}
