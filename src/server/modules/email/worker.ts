import { sql } from 'kysely'
import { systemActor } from '../../platform/auth/actor.js'
import type { AppContext } from '../../platform/context.js'
import { withSystem, withTenant } from '../../platform/db/tenant.js'
import { recordHistory } from '../tickets/history.js'
import { loadAccount, type AccountRow } from './accounts.js'
import { smtpTransport } from './connections.js'
import { composeQueued } from './outbound.js'
import { processInbound } from './process-inbound.js'

/** A taken message is someone's for this long; after it, a crashed worker's message is taken again. */
const LEASE_SECONDS = 300
/** Processing attempts before a message goes to the unrouted queue; send attempts before a mail is `failed`. */
export const MAX_INBOUND_ATTEMPTS = 5
export const MAX_SEND_ATTEMPTS = 6
const BATCH = 32

const errorText = (error: unknown) => (error instanceof Error ? (error as Error & { responseText?: string }).responseText ?? error.message : String(error)).slice(0, 2000)
const backoffSeconds = (attempts: number) => Math.min(3600, 5 * 2 ** attempts)

interface Claimed {
  tenant_id: string
  id: string
  account_id: string | null
  attempts: number
}

/**
 * Takes due messages of one queue for this worker: FOR UPDATE SKIP LOCKED, so workers on several
 * instances never take the same one, with a lease written and committed before the work starts.
 */
async function claim(ctx: AppContext, status: 'received' | 'queued', opts: { tenantId?: string; limit?: number }): Promise<Claimed[]> {
  return withSystem(ctx.db, async (tx) => {
    let q = tx.selectFrom('email_messages').select(['tenant_id', 'id'])
      .where('status', '=', status).where('available_at', '<=', sql<string>`now()`)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<string>`now()`)]))
      .orderBy('available_at').orderBy('received_at').limit(opts.limit ?? BATCH)
      .forUpdate().skipLocked()
    if (opts.tenantId) q = q.where('tenant_id', '=', opts.tenantId)
    const due = await q.execute()
    if (!due.length) return []
    return tx.updateTable('email_messages')
      .set({ locked_until: sql`now() + make_interval(secs => ${LEASE_SECONDS})`, attempts: sql`attempts + 1` })
      .where(sql<boolean>`(tenant_id, id) IN (${sql.join(due.map((d) => sql`(${d.tenant_id}::uuid, ${d.id}::uuid)`))})`)
      .returning(['tenant_id', 'id', 'account_id', 'attempts'])
      .execute()
  })
}

/** After a failed attempt: try again later, or give up — inbound to the unrouted queue, outbound as failed on its ticket. */
async function release(ctx: AppContext, m: Claimed, error: unknown, direction: 'inbound' | 'outbound'): Promise<void> {
  const message = errorText(error)
  const max = direction === 'inbound' ? MAX_INBOUND_ATTEMPTS : MAX_SEND_ATTEMPTS
  const giveUp = m.attempts >= max
  await withTenant(ctx.db, { tenantId: m.tenant_id }, async (tx) => {
    const row = await tx.updateTable('email_messages')
      .set({
        locked_until: null, last_error: message,
        available_at: sql`now() + make_interval(secs => ${backoffSeconds(m.attempts)})`,
        ...(giveUp ? (direction === 'inbound'
          ? { status: 'unrouted' as const, reason: `processing_failed: ${message}`.slice(0, 1000) }
          : { status: 'failed' as const, processed_at: sql`now()` }) : {}),
      })
      .where('tenant_id', '=', m.tenant_id).where('id', '=', m.id)
      .returning(['ticket_id', 'to_addresses', 'channel'])
      .executeTakeFirst()
    if (giveUp && direction === 'outbound' && row?.ticket_id) {
      await recordHistory(tx, systemActor(m.tenant_id), row.ticket_id, [{
        field: 'email_failed', old_value: null, new_value: { email_id: m.id, to: row.to_addresses, channel: row.channel, error: message },
      }])
    }
  })
  ctx.log.warn({ err: error, email: m.id, attempts: m.attempts, gaveUp: giveUp }, direction === 'inbound' ? 'inbound email processing failed' : 'sending email failed')
}

/** Processes due inbound messages: mailboxes in parallel, each mailbox's messages in arrival order. Returns how many were handled. */
export async function processDueInbound(ctx: AppContext, opts: { tenantId?: string } = {}): Promise<number> {
  const claimed = await claim(ctx, 'received', opts)
  const byAccount = new Map<string, Claimed[]>()
  for (const m of claimed) {
    const key = m.account_id ?? `none:${m.tenant_id}`
    byAccount.set(key, [...(byAccount.get(key) ?? []), m])
  }
  await Promise.all([...byAccount.values()].map(async (messages) => {
    for (const m of messages) {
      try {
        await processInbound(ctx, m.tenant_id, m.id)
      } catch (error) {
        await release(ctx, m, error, 'inbound').catch((err: unknown) => ctx.log.error({ err }, 'could not record a processing failure'))
      }
    }
  }))
  return claimed.length
}

