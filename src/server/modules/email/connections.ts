import { ImapFlow } from 'imapflow'
import nodemailer, { type Transporter } from 'nodemailer'
import type { AppContext } from '../../platform/context.js'
import { accountSecrets, defaultSmtpPort, type AccountRow } from './accounts.js'

/** How long connecting and greeting may take before a mailbox counts as unreachable. */
const CONNECT_TIMEOUT_MS = 15_000

/** An IMAP client for a mailbox (not connected yet). Passwords are decrypted only here. */
export function imapClient(ctx: AppContext, row: AccountRow): ImapFlow {
  if (!row.imap_host || !row.imap_username) throw new Error('This mailbox has no IMAP settings.')
  const secrets = accountSecrets(ctx.secretsKey, row)
  return new ImapFlow({
    host: row.imap_host,
    port: row.imap_port ?? (row.imap_tls ? 993 : 143),
    secure: row.imap_tls,
    auth: secrets.oauthToken ? { user: row.imap_username, accessToken: secrets.oauthToken } : { user: row.imap_username, pass: secrets.imapPassword ?? '' },
    logger: false,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
    clientInfo: { name: 'Aidly' },
  })
}

/** An SMTP transport for a mailbox's own server, or null when it has none (the instance's AIDLY_SMTP_URL is used then). */
export function smtpTransport(ctx: AppContext, row: AccountRow): Transporter | null {
  if (!row.smtp_host) return null
  const secrets = accountSecrets(ctx.secretsKey, row)
  const user = row.smtp_username
  return nodemailer.createTransport({
    host: row.smtp_host,
    port: row.smtp_port ?? defaultSmtpPort(row.smtp_security),
    secure: row.smtp_security === 'tls',
    requireTLS: row.smtp_security === 'starttls',
    ignoreTLS: row.smtp_security === 'none',
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
    ...(user ? { auth: secrets.oauthToken ? { type: 'OAuth2', user, accessToken: secrets.oauthToken } : { user, pass: secrets.smtpPassword ?? '' } } : {}),
  })
}

const message = (error: unknown) => (error instanceof Error ? (error as Error & { responseText?: string }).responseText ?? error.message : String(error)).slice(0, 500)

/** Signs in to the mailbox's IMAP server and opens its folder, and checks its SMTP server; each answers ok or the server's error. */
export async function testConnections(ctx: AppContext, row: AccountRow): Promise<{ imap: { ok: boolean; error: string | null } | null; smtp: { ok: boolean; error: string | null } | null }> {
  let imap: { ok: boolean; error: string | null } | null = null
  if (row.imap_host) {
    const client = imapClient(ctx, row)
    client.on('error', () => {})
    try {
      await client.connect()
      await client.mailboxOpen(row.imap_mailbox, { readOnly: true })
      imap = { ok: true, error: null }
    } catch (error) {
      imap = { ok: false, error: message(error) }
    } finally {
      await client.logout().catch(() => client.close())
    }
  }
  let smtp: { ok: boolean; error: string | null } | null = null
  const transport = smtpTransport(ctx, row)
  if (transport) {
    try {
      await transport.verify()
      smtp = { ok: true, error: null }
    } catch (error) {
      smtp = { ok: false, error: message(error) }
    } finally {
      transport.close()
    }
  }
  return { imap, smtp }
}
