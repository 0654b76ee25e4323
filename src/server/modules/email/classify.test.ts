import fs from 'node:fs'
import path from 'node:path'
import { simpleParser } from 'mailparser'
import { beforeAll, describe, expect, it } from 'vitest'
import { classifyMessage, type Classification } from './classify.js'

/** Builds a raw message from lines written with LF (headers, blank line, body) and classifies it. */
async function classify(source: string, options: { keepDeliveryStatus?: boolean } = {}): Promise<Classification> {
  const raw = Buffer.from(source.replace(/^\n/, '').replace(/\r?\n/g, '\r\n'))
  return classifyMessage(await simpleParser(raw, options), raw)
}

function person(headers: string, body = 'Hello,\nplease have a look at my order.\n\nThanks, Anna\n'): string {
  return `From: Anna Berg <anna@customer.example>
To: support@helpdesk.example
Message-ID: <m1@customer.example>
Date: Tue, 2 Apr 2024 10:00:00 +0200
Return-Path: <anna@customer.example>
${headers}

${body}`
}

const POSTFIX_DSN = `
Return-Path: <>
From: MAILER-DAEMON@mx.helpdesk.example (Mail Delivery System)
To: support@helpdesk.example
Subject: Undelivered Mail Returned to Sender
Date: Tue, 2 Apr 2024 10:00:00 +0000
Message-Id: <20240402100000.ABC@mx.helpdesk.example>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="BOUNDARY"

--BOUNDARY
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<Gone@Customer.example>: host mx.customer.example said: 550 5.1.1 User unknown

--BOUNDARY
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.helpdesk.example
Arrival-Date: Tue, 2 Apr 2024 09:59:58 +0000

Final-Recipient: rfc822; Gone@Customer.example
Original-Recipient: rfc822;gone@customer.example
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--BOUNDARY
Content-Description: Undelivered Message
Content-Type: message/rfc822

From: Support <support@helpdesk.example>
To: gone@customer.example
Subject: [#HD-12] Your request
Message-ID: <reply-42@helpdesk.example>

Hello!

--BOUNDARY--
`

