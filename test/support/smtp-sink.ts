import { SMTPServer, type SMTPServerError } from 'smtp-server'

/**
 * A real SMTP receiver on 127.0.0.1 for the outbound-email tests: it speaks SMTP (no TLS, AUTH
 * optional and allowed in clear text) and keeps every accepted message. `failNext(n, code)` makes
 * the next n messages be rejected at the end of DATA, to exercise a sender's retry logic.
 */

export interface CapturedMail {
  from: string
  to: string[]
  raw: Buffer
  /** The AUTH username the client logged in with, when it did. */
  authUser?: string
}

export interface SmtpSink {
  host: string
  port: number
  /** smtp://127.0.0.1:PORT */
  url: string
  /** Accepted messages, oldest first. */
  messages: CapturedMail[]
  /** Resolves with the first captured message (already received or arriving later) that matches; rejects after timeoutMs (default 5000). */
  waitFor(pred: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>
  /** The next n DATA commands are answered with `code` (default 451, a temporary failure) and the messages are not kept. */
  failNext(n: number, code?: number): void
  stop(): Promise<void>
}

export interface SmtpSinkOptions {
  /** With user and password set, AUTH accepts only these credentials (535 otherwise); without, any credentials pass. AUTH is never required. */
  user?: string
  password?: string
}

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: CapturedMail[] = []
  const waiters = new Set<(m: CapturedMail) => void>()
  const failures: number[] = []

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    banner: 'Aidly test SMTP sink',
    onAuth(auth, _session, callback) {
      const checked = opts.user !== undefined || opts.password !== undefined
      if (checked && (auth.username !== opts.user || auth.password !== opts.password)) {
        return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }))
      }
      callback(null, { user: auth.username ?? '' })
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('error', (error) => callback(error))
      stream.on('end', () => {
        const failCode = failures.shift()
        if (failCode !== undefined) {
          const error: SMTPServerError = new Error(failCode < 500 ? 'Temporary failure (failNext), try again later' : 'Rejected (failNext)')
          error.responseCode = failCode
          return callback(error)
        }
        const mail: CapturedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        }
        if (typeof session.user === 'string' && session.user) mail.authUser = session.user
        messages.push(mail)
        for (const waiter of [...waiters]) waiter(mail)
        callback(null, 'Message accepted')
      })
    },
  })

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      const address = server.server.address()
      if (typeof address === 'object' && address) resolve(address.port)
      else reject(new Error('smtp sink has no port'))
    })
  })
  // Errors on client sockets (a sender that hangs up mid-session) must not crash the test worker.
  server.on('error', () => {})

  return {
    host: '127.0.0.1',
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor(pred, timeoutMs = 5_000) {
      const found = messages.find(pred)
      if (found) return Promise.resolve(found)
      return new Promise<CapturedMail>((resolve, reject) => {
        const waiter = (m: CapturedMail) => {
          let matches: boolean
          try {
            matches = pred(m)
          } catch (error) {
            done()
            return reject(error as Error)
          }
          if (matches) {
            done()
            resolve(m)
          }
        }
        const timer = setTimeout(() => {
          done()
          reject(new Error(`smtp sink: no matching message within ${timeoutMs} ms (${messages.length} captured: ${messages.map((m) => `${m.from} -> ${m.to.join(',')}`).join('; ') || 'none'})`))
        }, timeoutMs)
        const done = () => {
          clearTimeout(timer)
          waiters.delete(waiter)
        }
        waiters.add(waiter)
      })
    },
    failNext(n, code = 451) {
      for (let i = 0; i < n; i++) failures.push(code)
    },
    stop() {
      return new Promise<void>((resolve) => {
        // close() waits for open sessions (pooled senders) up to closeTimeout; end them now instead.
        server.close(() => resolve())
        for (const connection of server.connections) connection.close()
      })
    },
  }
}
