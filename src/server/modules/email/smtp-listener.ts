import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server'
import type { AppContext } from '../../platform/context.js'
import { accountsForRecipients, storeInbound } from './intake.js'

type Done = (err?: Error | null) => void

function smtpError(message: string, code: number): Error {
  return Object.assign(new Error(message), { responseCode: code })
}

/**
 * The inbound SMTP listener for MTA forwarding (AIDLY_SMTP_PORT). It accepts mail only for
 * addresses that are an active mailbox of some organization (550 for others, at RCPT, so the
 * sending MTA bounces instead of us dropping it), reads the message up to AIDLY_MAIL_MAX_BYTES
 * (552 over it), and answers 250 only after the raw message is stored for every organization it
 * is addressed to — a 451 on any failure makes the MTA retry, so nothing is lost.
 */
export class SmtpListener {
  #server: SMTPServer | null = null

  constructor(private readonly ctx: AppContext, private readonly onStored: () => void) {}

  get port(): number | null {
    const address = this.#server?.server.address()
    return address && typeof address === 'object' ? address.port : null
  }

  async start(): Promise<void> {
    const { config, log } = this.ctx
    if (config.smtpListenPort === undefined) return
    const server = new SMTPServer({
      name: new URL(config.publicUrl).hostname,
      banner: 'Aidly inbound mail',
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: config.mailMaxBytes,
      logger: false,
      onRcptTo: (address: SMTPServerAddress, _session: SMTPServerSession, done: Done) => {
        accountsForRecipients(this.ctx, [address.address]).then(
          (found) => done(found.length ? null : smtpError(`No mailbox here for <${address.address}>`, 550)),
          (error: unknown) => { log.error({ err: error }, 'smtp: recipient lookup failed'); done(smtpError('Temporary failure, try again later', 451)) },
        )
      },
      onData: (stream, session, done: Done) => {
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('end', () => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
            done(smtpError('Message too large', 552))
            return
          }
          const raw = Buffer.concat(chunks)
          this.#store(session, raw).then(() => done(), (error: unknown) => {
            log.error({ err: error }, 'smtp: storing a message failed')
            done(smtpError('Temporary failure, try again later', 451))
          })
        })
      },
    })
    server.on('error', (err) => log.warn({ err }, 'smtp listener error'))
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject)
      server.listen(config.smtpListenPort, config.smtpListenHost, () => resolve())
    })
    this.#server = server
    log.info({ port: this.port }, 'inbound SMTP listening')
  }

  async #store(session: SMTPServerSession, raw: Buffer): Promise<void> {
    const recipients = session.envelope.rcptTo.map((r) => r.address)
    const accounts = await accountsForRecipients(this.ctx, recipients)
    const perTenant = new Map<string, string>()
    for (const a of accounts) if (!perTenant.has(a.tenant_id)) perTenant.set(a.tenant_id, a.id)
    for (const [tenantId, accountId] of perTenant) {
      await storeInbound(this.ctx, { tenantId, accountId, channel: 'smtp', raw })
    }
    this.onStored()
  }

  async stop(): Promise<void> {
    const server = this.#server
    this.#server = null
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