describe('classifyMessage: bounces', () => {
  it('reads an RFC 3464 report: recipients, original Message-ID from the message/rfc822 part, permanent', async () => {
    expect(await classify(POSTFIX_DSN)).toEqual({
      kind: 'bounce',
      reason: 'dsn',
      original_message_id: 'reply-42@helpdesk.example',
      recipients: ['gone@customer.example'],
      permanent: true,
    })
  })

  it('reads the delivery-status part also when mailparser keeps it as an attachment', async () => {
    const result = await classify(POSTFIX_DSN, { keepDeliveryStatus: true })
    expect(result).toMatchObject({ kind: 'bounce', recipients: ['gone@customer.example'], permanent: true })
  })

  it('treats a delay report (Action: delayed, 4.x.x) as not permanent and reads text/rfc822-headers', async () => {
    const result = await classify(`
From: Mail Delivery System <Mailer-Daemon@mx.example.net>
To: support@helpdesk.example
Subject: Delayed Mail (still being retried)
Date: Tue, 2 Apr 2024 10:00:00 +0000
Return-Path: <>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

THIS IS A WARNING ONLY. YOU DO NOT NEED TO RESEND YOUR MESSAGE.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; slow@example.org
Action: delayed
Status: 4.4.7

--b1
Content-Type: text/rfc822-headers

From: support@helpdesk.example
To: slow@example.org
Subject: Re: Printer
Message-ID: <abc@helpdesk.example>

--b1--
`)
    expect(result).toEqual({
      kind: 'bounce',
      reason: 'dsn',
      original_message_id: 'abc@helpdesk.example',
      recipients: ['slow@example.org'],
      permanent: false,
    })
  })

  it('treats Action: failed as permanent even with a 4.x.x status (the MTA gave up)', async () => {
    const result = await classify(POSTFIX_DSN.replace('Status: 5.1.1', 'Status: 4.4.7'))
    expect(result).toMatchObject({ kind: 'bounce', permanent: true })
  })

  it('a report that only says "delivered" is an automatic message, not a bounce', async () => {
    const result = await classify(POSTFIX_DSN.replace('Action: failed', 'Action: delivered').replace('Status: 5.1.1', 'Status: 2.0.0'))
    expect(result).toEqual({ kind: 'auto_reply', reason: 'dsn: delivered' })
  })

  it('falls back to the report\'s In-Reply-To when the returned message is not included', async () => {
    const result = await classify(`
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: support@helpdesk.example
Subject: Delivery Status Notification (Failure)
In-Reply-To: <reply-9@helpdesk.example>
References: <older@helpdesk.example> <reply-9@helpdesk.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="g"

--g
Content-Type: text/plain

Your message wasn't delivered to someone@example.de because the address couldn't be found.
--g
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com

Final-Recipient: rfc822; someone@example.de
Action: failed
Status: 5.1.1
--g--
`)
    expect(result).toMatchObject({ kind: 'bounce', original_message_id: 'reply-9@helpdesk.example', recipients: ['someone@example.de'] })
  })

  it('recognises a plain-text bounce from MAILER-DAEMON; Message-ID from the quoted message in the body', async () => {
    const result = await classify(`
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: support@helpdesk.example
X-Failed-Recipients: Nobody@Example.jp
Subject: Delivery Status Notification (Failure)
Date: Tue, 2 Apr 2024 10:00:00 +0000
Content-Type: text/plain; charset=us-ascii

Delivery to the following recipient failed permanently:

     nobody@example.jp

----- Original message -----

From: support@helpdesk.example
To: nobody@example.jp
Subject: Re: Invoice
Message-ID: <orig-7@helpdesk.example>

text
`)
    expect(result).toEqual({
      kind: 'bounce',
      reason: 'mailer-daemon',
      original_message_id: 'orig-7@helpdesk.example',
      recipients: ['nobody@example.jp'],
      permanent: true,
    })
  })

  it('takes recipients from the notice text when there is no report and no X-Failed-Recipients', async () => {
    const result = await classify(`
From: "Postmaster" <postmaster@example.com>
To: <support@helpdesk.example>
Subject: Undeliverable Mail
Date: Tue, 2 Apr 2024 10:00:00 +0000

Delivery failed 10 attempts: Info@Example.net


Original message follows.

From: support@helpdesk.example
To: info@example.net
Subject: Hey

Hey there
`)
    expect(result).toEqual({ kind: 'bounce', reason: 'mailer-daemon', original_message_id: null, recipients: ['info@example.net'], permanent: true })
  })

  it('recognises a null Return-Path with a bounce subject from an unusual sender', async () => {
    const result = await classify(`
Return-Path: <>
From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.example>
To: support@helpdesk.example
Subject: Undeliverable: Your ticket HD-7
Date: Tue, 2 Apr 2024 10:00:00 +0000
Content-Type: text/plain

Your message to bob@contoso.example couldn't be delivered.
`)
    expect(result).toMatchObject({ kind: 'bounce', reason: 'null-sender', recipients: ['bob@contoso.example'], permanent: true })
  })

  it('a delay warning without a report is not permanent', async () => {
    const result = await classify(`
From: MAILER-DAEMON@mx.example.net
To: support@helpdesk.example
Subject: Warning: could not send message for past 4 hours
Date: Tue, 2 Apr 2024 10:00:00 +0000

    **  THIS IS A WARNING MESSAGE ONLY  **
<late@example.org>... Deferred: Connection timed out
`)
    expect(result).toMatchObject({ kind: 'bounce', recipients: ['late@example.org'], permanent: false })
  })

  it('near misses: a person writing about a failed delivery, a postmaster asking a question, a null sender saying hello', async () => {
    expect(await classify(person('Subject: Delivery failure of my parcel'))).toEqual({ kind: 'normal' })
    expect(await classify(person('Subject: Undelivered order #1234'))).toEqual({ kind: 'normal' })
    expect(
      await classify(person('Subject: Question about our account').replace('anna@customer.example>', 'postmaster@customer.example>')),
    ).toEqual({ kind: 'normal' })
    expect(await classify(person('Subject: Hello').replace('Return-Path: <anna@customer.example>', 'Return-Path: <>'))).toEqual({
      kind: 'normal',
    })
  })

  it('a forwarded message attached as message/rfc822 is not a bounce', async () => {
    const result = await classify(`
From: Anna <anna@customer.example>
To: support@helpdesk.example
Subject: Fwd: original
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="x"

--x
Content-Type: text/plain

See the attached message.

--x
Content-Type: message/rfc822
Content-Disposition: attachment; filename=original.eml

From: Someone <someone@example.org>
Subject: original
Message-ID: <o@example.org>

something
--x--
`)
    expect(result).toEqual({ kind: 'normal' })
  })
})

