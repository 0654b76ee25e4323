import fs from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { simpleParser } from 'mailparser'
import { describe, expect, it } from 'vitest'
import { sanitizeRichText } from '../../platform/html.js'
import { trimHtmlReply, trimTextReply } from './trim.js'

/** Visible text of HTML, whitespace collapsed: enough to assert what a reader would see. */
function visible(html: string): string {
  return html
    .replace(/<(style|script)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim()
}

const lines = (text: string) => text.split(/\r\n|\r|\n/)

describe('trimTextReply', () => {
  it.each([
    [
      'Gmail (English)',
      'Thanks, that fixed it!\n\nOn Mon, Apr 2, 2012 at 6:26 PM, Megan One <megan@example.com> wrote:\n\n> Hi\n> Did you try restarting?\n',
      'Thanks, that fixed it!',
    ],
    [
      'Gmail, attribution wrapped over two lines',
      'Sure, go ahead.\n\nOn Tue, Apr 2, 2024 at 10:00 AM Support Team <support@helpdesk.example>\nwrote:\n\n> Hello\n',
      'Sure, go ahead.',
    ],
    [
      'Outlook "-----Original Message-----"',
      'Works now.\n\nBest regards\nJohn\n\n-----Original Message-----\nFrom: Support <support@helpdesk.example>\nSent: Tuesday, April 2, 2024 10:00 AM\nTo: John <john@customer.example>\nSubject: RE: printer\n\nHello John,\nplease restart it.\n',
      'Works now.\n\nBest regards\nJohn',
    ],
    [
      'Outlook web, underscore rule and German header (de)',
      'Danke, jetzt geht es.\n\n________________________________\nVon: Support <support@helpdesk.example>\nGesendet: Dienstag, 2. April 2024 10:00\nAn: Hans Muster <hans@kunde.example>\nBetreff: Drucker\n\nHallo Hans,\nbitte neu starten.\n',
      'Danke, jetzt geht es.',
    ],
    [
      'Outlook desktop From/Sent block without a separator',
      'Ok, thanks.\n\nFrom: Support <support@helpdesk.example>\nSent: Tuesday, April 2, 2024 10:00 AM\nTo: John\nSubject: Re: Invoice\n\nHello John\n',
      'Ok, thanks.',
    ],
    [
      'Outlook (fr) header block',
      'Merci beaucoup.\n\nDe : Support <support@helpdesk.example>\nEnvoyé : mardi 2 avril 2024 10:00\nÀ : Jean <jean@client.example>\nObjet : Imprimante\n\nBonjour Jean\n',
      'Merci beaucoup.',
    ],
    [
      'Apple Mail / iPhone (de), attribution inside the quote',
      'Danke, erledigt.\n\n> Am 02.04.2024 um 10:00 schrieb Support <support@helpdesk.example>:\n> \n> Hallo Hans\n',
      'Danke, erledigt.',
    ],
    [
      'Thunderbird (de)',
      'Passt so.\n\nAm 02.04.24 um 10:00 schrieb Support:\n> Hallo Hans,\n> bitte neu starten.\n',
      'Passt so.',
    ],
    [
      'Gmail (fr)',
      'Merci !\n\nLe mar. 2 avr. 2024 à 10:00, Support <support@helpdesk.example> a écrit :\n\n> Bonjour\n',
      'Merci !',
    ],
    [
      'Gmail (es)',
      'Gracias.\n\nEl mar, 2 abr 2024 a las 10:00, Support (<support@helpdesk.example>) escribió:\n> Hola\n',
      'Gracias.',
    ],
    [
      'Yahoo "----- Original Message -----"',
      'Hello\n\n\n----- Original Message -----\nFrom: "bob@example.com" <bob@example.com>\nSent: Monday, April 2, 2012 5:44 PM\nSubject: Test\n\nHi\n',
      'Hello',
    ],
    [
      'quote without a header, running to the end, then a signature',
      'Yes, that is right.\n\n> Is the invoice correct?\n> Thanks\n\n-- \nJohn Smith\nACME Corp\n',
      'Yes, that is right.',
    ],
    [
      '"Name wrote:" before a trailing quote',
      'Agreed.\n\nSupport Team wrote:\n> We will call you.\n',
      'Agreed.',
    ],
    [
      'signature after "-- "',
      'Hello,\nthe printer is broken again.\n\n-- \nJohn Smith\nACME Corp | +1 555 0100\n',
      'Hello,\nthe printer is broken again.',
    ],
    [
      'signature after "--" and a quote below it',
      'See attached.\n--\nJohn\n\nOn 2 Apr 2024, at 10:00, Support <support@helpdesk.example> wrote:\n> Please send the logs\n',
      'See attached.',
    ],
    [
      '"Sent from my iPhone" and an iPhone quote',
      'Yes please\n\nSent from my iPhone\n\n> On 2 Apr 2024, at 10:00, Support <support@helpdesk.example> wrote:\n>\n> Shall we call you?\n',
      'Yes please',
    ],
    [
      '"Von meinem iPhone gesendet" without a quote',
      'Bitte zurückrufen.\n\nVon meinem iPhone gesendet\n',
      'Bitte zurückrufen.',
    ],
  ])('%s', (_name, input, expected) => {
    expect(trimTextReply(input)).toEqual({ text: expected, trimmed: true })
  })

  it('keeps CRLF line ends', () => {
    const input = 'Thanks!\r\nBye\r\n\r\nOn Mon, Apr 2, 2012 at 6:26 PM, Megan <m@example.com> wrote:\r\n> Hi\r\n'
    expect(trimTextReply(input)).toEqual({ text: 'Thanks!\r\nBye', trimmed: true })
  })

  it('leaves a message without quote or signature alone', () => {
    const input = 'Hello,\n\nmy printer does not print.\nOn Monday it still worked.\n'
    expect(trimTextReply(input)).toEqual({ text: input, trimmed: false })
  })

  it('keeps a forwarded message below a note: it is new to the helpdesk', () => {
    const input = 'Can you help with this?\n\n---------- Forwarded message ---------\nFrom: Bob <bob@example.com>\nDate: Tue, Apr 2, 2024\nSubject: Invoice\nTo: anna@customer.example\n\nPlease pay.\n'
    expect(trimTextReply(input)).toEqual({ text: input, trimmed: false })
  })

  it('leaves inline replies alone (quotes with answers after them)', () => {
    const input = '> Can you send the logs?\nAttached.\n\n> And the version?\n3.2.1\n'
    expect(trimTextReply(input)).toEqual({ text: input, trimmed: false })
  })

  it('near misses: "On Monday … wrote:" without date or address, a dashed line that is not "--"', () => {
    const input = 'On Monday my colleague wrote:\nthe server is down again.\n---\nplease check\n'
    expect(trimTextReply(input)).toEqual({ text: input, trimmed: false })
  })

  it.each([
    ['only a forward', '---------- Forwarded message ---------\nFrom: Bob <bob@example.com>\nDate: Tue, Apr 2, 2024\nSubject: Invoice\nTo: support@helpdesk.example\n\nPlease pay.\n'],
    ['only quoted text', '> Hello\n> how are you?\n'],
    ['a bottom-posted reply (attribution first)', 'On Mon, Apr 2, 2012 at 6:26 PM, Megan <m@example.com> wrote:\n> Hi\n\nHello back\n'],
    ['only a signature', '-- \nJohn Smith\n'],
  ])('never returns an empty text: %s stays as it is', (_name, input) => {
    expect(trimTextReply(input)).toEqual({ text: input, trimmed: false })
  })

  it('blank input stays as it is', () => {
    expect(trimTextReply('')).toEqual({ text: '', trimmed: false })
    expect(trimTextReply(' \n\n')).toEqual({ text: ' \n\n', trimmed: false })
  })

  it('property: non-blank input gives non-blank output made of input lines, in order', () => {
    const interesting = fc.constantFrom(
      '', ' ', '> quoted', '>', '> > deeper', '-- ', '--', 'Sent from my iPhone', 'On Mon, Apr 2, 2012 at 6:26 PM, Megan <m@example.com> wrote:',
      'On Tue, Apr 2, 2024 at 10:00 AM Support', 'wrote:', '-----Original Message-----', '________________________________', 'From: Bob <bob@example.com>',
      'Sent: Monday, April 2, 2012', 'To: Alice', 'Subject: Hi', 'Am 02.04.2024 um 10:00 schrieb Support:', 'Hello', 'Thanks, John',
    )
    const text = fc
      .tuple(fc.array(fc.oneof(interesting, fc.string({ maxLength: 20 })), { maxLength: 25 }), fc.constantFrom('\n', '\r\n'))
      .map(([ls, eol]) => ls.join(eol))
    fc.assert(
      fc.property(text, (input) => {
        const { text: output, trimmed } = trimTextReply(input)
        if (input.trim()) expect(output.trim()).not.toBe('')
        if (!trimmed) expect(output).toBe(input)
        const source = lines(input)
        let at = 0
        for (const line of lines(output)) {
          const found = source.indexOf(line, at)
          expect(found, `line ${JSON.stringify(line)} of the output is not in the input (after line ${at})`).toBeGreaterThanOrEqual(0)
          at = found + 1
        }
      }),
      { numRuns: 2000 },
    )
  })
})

const GMAIL_HTML = `<div dir="ltr">Thanks, that fixed it!<div><br></div><div>Anna</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Tue, Apr 2, 2024 at 10:00 AM Support &lt;<a href="mailto:support@helpdesk.example">support@helpdesk.example</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex"><div dir="ltr">Hello Anna,<div>please restart the printer.</div></div></blockquote></div>`

const GMAIL_SIGNATURE_HTML = `<div dir="ltr"><div>Danke!</div><div><br></div>-- <br><div dir="ltr" class="gmail_signature" data-smartmail="gmail_signature">Hans Muster<br>Muster AG</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">Am Di., 2. Apr. 2024 um 10:00 Uhr schrieb Support &lt;<a href="mailto:support@helpdesk.example">support@helpdesk.example</a>&gt;:<br></div><blockquote class="gmail_quote">Hallo Hans</blockquote></div>`

const OUTLOOK_WEB_HTML = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style></head><body dir="ltr"><div style="font-family: Calibri, Arial, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">It works again, thank you.</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000"><b>From:</b> Support &lt;support@helpdesk.example&gt;<br><b>Sent:</b> Tuesday, April 2, 2024 10:00 AM<br><b>To:</b> John Smith &lt;john@customer.example&gt;<br><b>Subject:</b> Re: [#HD-12] Printer</font><div>&nbsp;</div></div><div><div dir="ltr">Hello John, please restart it.</div></div></body></html>`

const OUTLOOK_DESKTOP_HTML = `<div class="WordSection1"><p class="MsoNormal">Merci, c'est réglé.<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p><div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>De&nbsp;:</b> Support &lt;support@helpdesk.example&gt; <br><b>Envoyé&nbsp;:</b> mardi 2 avril 2024 10:00<br><b>À&nbsp;:</b> Jean &lt;jean@client.example&gt;<br><b>Objet&nbsp;:</b> Imprimante<o:p></o:p></p></div></div><p class="MsoNormal">Bonjour Jean,<o:p></o:p></p></div>`

const APPLE_MAIL_HTML = `<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body style="overflow-wrap: break-word;"><div>Sounds good, see you Monday.</div><div><br></div><div><br><blockquote type="cite"><div>On 2. Apr 2024, at 10:00, Support &lt;support@helpdesk.example&gt; wrote:</div><br class="Apple-interchange-newline"><div><div>Shall we meet on Monday?</div></div></blockquote></div><br></body></html>`

const THUNDERBIRD_HTML = `<html><head></head><body><p>Das passt, danke.</p><div class="moz-signature">-- <br>Hans Muster</div><div class="moz-cite-prefix">Am 02.04.24 um 10:00 schrieb Support:<br></div><blockquote type="cite" cite="mid:reply-42@helpdesk.example"><p>Hallo Hans,</p><p>bitte neu starten.</p></blockquote></body></html>`

const FRENCH_GMAIL_HTML = `<div dir="ltr">Merci pour votre aide.</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">Le mar. 2 avr. 2024 à 10:00, Support &lt;<a href="mailto:support@helpdesk.example">support@helpdesk.example</a>&gt; a écrit&nbsp;:<br></div><blockquote class="gmail_quote">Bonjour</blockquote></div>`

describe('trimHtmlReply', () => {
  it.each([
    ['Gmail (en)', GMAIL_HTML, 'Thanks, that fixed it! Anna', 'wrote:'],
    ['Gmail with signature (de)', GMAIL_SIGNATURE_HTML, 'Danke!', 'schrieb'],
    ['Outlook web', OUTLOOK_WEB_HTML, 'It works again, thank you.', 'From:'],
    ['Outlook desktop (fr)', OUTLOOK_DESKTOP_HTML, "Merci, c'est réglé.", 'De :'],
    ['Apple Mail', APPLE_MAIL_HTML, 'Sounds good, see you Monday.', 'wrote:'],
    ['Thunderbird (de) with signature', THUNDERBIRD_HTML, 'Das passt, danke.', 'schrieb'],
    ['Gmail (fr)', FRENCH_GMAIL_HTML, 'Merci pour votre aide.', 'a écrit'],
  ])('%s, as received and after sanitising', (_name, html, expected, header) => {
    for (const input of [html, sanitizeRichText(html)]) {
      const result = trimHtmlReply(input)
      expect(result.trimmed).toBe(true)
      expect(visible(result.html)).toBe(expected)
      expect(result.html).not.toContain(header)
    }
  })

  it('returns a prefix of the input with the open elements closed', () => {
    const result = trimHtmlReply('<div><p>Hi <b>there</b></p><div>On Tue, Apr 2, 2024 at 10:00 AM Bob &lt;bob@example.com&gt; wrote:<blockquote>old</blockquote></div></div>')
    expect(result).toEqual({ html: '<div><p>Hi <b>there</b></p></div>', trimmed: true })
  })

  it('drops ">" lines that run to the end (Hotmail)', () => {
    const result = trimHtmlReply('<div>Hello<br><br><div>&gt; Subject: Test<br>&gt; From: bob@example.com<br>&gt; <br>&gt; Hi<br></div></div>')
    expect(result).toEqual({ html: '<div>Hello</div>', trimmed: true })
  })

  it.each([
    ['Gmail', '<div dir="ltr">Can you help with this?<br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <b>Bob</b> &lt;bob@example.com&gt;<br>Date: Tue, Apr 2, 2024<br>Subject: Invoice<br></div><br>Please pay.</div></div>'],
    ['Apple Mail', '<div>Can you help with this?</div><div><br><blockquote type="cite"><div>Begin forwarded message:</div><br><div><b>From: </b>Bob &lt;bob@example.com&gt;</div><div><b>Subject: </b>Invoice</div><br><div>Please pay.</div></blockquote></div>'],
  ])('keeps a forwarded message below a note (%s)', (_name, html) => {
    expect(trimHtmlReply(html)).toEqual({ html, trimmed: false })
  })

  it('keeps a quote that the sender answers below (inline reply)', () => {
    const html = '<div>See below.</div><blockquote type="cite">Can you send the logs?</blockquote><div>Attached.</div>'
    expect(trimHtmlReply(html)).toEqual({ html, trimmed: false })
  })

  it('leaves a message without quote alone', () => {
    const html = '<p>Hello,</p><p>On Monday the printer still worked.</p><blockquote>A quote from the manual.</blockquote>'
    expect(trimHtmlReply(html)).toEqual({ html, trimmed: false })
  })

  it.each([
    ['only a forward', '<div class="gmail_quote">---------- Forwarded message ---------<br>From: Bob &lt;bob@example.com&gt;<br>Date: Tue, Apr 2, 2024<br>Subject: Invoice<br><br>Please pay.</div>'],
    ['only a quote', '<blockquote type="cite"><div>On 2. Apr 2024, at 10:00, Bob wrote:</div><div>Hi</div></blockquote>'],
    ['empty', ''],
  ])('never returns an empty result: %s stays as it is', (_name, html) => {
    expect(trimHtmlReply(html)).toEqual({ html, trimmed: false })
  })

  it('property: the result is a prefix of the input (plus closing tags) and keeps visible text', () => {
    const block = fc.constantFrom(
      '<div>Hello</div>', '<p>Thanks, <b>John</b></p>', '<br>', '<div><br></div>', '<blockquote type="cite">old</blockquote>', '<blockquote>quoted</blockquote>',
      '<div>On Mon, Apr 2, 2012 at 6:26 PM, Megan &lt;m@example.com&gt; wrote:</div>', '<div class="gmail_quote">quote</div>', '&gt; old line<br>',
      '-- <br>', '<div>Sent from my iPhone</div>', '<div id="divRplyFwdMsg"><b>From:</b> Bob</div>', '<hr>', '<div>', '</div>', '<img src="cid:x">',
    )
    fc.assert(
      fc.property(fc.array(block, { maxLength: 12 }), (blocks) => {
        const input = blocks.join('')
        const { html, trimmed } = trimHtmlReply(input)
        if (!trimmed) {
          expect(html).toBe(input)
          return
        }
        expect(visible(html) !== '' || html.includes('<img')).toBe(true)
        expect(input.startsWith(html.replace(/(?:<\/[a-z0-9]+>)+$/, ''))).toBe(true)
      }),
      { numRuns: 1000 },
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Real-world replies (talon's fixtures: Apple Mail, Gmail, Hotmail, Yahoo)

const TALON = path.resolve(process.cwd(), '../shared/testdata/mail/mailgun+talon/tests/fixtures/standard_replies')
const HAS_TALON = fs.existsSync(TALON)

/** The line that introduces the quote in each sample. */
const QUOTE_HEADERS: Record<string, string> = {
  'apple_mail.eml': 'On Apr 3, 2012, at 4:19 PM, bob wrote:',
  'gmail.eml': 'wrote:',
  'hotmail.eml': '> Subject: Test',
  'yahoo.eml': '----- Original Message -----',
}

describe.skipIf(!HAS_TALON && process.env.CI !== 'true')('trimming real replies', () => {
  it('has the samples', () => {
    expect(HAS_TALON, `corpus missing at ${TALON}`).toBe(true)
    expect(fs.readdirSync(TALON).sort()).toEqual(Object.keys(QUOTE_HEADERS).sort())
  })

  it.each(Object.keys(QUOTE_HEADERS))('%s', async (file) => {
    const parsed = await simpleParser(fs.readFileSync(path.join(TALON, file)))
    const header = QUOTE_HEADERS[file]!
    const text = parsed.text ?? ''
    expect(text).toContain(header.replace(/^> /, '> '))

    const trimmed = trimTextReply(text)
    expect(trimmed.trimmed).toBe(true)
    expect(trimmed.text.trim()).not.toBe('')
    expect(trimmed.text.length).toBeLessThan(text.length)
    expect(trimmed.text).not.toContain(header)
    expect(trimmed.text).toBe('Hello')

    if (typeof parsed.html === 'string') {
      for (const html of [parsed.html, sanitizeRichText(parsed.html)]) {
        const result = trimHtmlReply(html)
        expect(result.trimmed).toBe(true)
        expect(visible(result.html)).toBe('Hello')
        expect(result.html.length).toBeLessThan(html.length)
        expect(visible(result.html)).not.toContain(header.replace(/^> /, ''))
      }
    }
  })
})
