import type { ImapFlow } from 'imapflow'
import { sql } from 'kysely'
import type { AppContext } from '../../platform/context.js'
import { withSystem, withTenant } from '../../platform/db/tenant.js'
import { loadAccount, type AccountRow } from './accounts.js'
import { imapClient } from './connections.js'
import { storeInbound } from './intake.js'

export interface SyncResult {
  /** Ids of the stored messages, oldest first. */
  stored: string[]
}

const errorText = (error: unknown) => (error instanceof Error ? (error as Error & { responseText?: string }).responseText ?? error.message : String(error)).slice(0, 1000)

async function markAccount(ctx: AppContext, tenantId: string, id: string, error: string | null): Promise<void> {
  await withTenant(ctx.db, { tenantId }, (tx) => tx.updateTable('email_accounts')
    .set(error === null
      ? { status: 'ok', last_sync_at: sql`now()`, last_error: null }
      : { status: 'error', last_error: error, last_error_at: sql`now()` })
    .where('tenant_id', '=', tenantId).where('id', '=', id).execute())
}

/**
 * Fetches what arrived in a mailbox since the last fetch, on an open connection. UIDs above the
 * stored mark are fetched in order; each message is stored (raw first) in the same transaction
 * that advances the mark, so a crash between two messages neither skips nor repeats one. When
 * the server's UIDVALIDITY changed (the folder was recreated) the mark starts over; messages seen
 * before then come back as `duplicate` by their Message-ID rather than as new tickets.
 */
export async function fetchNew(ctx: AppContext, client: ImapFlow, account: AccountRow): Promise<SyncResult> {
  const mailbox = await client.mailboxOpen(account.imap_mailbox)
  const validity = mailbox.uidValidity.toString()
  // bigint columns come back as strings from pg and as numbers from PGlite: compare as text.
  const known = account.imap_uidvalidity === null ? null : String(account.imap_uidvalidity)
  const lastUid = known === validity ? Number(account.imap_last_uid) : 0
  if (known !== validity) {
    await withTenant(ctx.db, { tenantId: account.tenant_id }, (tx) => tx.updateTable('email_accounts')
      .set({ imap_uidvalidity: validity, imap_last_uid: 0 })
      .where('tenant_id', '=', account.tenant_id).where('id', '=', account.id).execute())
  }
  const stored: string[] = []
  if (mailbox.exists === 0 || mailbox.uidNext <= lastUid + 1) return { stored }
  // Sizes first: a message over the limit is recorded as unrouted with its headers only.
  const pending: Array<{ uid: number; size: number }> = []
  for await (const m of client.fetch(`${lastUid + 1}:*`, { uid: true, size: true }, { uid: true })) {
    if (m.uid > lastUid) pending.push({ uid: m.uid, size: m.size ?? 0 })
  }
  pending.sort((a, b) => a.uid - b.uid)
  for (const { uid, size } of pending) {
    const tooBig = size > ctx.config.mailMaxBytes
    const fetched = await client.fetchOne(String(uid), tooBig ? { uid: true, headers: true } : { uid: true, source: true }, { uid: true })
    const raw = fetched ? (tooBig ? fetched.headers : fetched.source) : undefined
    if (!raw) continue
    const result = await storeInbound(ctx, { tenantId: account.tenant_id, accountId: account.id, channel: 'imap', raw, imapUid: uid }, async (tx) => {
      await tx.updateTable('email_accounts').set({ imap_last_uid: uid })
        .where('tenant_id', '=', account.tenant_id).where('id', '=', account.id).execute()
      if (tooBig) {
        await tx.updateTable('email_messages').set({ status: 'unrouted', reason: `too_large: ${size} bytes (limit ${ctx.config.mailMaxBytes}); only the headers were fetched` })
          .where('tenant_id', '=', account.tenant_id).where('imap_uid', '=', String(uid)).where('account_id', '=', account.id).where('status', '=', 'received').execute()
      }
    })
    stored.push(result.id)
  }
  return { stored }
}

/** Connects, fetches what is new, disconnects: `POST /email/accounts/{id}/sync` and the polling fallback. */
export async function syncAccount(ctx: AppContext, tenantId: string, accountId: string): Promise<SyncResult> {
  const account = await withTenant(ctx.db, { tenantId }, (tx) => loadAccount(tx, tenantId, accountId))
  const client = imapClient(ctx, account)
  client.on('error', () => {})
  try {
    await client.connect()
    const result = await fetchNew(ctx, client, account)
    await markAccount(ctx, tenantId, accountId, null)
    return result
  } catch (error) {
    await markAccount(ctx, tenantId, accountId, errorText(error))
    throw error
  } finally {
    await client.logout().catch(() => client.close())
  }
}