describe('classifyMessage: automatic replies', () => {
  it.each([
    ['Auto-Submitted: auto-replied', 'auto-submitted: auto-replied'],
    ['Auto-Submitted: auto-generated (vacation)', 'auto-submitted: auto-generated'],
    ['X-Autoreply: yes', 'x-autoreply'],
    ['X-Autorespond: Out of office', 'x-autorespond'],
    ['X-Autoresponder: 1', 'x-autoresponder'],
    ['Precedence: bulk', 'precedence: bulk'],
    ['Precedence: junk', 'precedence: junk'],
    ['Precedence: list', 'precedence: list'],
    ['X-Precedence: bulk', 'x-precedence: bulk'],
    ['Precedence: list\nList-Id: Users <users.lists.example>', 'list'],
    ['Precedence: bulk\nList-Unsubscribe: <mailto:leave@lists.example>', 'list'],
    ['X-MS-Exchange-Inbox-Rules-Loop: anna@customer.example', 'x-ms-exchange-inbox-rules-loop'],
  ])('%s → %s', async (headers, reason) => {
    expect(await classify(person(`Subject: Your request\n${headers}`))).toEqual({ kind: 'auto_reply', reason })
  })

  it.each([
    ['Out of Office: Your request', 'out of office'],
    ['RE: Out of office', 'out of office'],
    ['Automatic reply: [#HD-12] Printer', 'automatic reply'],
    ['AW: Abwesenheitsnotiz: Ihre Anfrage', 'abwesenheitsnotiz'],
    ['Automatische Antwort: Ihre Anfrage', 'automatische antwort'],
    ['Réponse automatique : Votre demande', 'reponse automatique'],
    ['Respuesta automática: Hola', 'respuesta automatica'],
    ['Risposta automatica: ciao', 'risposta automatica'],
    ['Automatisch antwoord: vraag', 'automatisch antwoord'],
    ['Auto: Re: ticket', 'auto:'],
    ['Autoreply: Ticket', 'autoreply'],
    ['Auto-Reply: Ticket', 'auto-reply'],
    ['Auto Response: Ticket', 'auto response'],
    ['Absence: back on Monday', 'absence'],
    ['Vacation', 'vacation'],
    ['Vacation reply: Re: invoice', 'vacation'],
    ['I am out of the office until 3 May', 'i am out of the office'],
    ['Out of the office', 'out of the office'],
  ])('subject %j → auto_reply', async (subject, name) => {
    expect(await classify(person(`Subject: ${subject}`))).toEqual({ kind: 'auto_reply', reason: `subject: ${name}` })
  })

  it('reads encoded-word subjects', async () => {
    const result = await classify(person('Subject: =?UTF-8?Q?R=C3=A9ponse_automatique_:_Votre_demande?='))
    expect(result).toEqual({ kind: 'auto_reply', reason: 'subject: reponse automatique' })
  })

  it('a read receipt (disposition-notification report) is automatic', async () => {
    const result = await classify(`
From: Anna <anna@customer.example>
To: support@helpdesk.example
Subject: Read: Your request
MIME-Version: 1.0
Content-Type: multipart/report; report-type=disposition-notification; boundary="r"

--r
Content-Type: text/plain

Your message was read.
--r
Content-Type: message/disposition-notification

Final-Recipient: rfc822; anna@customer.example
Disposition: manual-action/MDN-sent-manually; displayed
--r--
`)
    expect(result).toEqual({ kind: 'auto_reply', reason: 'report: disposition-notification' })
  })

  it.each([
    ['Auto-Submitted: no', 'explicitly not automatic'],
    ['X-Auto-Response-Suppress: All', 'a request not to auto-reply, not an auto-reply'],
    ['List-Id: Users <users.lists.example>\nList-Unsubscribe: <mailto:leave@lists.example>', 'a list header alone'],
    ['Precedence: first-class', 'another precedence'],
    ['X-Loop: support@helpdesk.example', 'a loop header alone'],
  ])('near miss: %s is normal (%s)', async (headers) => {
    expect(await classify(person(`Subject: Your request\n${headers}`))).toEqual({ kind: 'normal' })
  })

  it.each([
    'Question about your office hours',
    'Re: Our office moved to a new address',
    'Out-of-the-box setup fails',
    'Vacation rental booking problem',
    'Absence of invoice in my account',
    'Re: Automatic renewal of my plan',
    'Autopay failed',
    'Reply to your auto-reply please',
  ])('near miss: subject %j is normal', async (subject) => {
    expect(await classify(person(`Subject: ${subject}`))).toEqual({ kind: 'normal' })
  })

  it('a plain message from a person is normal', async () => {
    expect(await classify(person('Subject: Re: [#HD-12] Printer\nIn-Reply-To: <reply-42@helpdesk.example>'))).toEqual({ kind: 'normal' })
  })
})

