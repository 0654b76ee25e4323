import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import net from 'node:net'
import { ImapFlow, type ExistsEvent } from 'imapflow'
import nodemailer from 'nodemailer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dovecotAvailable, startDovecot, type DovecotServer } from './dovecot.js'
import { startSmtpSink, type SmtpSink } from './smtp-sink.js'

const inCI = process.env.CI === 'true'
const haveDovecot = dovecotAvailable()

function message(subject: string, body: string): string {
  return [
    'From: Customer <customer@example.com>',
    'To: Support <support@aidly.test>',
    `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W+/g, '-')}-${Date.now()}@example.com>`,
    'Date: Mon, 01 Jan 2024 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n')
}

function connect(server: DovecotServer, password = server.password): ImapFlow {
  return new ImapFlow({ host: server.host, port: server.port, secure: false, auth: { user: server.user, pass: password }, logger: false, disableAutoIdle: true })
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

// Without Dovecot these are skipped on a developer's machine; under CI=true they fail instead.
describe.skipIf(!haveDovecot && !inCI)('Dovecot test server', () => {
  let server: DovecotServer

  beforeAll(async () => {
    if (!haveDovecot) throw new Error('dovecot is not installed (apt-get install dovecot-imapd); CI=true, so the IMAP tests fail instead of being skipped')
    server = await startDovecot()
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('serves delivered messages over IMAP: UIDVALIDITY, UIDs and full source', async () => {
    await server.deliver(message('First question', 'Hello, my order is late.'))
    await server.deliver(Buffer.from(message('Second question', 'Any news?')))
    // Real maildir delivery: both messages are files in the user's maildir.
    const files = ['new', 'cur'].flatMap((d) => readdirSync(path.join(server.maildir, d)))
    expect(files).toHaveLength(2)

    const client = connect(server)
    await client.connect()
    try {
      const mailbox = await client.mailboxOpen('INBOX')
      expect(mailbox.exists).toBe(2)
      expect(typeof mailbox.uidValidity).toBe('bigint')
      expect(mailbox.uidValidity > 0n).toBe(true)
      const messages = await client.fetchAll('1:*', { uid: true, source: true, envelope: true })
      expect(messages.map((m) => m.uid)).toEqual([1, 2])
      expect(messages.map((m) => m.envelope?.subject)).toEqual(['First question', 'Second question'])
      const first = messages[0]!.source!.toString()
      expect(first).toContain('Subject: First question')
      expect(first).toContain('Hello, my order is late.')
      expect(messages[1]!.source!.toString()).toContain('Any news?')
    } finally {
      await client.logout()
    }
  })

  it('notifies an IDLE client when a message arrives', async () => {
    const client = connect(server)
    await client.connect()
    try {
      const before = (await client.mailboxOpen('INBOX')).exists
      const exists = new Promise<ExistsEvent>((resolve) => client.on('exists', resolve))
      const idle = client.idle()
      // Deliver only once the IDLE command is really running, so the notification comes from IDLE.
      for (let i = 0; i < 100 && !client.idling; i++) await new Promise((r) => setTimeout(r, 20))
      expect(client.idling).toBe(true)
      const started = Date.now()
      await server.deliver(message('Third question', 'Arrived while idling'))
      const event = await exists
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(event).toMatchObject({ path: 'INBOX', prevCount: before, count: before + 1 })
      // A new command ends IDLE; the message is there.
      const latest = await client.fetchOne('*', { uid: true, source: true })
      expect(latest && latest.source?.toString()).toContain('Arrived while idling')
      await idle
    } finally {
      await client.logout()
    }
  })

  it('delivers into a named mailbox, creating it', async () => {
    await server.deliver(message('Filed', 'in another folder'), 'Archive')
    const client = connect(server)
    await client.connect()
    try {
      const status = await client.status('Archive', { messages: true })
      expect(status && status.messages).toBe(1)
    } finally {
      await client.logout()
    }
  })

  it('rejects a wrong password', async () => {
    const client = connect(server, 'wrong')
    await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true })
    client.close()
  })

  it('runs several instances side by side, and stop() frees the port and removes the temp dir', async () => {
    const other = await startDovecot({ user: 'agent@aidly.test', password: 's3cret pass' })
    expect(other.port).not.toBe(server.port)
    await other.deliver(message('Other', 'separate server'))
    const client = new ImapFlow({ host: other.host, port: other.port, secure: false, auth: { user: other.user, pass: other.password }, logger: false, disableAutoIdle: true })
    await client.connect()
    expect((await client.mailboxOpen('INBOX')).exists).toBe(1)
    await client.logout()
    const tmp = path.dirname(path.dirname(other.maildir))
    expect(existsSync(tmp)).toBe(true)
    await other.stop()
    expect(existsSync(tmp)).toBe(false)
    expect(await portOpen(other.port)).toBe(false)
    expect(await portOpen(server.port)).toBe(true)
  })
})

describe('SMTP sink', () => {
  let sink: SmtpSink
  beforeAll(async () => {
    sink = await startSmtpSink()
  })
  afterAll(async () => {
    await sink?.stop()
  })

  const transport = () => nodemailer.createTransport({ host: sink.host, port: sink.port, secure: false, ignoreTLS: true })

  it('captures what a real SMTP client sends', async () => {
    expect(sink.url).toBe(`smtp://127.0.0.1:${sink.port}`)
    const info = await transport().sendMail({
      from: 'Support <support@aidly.test>',
      to: ['customer@example.com', 'cc@example.com'],
      subject: 'Re: your order',
      text: 'It ships tomorrow.',
      headers: { 'X-Aidly-Ticket': 'T-42' },
    })
    expect(info.accepted).toEqual(['customer@example.com', 'cc@example.com'])
    const mail = await sink.waitFor((m) => m.to.includes('customer@example.com'))
    expect(mail.from).toBe('support@aidly.test')
    expect(mail.to).toEqual(['customer@example.com', 'cc@example.com'])
    const raw = mail.raw.toString()
    expect(raw).toMatch(/^Subject: Re: your order$/m)
    expect(raw).toMatch(/^X-Aidly-Ticket: T-42$/m)
    expect(raw).toMatch(/^From: Support <support@aidly\.test>$/m)
    expect(raw).toContain(`Message-ID: ${info.messageId}`)
    expect(raw).toContain('It ships tomorrow.')
  })

  it('waitFor also resolves for a message that arrives later, and times out clearly', async () => {
    const later = sink.waitFor((m) => m.to.includes('later@example.com'))
    await transport().sendMail({ from: 'support@aidly.test', to: 'later@example.com', subject: 'Later', text: 'x' })
    expect((await later).to).toEqual(['later@example.com'])
    await expect(sink.waitFor((m) => m.to.includes('nobody@example.com'), 100)).rejects.toThrow(/no matching message within 100 ms/)
  })

  it('failNext makes the next DATA fail with the code, then accepts again', async () => {
    const count = sink.messages.length
    sink.failNext(1)
    await expect(transport().sendMail({ from: 'support@aidly.test', to: 'retry@example.com', subject: 'Retry me', text: 'x' })).rejects.toMatchObject({ responseCode: 451 })
    expect(sink.messages).toHaveLength(count)
    await transport().sendMail({ from: 'support@aidly.test', to: 'retry@example.com', subject: 'Retry me', text: 'x' })
    expect(sink.messages).toHaveLength(count + 1)

    sink.failNext(2, 550)
    for (let i = 0; i < 2; i++) {
      await expect(transport().sendMail({ from: 'support@aidly.test', to: 'bounce@example.com', subject: 'Bounce', text: 'x' })).rejects.toMatchObject({ responseCode: 550 })
    }
    await transport().sendMail({ from: 'support@aidly.test', to: 'bounce@example.com', subject: 'Bounce', text: 'x' })
    expect(sink.messages).toHaveLength(count + 2)
  })

  it('accepts AUTH over plain text; with fixed credentials only those', async () => {
    await transport().sendMail({ from: 'a@aidly.test', to: 'b@example.com', subject: 'Any auth', text: 'x' })
    const anyAuth = nodemailer.createTransport({ host: sink.host, port: sink.port, secure: false, ignoreTLS: true, auth: { user: 'whoever', pass: 'whatever' } })
    await anyAuth.sendMail({ from: 'a@aidly.test', to: 'auth@example.com', subject: 'With auth', text: 'x' })
    expect((await sink.waitFor((m) => m.to.includes('auth@example.com'))).authUser).toBe('whoever')

    const strict = await startSmtpSink({ user: 'mailer', password: 'secret' })
    try {
      const good = nodemailer.createTransport({ host: strict.host, port: strict.port, secure: false, ignoreTLS: true, auth: { user: 'mailer', pass: 'secret' } })
      await good.sendMail({ from: 'a@aidly.test', to: 'b@example.com', subject: 'ok', text: 'x' })
      const bad = nodemailer.createTransport({ host: strict.host, port: strict.port, secure: false, ignoreTLS: true, auth: { user: 'mailer', pass: 'nope' } })
      await expect(bad.sendMail({ from: 'a@aidly.test', to: 'b@example.com', subject: 'no', text: 'x' })).rejects.toMatchObject({ responseCode: 535 })
      expect(strict.messages).toHaveLength(1)
    } finally {
      await strict.stop()
    }
  })
})