/**
 * What sending a claimed mail needs, read in one transaction: the mail as queued (composed and
 * stored now if it was not yet) and the mailbox it goes out through. Null when it is no longer
 * queued or was discarded because its ticket or reply is gone.
 */
async function prepareSend(ctx: AppContext, m: Claimed): Promise<{ raw: Buffer; envelope: { from: string; to: string[] }; account: AccountRow | null } | null> {
  return withTenant(ctx.db, { tenantId: m.tenant_id }, async (tx) => {
    const row = await tx.selectFrom('email_messages').selectAll().where('tenant_id', '=', m.tenant_id).where('id', '=', m.id).executeTakeFirstOrThrow()
    if (row.status !== 'queued') return null
    const raw = row.raw_key ? await ctx.files.get(row.raw_key) : await composeQueued(ctx, tx, row)
    if (!raw) {
      // Its ticket or reply was deleted before it went out: nothing to send any more.
      await tx.updateTable('email_messages')
        .set({ status: 'discarded', reason: 'its ticket or reply was deleted before sending', processed_at: sql`now()`, locked_until: null })
        .where('tenant_id', '=', m.tenant_id).where('id', '=', m.id).execute()
      return null
    }
    const account = row.account_id ? await loadAccount(tx, m.tenant_id, row.account_id).catch(() => null) : null
    return { raw, envelope: { from: row.from_address ?? '', to: [...row.to_addresses, ...row.cc_addresses] }, account }
  })
}

async function sendOne(ctx: AppContext, m: Claimed): Promise<void> {
  const mail = await prepareSend(ctx, m)
  if (!mail) return
  const transport = mail.account ? smtpTransport(ctx, mail.account) : null
  let note: string | null = null
  if (transport) {
    try {
      await transport.sendMail({ envelope: mail.envelope, raw: mail.raw })
    } finally {
      transport.close()
    }
  } else {
    const delivered = await ctx.mailer.sendRaw(mail.envelope, mail.raw)
    if (!delivered) note = 'not delivered: no SMTP server is configured (set the mailbox\'s SMTP settings or AIDLY_SMTP_URL)'
  }
  await withTenant(ctx.db, { tenantId: m.tenant_id }, (tx) => tx.updateTable('email_messages')
    .set({ status: 'sent', processed_at: sql`now()`, locked_until: null, last_error: null, reason: note })
    .where('tenant_id', '=', m.tenant_id).where('id', '=', m.id).execute())
}

/** Sends due outbound mail, retrying failures with backoff. Returns how many were handled. */
export async function sendDueOutbound(ctx: AppContext, opts: { tenantId?: string } = {}): Promise<number> {
  const claimed = await claim(ctx, 'queued', opts)
  await Promise.all(claimed.map(async (m) => {
    try {
      await sendOne(ctx, m)
    } catch (error) {
      await release(ctx, m, error, 'outbound').catch((err: unknown) => ctx.log.error({ err }, 'could not record a send failure'))
    }
  }))
  return claimed.length
}

/** Everything due in both queues, until nothing is left (tests, `sync`). Scoped to one organization when given. */
export async function drainEmail(ctx: AppContext, opts: { tenantId?: string } = {}): Promise<void> {
  for (let pass = 0; pass < 100; pass++) {
    const n = (await processDueInbound(ctx, opts)) + (await sendDueOutbound(ctx, opts))
    if (n === 0) return
  }
}

/**
 * The background loop of the email queues on a worker instance: runs when nudged (a message was
 * stored, a reply queued) and every few seconds otherwise, so retries and expired leases are
 * picked up.
 */
export class EmailWorker {
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #again = false
  #stopped = true

  constructor(private readonly ctx: AppContext, private readonly intervalMs = 2000) {}

  start(): void {
    this.#stopped = false
    this.nudge()
  }

  nudge(): void {
    if (this.#stopped) return
    if (this.#running) {
      this.#again = true
      return
    }
    clearTimeout(this.#timer)
    this.#running = drainEmail(this.ctx)
      .catch((err: unknown) => this.ctx.log.error({ err }, 'email worker pass failed'))
      .finally(() => {
        this.#running = undefined
        if (this.#stopped) return
        if (this.#again) {
          this.#again = false
          this.nudge()
          return
        }
        this.#timer = setTimeout(() => this.nudge(), this.intervalMs)
        this.#timer.unref()
      })
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
  }
}