// ---------------------------------------------------------------------------------------------
// Real-world corpus

const CORPUS = path.resolve(process.cwd(), '../shared/testdata/mail')
const HAS_CORPUS = fs.existsSync(path.join(CORPUS, 'MANIFEST.tsv'))

interface Row {
  file: string
  tags: Set<string>
  result: Classification
}

/**
 * Which corpus files are bounces and automatic replies. The manifest's tags describe features
 * (`dsn`, `auto-submitted`, `ooo-subject`, `x-autoreply-hdr`, `precedence-*`, `list`) rather than
 * a verdict, and plain-text bounces carry none of them, so the bounce sets of sisimai
 * (`lhost-*`, `rhost-*`, `rfc3464-*`) and flanker (`bounce/`) are recognised by path too. A
 * `bounce` or `auto-reply` tag, should the manifest gain one, counts as well.
 */
const BOUNCE_PATH = /^sisimai\+set-of-emails\/maildir\/bsd\/(?:lhost|rhost|rfc3464)-|^mailgun\+flanker\/tests\/fixtures\/messages\/bounce\//
const SISIMAI_OR_FLANKER_BOUNCE = BOUNCE_PATH
const AUTO_REPLY_PATH = /^sisimai\+set-of-emails\/maildir\/bsd\/rfc3834-/
const AUTO_REPLY_TAGS = ['auto-reply', 'auto-submitted', 'ooo-subject', 'x-autoreply-hdr']
/** Mailing-list traffic: auto_reply when Precedence says list/bulk, otherwise normal. */
const LIST_TAGS = ['precedence-list', 'precedence-bulk', 'list']

const expectsBounce = (r: Row) => r.tags.has('bounce') || r.tags.has('dsn') || BOUNCE_PATH.test(r.file)
const expectsAutoReply = (r: Row) => AUTO_REPLY_TAGS.some((t) => r.tags.has(t)) || AUTO_REPLY_PATH.test(r.file)
const isList = (r: Row) => LIST_TAGS.some((t) => r.tags.has(t))

