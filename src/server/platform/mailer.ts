import nodemailer, { type Transporter } from 'nodemailer'
import type { Logger } from 'pino'

export interface MailMessage {
  to: string
  subject: string
  text: string
  html?: string
}

/**
 * Sends system mail (invitations, password resets). With AIDLY_SMTP_URL it goes out by SMTP;
 * without, nodemailer's JSON transport renders it and the log shows the recipient and subject, so a
 * local install still shows reset and invitation links. The last messages are kept for the CLI and
 * tests (`recent`).
 */
export class Mailer {
  readonly recent: Array<MailMessage & { sent_at: string }> = []
  #transport: Transporter

  constructor(smtpUrl: string | undefined, private readonly from: string, private readonly log: Logger) {
    this.#transport = smtpUrl ? nodemailer.createTransport(smtpUrl) : nodemailer.createTransport({ jsonTransport: true })
    this.smtp = Boolean(smtpUrl)
  }

  readonly smtp: boolean

  async send(message: MailMessage): Promise<void> {
    await this.#transport.sendMail({ from: this.from, ...message })
    this.recent.push({ ...message, sent_at: new Date().toISOString() })
    if (this.recent.length > 100) this.recent.shift()
    if (this.smtp) this.log.info({ to: message.to, subject: message.subject }, 'mail sent')
    else this.log.info({ to: message.to, subject: message.subject, text: message.text }, 'mail (no SMTP configured; not delivered)')
  }

  /**
   * Sends a message composed elsewhere (ticket mail) as it is. Answers false when no SMTP server
   * is configured: the message is then only logged, and its sender should say it was not delivered.
   */
  async sendRaw(envelope: { from: string; to: string[] }, raw: Buffer): Promise<boolean> {
    if (!this.smtp) {
      this.log.info({ to: envelope.to }, 'ticket mail (no SMTP configured; not delivered)')
      return false
    }
    await this.#transport.sendMail({ envelope, raw })
    this.log.info({ to: envelope.to }, 'ticket mail sent')
    return true
  }

  close(): void {
    this.#transport.close()
  }
}