interface Watch {
  stop: () => Promise<void>
  updatedAt: string
}

/**
 * Keeps every active IMAP mailbox of every organization open with IDLE, so new mail is fetched
 * the moment the server announces it, and polls every `imapPollSeconds` as a fallback (servers
 * drop IDLE, networks drop connections). Mailboxes are watched in parallel; a failing one backs
 * off and is reported on its account (`status: error`, `last_error`) without holding up the
 * others. The set of mailboxes is re-read periodically, so added, changed or removed accounts are
 * picked up without a restart. `onStored` is told about each fetch so processing starts at once.
 */
export class MailboxWatcher {
  #watches = new Map<string, Watch>()
  #timer: NodeJS.Timeout | undefined
  #stopped = true

  constructor(private readonly ctx: AppContext, private readonly onStored: () => void) {}

  start(): void {
    this.#stopped = false
    void this.#refresh()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await Promise.all([...this.#watches.values()].map((w) => w.stop()))
    this.#watches.clear()
  }

  async #refresh(): Promise<void> {
    try {
      const accounts = await withSystem(this.ctx.db, (tx) => tx.selectFrom('email_accounts').selectAll()
        .where('is_active', '=', true).where('imap_host', 'is not', null).execute())
      const wanted = new Map(accounts.map((a) => [a.id, a]))
      for (const [id, watch] of this.#watches) {
        const now = wanted.get(id)
        if (!now || now.updated_at !== watch.updatedAt) {
          this.#watches.delete(id)
          await watch.stop()
        }
      }
      for (const account of accounts) {
        if (!this.#watches.has(account.id) && !this.#stopped) this.#watches.set(account.id, this.#watch(account))
      }
    } catch (error) {
      this.ctx.log.warn({ err: error }, 'could not read the mailboxes to watch')
    }
    if (!this.#stopped) {
      this.#timer = setTimeout(() => void this.#refresh(), 30_000)
      this.#timer.unref()
    }
  }

  #watch(account: AccountRow): Watch {
    let stopped = false
    let client: ImapFlow | null = null
    let wake: (() => void) | null = null
    const sleep = (ms: number) => new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms)
      t.unref()
      wake = () => { clearTimeout(t); resolve() }
    })
    const loop = async () => {
      let backoff = 1000
      while (!stopped) {
        try {
          client = imapClient(this.ctx, account)
          client.on('error', (err: unknown) => this.ctx.log.debug({ err, account: account.id }, 'imap connection error'))
          const closed = new Promise<void>((resolve) => client!.on('close', () => resolve()))
          await client.connect()
          let syncing: Promise<void> = Promise.resolve()
          const sync = () => {
            syncing = syncing.then(async () => {
              const fresh = await withTenant(this.ctx.db, { tenantId: account.tenant_id }, (tx) => loadAccount(tx, account.tenant_id, account.id))
              const { stored } = await fetchNew(this.ctx, client!, fresh)
              await markAccount(this.ctx, account.tenant_id, account.id, null)
              if (stored.length) this.onStored()
            })
            return syncing
          }
          await sync()
          backoff = 1000
          client.on('exists', () => { void sync().catch((err: unknown) => this.ctx.log.warn({ err, account: account.id }, 'imap fetch failed')) })
          while (!stopped && client.usable) {
            await Promise.race([sleep(this.ctx.config.imapPollSeconds * 1000), closed])
            if (!stopped && client.usable) await sync()
          }
        } catch (error) {
          if (stopped) break
          this.ctx.log.warn({ err: error, account: account.id }, 'mailbox watch failed; retrying')
          await markAccount(this.ctx, account.tenant_id, account.id, errorText(error)).catch(() => {})
          await sleep(backoff)
          backoff = Math.min(backoff * 2, 5 * 60_000)
        } finally {
          const c = client as ImapFlow | null
          if (c?.usable) await c.logout().catch(() => c.close())
          else c?.close()
        }
      }
    }
    const running = loop()
    return {
      updatedAt: account.updated_at,
      stop: async () => {
        stopped = true
        ;(wake as (() => void) | null)?.()
        const c = client as ImapFlow | null
        c?.close()
        await running.catch(() => {})
      },
    }
  }
}