/** Bounces in the corpus that cannot be recognised, with the reason. None so far. */
const UNDETECTABLE_BOUNCES: Record<string, string> = {}
/** Files expected to be normal that are (rightly) classified otherwise, with the reason. None so far. */
const NOT_NORMAL: Record<string, string> = {}

/**
 * Bounces (sisimai, flanker) whose returned message carries no Message-ID at all: only headers
 * without one, a transcript, or no copy of the message. Null is the right answer for these.
 */
const WITHOUT_ORIGINAL_ID = new Set([
  'mailgun+flanker/tests/fixtures/messages/bounce/broken-mime.eml',
  'mailgun+flanker/tests/fixtures/messages/bounce/delayed-broken.eml',
  'mailgun+flanker/tests/fixtures/messages/bounce/delayed.eml',
  'mailgun+flanker/tests/fixtures/messages/bounce/gmail-no-dns.eml',
  'sisimai+set-of-emails/maildir/bsd/lhost-exchange2003-01.eml',
  'sisimai+set-of-emails/maildir/bsd/lhost-exchange2007-01.eml',
  'sisimai+set-of-emails/maildir/bsd/lhost-opensmtpd-01.eml',
  'sisimai+set-of-emails/maildir/bsd/lhost-postfix-02.eml',
  'sisimai+set-of-emails/maildir/bsd/lhost-v5sendmail-01.eml',
])

describe.skipIf(!HAS_CORPUS && process.env.CI !== 'true')('classifyMessage: real-world corpus', () => {
  const rows: Row[] = []
  const failures: string[] = []

  beforeAll(async () => {
    if (!HAS_CORPUS) return
    const manifest = fs.readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').split(/\r?\n/).slice(1).filter((l) => l.trim())
    for (const line of manifest) {
      const cols = line.split('\t')
      const file = cols[0]!.trim()
      const tags = new Set((cols[6] ?? '').trim().split(/\s+/).filter(Boolean))
      try {
        const raw = fs.readFileSync(path.join(CORPUS, file))
        rows.push({ file, tags, result: classifyMessage(await simpleParser(raw), raw) })
      } catch (err) {
        failures.push(`${file}: ${String(err)}`)
      }
    }
  }, 120_000)

  const byFile = (file: string) => rows.find((r) => r.file === file)?.result

  it('is present (set CI=true to require it)', () => {
    expect(HAS_CORPUS, `corpus missing at ${CORPUS}`).toBe(true)
  })

  it('parses and classifies every file without throwing', () => {
    expect(failures).toEqual([])
    expect(rows.length).toBe(143)
  })

  it('classifies every bounce as a bounce', () => {
    const expected = rows.filter(expectsBounce)
    expect(expected.length).toBe(33)
    const missed = expected.filter((r) => r.result.kind !== 'bounce' && !(r.file in UNDETECTABLE_BOUNCES)).map((r) => `${r.file}: ${JSON.stringify(r.result)}`)
    expect(missed).toEqual([])
  })

  it('classifies every auto-reply as auto_reply or bounce', () => {
    const expected = rows.filter(expectsAutoReply)
    expect(expected.length).toBeGreaterThanOrEqual(15)
    const missed = expected.filter((r) => r.result.kind === 'normal').map((r) => r.file)
    expect(missed).toEqual([])
    // The two RFC 3834 samples are true auto-replies, not bounces.
    expect(rows.filter((r) => AUTO_REPLY_PATH.test(r.file)).map((r) => r.result.kind)).toEqual(['auto_reply', 'auto_reply'])
  })

  it('classifies mailing-list traffic by Precedence, not by List-* headers alone', () => {
    const lists = rows.filter((r) => isList(r) && !expectsBounce(r) && !expectsAutoReply(r))
    for (const r of lists) {
      const precedence = r.tags.has('precedence-list') || r.tags.has('precedence-bulk')
      expect(r.result.kind, r.file).toBe(precedence ? 'auto_reply' : 'normal')
    }
    expect(lists.filter((r) => r.result.kind === 'normal').map((r) => r.file)).toEqual([
      'mikel+mail/spec/fixtures/emails/error_emails/empty_in_reply_to.eml',
    ])
  })

  it('classifies everything else as normal', () => {
    const others = rows.filter((r) => !expectsBounce(r) && !expectsAutoReply(r) && !isList(r))
    expect(others.length).toBeGreaterThanOrEqual(80)
    const wrong = others.filter((r) => r.result.kind !== 'normal' && !(r.file in NOT_NORMAL)).map((r) => `${r.file}: ${JSON.stringify(r.result)}`)
    expect(wrong).toEqual([])
  })

  it('finds the original Message-ID and the recipients of most sisimai and flanker bounces', () => {
    const bounces = rows.filter((r) => SISIMAI_OR_FLANKER_BOUNCE.test(r.file))
    expect(bounces.length).toBe(29)
    const results = bounces.map((r) => ({ file: r.file, result: r.result }))
    const withId = results.filter(({ result }) => result.kind === 'bounce' && result.original_message_id)
    const withRecipients = results.filter(({ result }) => result.kind === 'bounce' && result.recipients.length > 0)
    expect(withId.length).toBeGreaterThanOrEqual(20)
    expect(withRecipients.length).toBe(29)
    const unexpectedNull = results.filter(({ file, result }) => result.kind === 'bounce' && !result.original_message_id && !WITHOUT_ORIGINAL_ID.has(file))
    expect(unexpectedNull.map((r) => r.file)).toEqual([])
  })

  it('extracts the right details from well-known bounces', () => {
    expect(byFile('sisimai+set-of-emails/maildir/bsd/lhost-gmail-01.eml')).toEqual({
      kind: 'bounce',
      reason: 'mailer-daemon',
      original_message_id: 'D992C2C3-F175-4C4D-97E2-53A90E4E5BF5@gmail.com',
      recipients: ['userunknown@example.jp'],
      permanent: true,
    })
    expect(byFile('sisimai+set-of-emails/maildir/bsd/lhost-postfix-02.eml')).toMatchObject({
      kind: 'bounce',
      reason: 'dsn',
      recipients: ['filtered@example.co.jp', 'userunknown@example.co.jp'],
      permanent: true,
    })
    // The report lies in a multipart/report without MIME boundaries: read from the raw body.
    expect(byFile('sisimai+set-of-emails/maildir/bsd/rfc3464-04.eml')).toMatchObject({
      kind: 'bounce',
      original_message_id: '00000000000.000000@mx4.example.co.jp',
      recipients: ['kijitora@mailx-53.neko.example.edu'],
    })
    expect(byFile('sisimai+set-of-emails/maildir/bsd/lhost-messagingserver-01.eml')).toMatchObject({
      original_message_id: 'CD8C6134-C312-41D5-B083-366F7FA1D752@me.example.com',
      recipients: ['kijitora@example.jp'],
    })
    expect(byFile('mailgun+flanker/tests/fixtures/messages/bounce/no-mx.eml')).toMatchObject({
      original_message_id: '19E44CA63F984902B7D654F8FF40F89D@bo',
      recipients: ['user@example.com'],
      permanent: false,
    })
    expect(byFile('mikel+mail/spec/fixtures/emails/multipart_report_emails/report_422.eml')).toMatchObject({ kind: 'bounce', permanent: false })
    expect(byFile('mikel+mail/spec/fixtures/emails/multipart_report_emails/multi_address_bounce1.eml')).toMatchObject({
      recipients: expect.arrayContaining(['egyfefsdvsfvvhjsd@gmail.com']) as unknown,
    })
    // A message that forwards an earlier one as an attachment is not a bounce.
    expect(byFile('sisimai+set-of-emails/maildir/not/is-not-bounce-02.eml')).toEqual({ kind: 'normal' })
  })
})
