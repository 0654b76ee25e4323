/**
 * Reply trimming: the part of an email reply that its sender wrote, without the quoted history
 * and the signature that mail clients append. Agents read conversations as threads, so repeating
 * every earlier message inside each reply only buries the new text.
 *
 * Both functions are conservative: they cut only at recognisable quote headers ("On … wrote:",
 * "-----Original Message-----", Outlook's From/Sent block), at quoted blocks that run to the end
 * of the message, and at signature delimiters; and they never return an empty result for a
 * message that had content (a bare forward stays as it is).
 */

// ---------------------------------------------------------------------------------------------
// Line rules shared by text and HTML

/** Attribution lines ("On <date>, <name> wrote:") in English, German, French, Spanish, Dutch, Italian, Portuguese. */
const ATTRIBUTION: readonly RegExp[] = [
  /^On\s.{4,}\swrote\s*:$/i,
  /^Am\s.{4,}\sschrieb(?:\s.*)?:$/i,
  /^Le\s.{4,}\sa\s+écrit\s*:$/i,
  /^El\s.{4,}\sescribió\s*:$/i,
  /^Op\s.{4,}\sschreef(?:\s.*)?:$/i,
  /^Il\s.{4,}\sha\s+scritto\s*:$/i,
  /^Em\s.{4,}\sescreveu\s*:$/i,
]

/** First words of an attribution that a client may have wrapped over two lines. */
const ATTRIBUTION_START = /^(?:On|Am|Le|El|Op|Il|Em)\s/i

/** "Bob wrote:" without a date: an attribution only when a quote follows it. */
const WEAK_ATTRIBUTION = /(?:\swrote|\sschrieb(?:\s.*)?|\sa\s+écrit|\sescribió|\sha\s+scritto|\sschreef(?:\s.*)?|\sescreveu)\s*:$/i

/** Separator lines of Outlook, Yahoo, Thunderbird and others before the message replied to. */
const ORIGINAL_MESSAGE =
  /^-{2,}\s*(?:original message|original-nachricht|ursprüngliche nachricht|originalnachricht|message d'origine|message original|mensaje original|messaggio originale|oorspronkelijk bericht|mensagem original)\s*-{2,}$/i

/**
 * Separators of an explicitly forwarded message. Not a cut point: what someone forwards to the
 * helpdesk is new to it, unlike the quoted history of a reply.
 */
const FORWARD_MARKER =
  /^(?:-{2,}\s*(?:forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht)\s*-{2,}|begin forwarded message:|anfang der weitergeleiteten nachricht:|début du message réexpédié\s*:?|inizio messaggio inoltrato:)$/i

/** First field of a quoted Outlook header block. */
const FROM_FIELD = /^\*?(?:From|Von|De|Van|Da|Från|Od)\s*:\*?\s*\S/i
const DATE_FIELD = /^\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Fecha|Verzonden|Inviato|Data|Skickat)\s*:/i
const TO_FIELD = /^\*?(?:To|An|À|A|Para|Aan|Till|Cc|Subject|Betreff|Objet|Asunto|Oggetto|Onderwerp|Assunto|Ämne)\s*:/i

/** Footers that mobile and web clients append ("Sent from my iPhone"). */
const MOBILE_FOOTER =
  /^(?:sent from my .{1,40}|sent from (?:outlook|yahoo mail|mail|gmail)\b.{0,40}|get outlook for (?:ios|android).{0,20}|sent via .{1,40}|von meinem .{1,40} gesendet|gesendet von meinem .{1,40}|gesendet (?:von|mit) .{1,30} für .{1,30}|envoyé de mon .{1,40}|envoyé depuis mon .{1,40}|enviado desde mi .{1,40}|inviato da .{1,40}|verzonden (?:vanaf|met) .{1,40}|verstuurd vanaf mijn .{1,40})$/i

/** Longest signature (in lines) that is removed after a "-- " delimiter. */
const MAX_SIGNATURE_LINES = 20

function isBlank(line: string): boolean {
  return line.trim() === ''
}

function isQuoted(line: string): boolean {
  return /^\s*>/.test(line)
}

function isSignatureDelimiter(line: string): boolean {
  return line.replace(/\s+$/, '') === '--'
}

function isAttribution(text: string): boolean {
  const line = text.trim()
  return line.length <= 400 && /\d|@/.test(line) && ATTRIBUTION.some((re) => re.test(line))
}

function isWeakAttribution(text: string): boolean {
  const line = text.trim()
  return line.length <= 400 && WEAK_ATTRIBUTION.test(line)
}

/** Whether a quote header (attribution, separator, Outlook header block) starts at line `i`. */
function isQuoteHeaderAt(lines: readonly string[], i: number): boolean {
  const line = (lines[i] ?? '').trim()
  if (!line) return false
  if (isAttribution(line)) return true
  const next = (lines[i + 1] ?? '').trim()
  if (ATTRIBUTION_START.test(line) && next && !isQuoted(next) && isAttribution(`${line} ${next}`)) return true
  if (ORIGINAL_MESSAGE.test(line)) return true
  if (/^_{10,}$/.test(line)) {
    const following = lines.slice(i + 1, i + 4).map((l) => l.trim()).filter(Boolean)
    return following.length > 0 && FROM_FIELD.test(following[0]!)
  }
  if (FROM_FIELD.test(line)) {
    // The header block of an explicit forward ("---------- Forwarded message ---------") stays.
    let previous = i - 1
    while (previous >= 0 && isBlank(lines[previous]!)) previous--
    if (previous >= 0 && FORWARD_MARKER.test(lines[previous]!.trim())) return false
    if (line.length <= 1000 && /\b(?:Sent|Date|Gesendet|Envoyé|Enviado)\s*:.*\b(?:To|Subject|An|Betreff|À|Objet|Para|Asunto)\s*:/i.test(line)) return true
    const block = lines.slice(i + 1, i + 7).map((l) => l.trim())
    return block.some((l) => DATE_FIELD.test(l)) && block.some((l) => TO_FIELD.test(l))
  }
  return false
}

/** Index of the first quote header line, or -1. */
function firstQuoteHeader(lines: readonly string[]): number {
  for (let i = 0; i < lines.length; i++) if (isQuoteHeaderAt(lines, i)) return i
  return -1
}

/**
 * Start of a block of `>`-quoted lines that runs to the end of the message (after it only blank
 * lines or a signature), including an attribution line right before it; -1 when there is none.
 * Quotes with the sender's text after them (inline replies) are left alone.
 */
function trailingQuoteStart(lines: readonly string[]): number {
  let end = lines.length
  const lastQuoted = findLastIndex(lines, isQuoted)
  if (lastQuoted < 0) return -1
  const signature = findLastIndex(lines, isSignatureDelimiter)
  if (signature > lastQuoted && lines.length - signature <= MAX_SIGNATURE_LINES + 1) end = signature
  let i = end - 1
  while (i >= 0 && isBlank(lines[i]!)) i--
  if (i < 0 || !isQuoted(lines[i]!)) return -1
  let start = i
  while (i >= 0 && (isQuoted(lines[i]!) || isBlank(lines[i]!))) {
    if (isQuoted(lines[i]!)) start = i
    i--
  }
  // An attribution right before the quote ("Bob wrote:", possibly wrapped over two lines).
  let j = start - 1
  while (j >= 0 && isBlank(lines[j]!)) j--
  if (j >= 0) {
    const line = lines[j]!.trim()
    if (isWeakAttribution(line) || isAttribution(line)) return j
    if (j > 0 && isQuoteHeaderAt(lines, j - 1)) return j - 1
  }
  return start
}

/** Where a signature starts in the (already unquoted) lines: the last "-- " delimiter or trailing mobile footers; -1 if none. */
function signatureStart(lines: readonly string[]): number {
  let cut = -1
  const delimiter = findLastIndex(lines, isSignatureDelimiter)
  if (delimiter >= 0 && lines.length - delimiter <= MAX_SIGNATURE_LINES + 1) cut = delimiter
  let end = cut >= 0 ? cut : lines.length
  for (;;) {
    let i = end - 1
    while (i >= 0 && isBlank(lines[i]!)) i--
    if (i < 0 || !MOBILE_FOOTER.test(lines[i]!.trim())) break
    cut = i
    end = i
  }
  return cut
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i
  return -1
}

/** Index where the sender's own text ends (quote header or trailing quote), or `lines.length`. */
function replyEnd(lines: readonly string[]): number {
  const candidates = [firstQuoteHeader(lines), trailingQuoteStart(lines)].filter((i) => i >= 0)
  return candidates.length ? Math.min(...candidates) : lines.length
}

// ---------------------------------------------------------------------------------------------
// Plain text

/**
 * The part of a plain-text email body that the sender wrote, without quoted history and signature.
 *
 * Cuts at the first quote header ("On … wrote:" and its German, French, Spanish, Dutch, Italian and
 * Portuguese forms, "-----Original Message-----", an underscore rule followed by "From:", an
 * Outlook "From:/Sent:/To:" block) or at `>`-quoted lines that run to the end; then drops a
 * signature after a "-- " line and trailing "Sent from my iPhone"-style footers. The result is
 * made of lines of the input, in order. `trimmed` says whether anything was removed; when nothing
 * would remain (a bare forward, a message that is only a quote), the original is returned.
 */
export function trimTextReply(text: string): { text: string; trimmed: boolean } {
  if (isBlank(text)) return { text, trimmed: false }
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const lines = text.split(/\r\n|\r|\n/)

  const end = replyEnd(lines)
  let kept = lines.slice(0, end)
  if (!kept.some((l) => !isBlank(l))) return { text, trimmed: false }
  let trimmed = end < lines.length

  const signature = signatureStart(kept)
  if (signature >= 0 && kept.slice(0, signature).some((l) => !isBlank(l))) {
    kept = kept.slice(0, signature)
    trimmed = true
  }
  if (!trimmed) return { text, trimmed: false }

  let first = 0
  while (first < kept.length && isBlank(kept[first]!)) first++
  let last = kept.length
  while (last > first && isBlank(kept[last - 1]!)) last--
  return { text: kept.slice(first, last).join(eol), trimmed: true }
}

// ---------------------------------------------------------------------------------------------
// HTML

interface Token {
  kind: 'open' | 'close' | 'text' | 'other'
  /** Lower-case tag name for open and close tags. */
  name: string
  attrs: Record<string, string>
  start: number
  end: number
  selfClosing: boolean
}

const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr'])

/** Elements that start a new visual line. */
const BLOCK_ELEMENTS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'center', 'dd', 'div', 'dl', 'dt', 'fieldset', 'figcaption',
  'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'html', 'li', 'main', 'nav', 'ol', 'p', 'pre',
  'section', 'table', 'tbody', 'tfoot', 'thead', 'tr', 'ul',
])

/** Elements whose content is not text (skipped whole). */
const RAW_TEXT_ELEMENTS = new Set(['style', 'script', 'title', 'textarea', 'template'])

const TOKEN = /<!--[\s\S]*?(?:-->|$)|<![^>]*>|<\?[^>]*>|<\/?[A-Za-z][^\s/>]*(?:"[^"]*"|'[^']*'|[^'">])*>|[^<]+|</g
const ATTRIBUTE = /([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g

/** Splits HTML into tags, text and other (comments, doctype, raw-text element bodies). Never throws. */
function tokenize(html: string): Token[] {
  const tokens: Token[] = []
  let lower: string | null = null
  TOKEN.lastIndex = 0
  let m: RegExpExecArray | null
  while ((m = TOKEN.exec(html))) {
    const raw = m[0]
    const start = m.index
    const end = start + raw.length
    const tag = /^<(\/?)([A-Za-z][^\s/>]*)/.exec(raw)
    if (!tag || raw.startsWith('<!') || raw.startsWith('<?')) {
      tokens.push({ kind: raw.startsWith('<!') || raw.startsWith('<?') ? 'other' : 'text', name: '', attrs: {}, start, end, selfClosing: false })
      continue
    }
    const name = tag[2]!.toLowerCase()
    if (tag[1]) {
      tokens.push({ kind: 'close', name, attrs: {}, start, end, selfClosing: false })
      continue
    }
    const attrs: Record<string, string> = {}
    const body = raw.slice(tag[0].length, raw.length - 1)
    for (const a of body.matchAll(ATTRIBUTE)) attrs[a[1]!.toLowerCase()] = a[2] ?? a[3] ?? a[4] ?? ''
    tokens.push({ kind: 'open', name, attrs, start, end, selfClosing: /\/\s*>$/.test(raw) })
    if (RAW_TEXT_ELEMENTS.has(name)) {
      lower ??= html.toLowerCase()
      const close = lower.indexOf(`</${name}`, end)
      const contentEnd = close < 0 ? html.length : close
      if (contentEnd > end) tokens.push({ kind: 'other', name: '', attrs: {}, start: end, end: contentEnd, selfClosing: false })
      TOKEN.lastIndex = contentEnd
    }
  }
  return tokens
}

const NAMED_ENTITIES: Record<string, string> = {
  nbsp: ' ', lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", eacute: 'é', egrave: 'è', ecirc: 'ê', agrave: 'à', acirc: 'â',
  ccedil: 'ç', ocirc: 'ô', ucirc: 'û', ugrave: 'ù', iuml: 'ï', euml: 'ë', auml: 'ä', ouml: 'ö', uuml: 'ü', szlig: 'ß',
  Auml: 'Ä', Ouml: 'Ö', Uuml: 'Ü', Eacute: 'É', aacute: 'á', iacute: 'í', oacute: 'ó', uacute: 'ú', ntilde: 'ñ',
  ndash: '–', mdash: '—', hellip: '…', laquo: '«', raquo: '»',
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10)
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
    }
    return NAMED_ENTITIES[entity] ?? whole
  })
}

/** One visual line of the HTML: its text and the offset where cutting drops it and everything after. */
interface HtmlLine {
  text: string
  start: number
  hasContent: boolean
}

type MarkerKind = 'header' | 'container' | 'signature'

interface Marker {
  kind: MarkerKind
  start: number
  end: number
}

/** Quote and signature markers that survive only in unsanitised HTML (class, id, type attributes). */
function markerKind(token: Token): MarkerKind | null {
  const id = (token.attrs['id'] ?? '').toLowerCase()
  const classes = (token.attrs['class'] ?? '').toLowerCase().split(/\s+/)
  if (['divrplyfwdmsg', 'appendonsend', 'mail-editor-reference-message-container'].includes(id)) return 'header'
  if (token.name === 'hr' && id === 'stopspelling') return 'header'
  if (classes.includes('moz-cite-prefix') || classes.includes('outlookmessageheader')) return 'header'
  if (classes.includes('gmail_quote') || classes.includes('gmail_quote_container') || classes.includes('yahoo_quoted')) return 'container'
  if (token.name === 'blockquote' && (token.attrs['type'] ?? '').toLowerCase() === 'cite') return 'container'
  if (classes.includes('gmail_signature') || classes.includes('moz-signature') || id === 'signature') return 'signature'
  if ((token.attrs['data-smartmail'] ?? '').toLowerCase() === 'gmail_signature') return 'signature'
  return null
}

interface HtmlLayout {
  tokens: Token[]
  lines: HtmlLine[]
  markers: Marker[]
}

/** Walks the tokens once: visual lines with their cut offsets, and attribute-based markers with their extents. */
function layout(html: string): HtmlLayout {
  const tokens = tokenize(html)
  const lines: HtmlLine[] = []
  const markers: Marker[] = []
  const stack: Array<{ name: string; marker: Marker | null }> = []
  let current: HtmlLine = { text: '', start: 0, hasContent: false }

  const finish = (nextStart: number, keepEmpty: boolean) => {
    if (current.hasContent || keepEmpty) {
      lines.push({ ...current, text: current.text.replace(/\s+/g, ' ').trim() })
      current = { text: '', start: nextStart, hasContent: false }
    }
  }

  for (const token of tokens) {
    if (token.kind === 'open') {
      const kind = markerKind(token)
      const isVoid = VOID_ELEMENTS.has(token.name) || token.selfClosing
      if (token.name === 'br') {
        finish(token.end, true)
        continue
      }
      if (BLOCK_ELEMENTS.has(token.name)) finish(token.start, false)
      if (token.name === 'img') {
        current.hasContent = true
        current.text += ' [image] '
      }
      const marker = kind ? { kind, start: token.start, end: isVoid ? token.end : html.length } : null
      if (marker) markers.push(marker)
      if (!isVoid) stack.push({ name: token.name, marker })
    } else if (token.kind === 'close') {
      const at = findLastIndex(stack, (e) => e.name === token.name)
      if (at >= 0) {
        for (const entry of stack.splice(at)) if (entry.marker) entry.marker.end = token.end
      }
      if (BLOCK_ELEMENTS.has(token.name)) finish(token.end, false)
    } else if (token.kind === 'text') {
      const raw = html.slice(token.start, token.end)
      if (stack.some((e) => e.name === 'pre') && raw.includes('\n')) {
        let offset = token.start
        for (const part of raw.split('\n')) {
          if (offset > token.start) finish(offset, true)
          const text = decodeEntities(part)
          current.text += text
          if (text.trim()) current.hasContent = true
          offset += part.length + 1
        }
      } else {
        const text = decodeEntities(raw).replace(/\u00a0/g, ' ')
        current.text += text
        if (text.trim()) current.hasContent = true
      }
    }
  }
  finish(html.length, false)
  return { tokens, lines, markers }
}

/** Text of each line for the shared line rules; lines without content are blank. */
function lineTexts(lines: readonly HtmlLine[]): string[] {
  return lines.map((l) => (l.hasContent ? l.text : ''))
}

/** Tells whether the lines that start at or after an offset are only blank or a signature. */
function tailChecker(lines: readonly HtmlLine[]): (offset: number) => boolean {
  const content = lines.filter((l) => l.hasContent)
  return (offset) => {
    // Line starts are ascending: binary search for the first content line at or after `offset`.
    let lo = 0
    let hi = content.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (content[mid]!.start < offset) lo = mid + 1
      else hi = mid
    }
    const remaining = content.length - lo
    if (remaining === 0) return true
    const first = content[lo]!.text
    return remaining <= MAX_SIGNATURE_LINES + 1 && (isSignatureDelimiter(first) || MOBILE_FOOTER.test(first))
  }
}

/** Whether the content line right before or at `offset` is a forward separator (a Gmail or Apple Mail forward). */
function isForward(lines: readonly HtmlLine[], offset: number): boolean {
  const before = findLastIndex(lines, (l) => l.start < offset && l.hasContent)
  const at = lines.findIndex((l) => l.start >= offset && l.hasContent)
  return [before, at].some((i) => i >= 0 && FORWARD_MARKER.test(lines[i]!.text))
}

/** Offset of the earliest quote: line rules, header markers, and quote containers that run to the end. */
function quoteCut(html: string, { lines, markers }: HtmlLayout): number {
  const texts = lineTexts(lines)
  const offsets: number[] = []
  const header = firstQuoteHeader(texts)
  if (header >= 0) offsets.push(lines[header]!.start)
  const trailing = trailingQuoteStart(texts)
  if (trailing >= 0) offsets.push(lines[trailing]!.start)
  const nothingBut = tailChecker(lines)
  for (const marker of markers) {
    if (marker.kind === 'header') offsets.push(marker.start)
    if (marker.kind === 'container' && nothingBut(marker.end) && !isForward(lines, marker.start)) {
      // Take along an attribution right before the quote ("Bob wrote:").
      const before = findLastIndex(lines, (l) => l.start < marker.start && l.hasContent)
      const attribution = before >= 0 && (isWeakAttribution(lines[before]!.text) || isAttribution(lines[before]!.text))
      offsets.push(attribution ? lines[before]!.start : marker.start)
    }
  }
  return offsets.length ? Math.min(...offsets) : html.length
}

/** Offset of a signature before `cut`: a signature element, a "-- " line, or trailing mobile footers. */
function signatureCut({ lines, markers }: HtmlLayout, cut: number): number {
  const offsets: number[] = []
  for (const marker of markers) if (marker.kind === 'signature' && marker.start < cut) offsets.push(marker.start)
  const before = lines.filter((l) => l.start < cut)
  const signature = signatureStart(lineTexts(before))
  if (signature >= 0) offsets.push(before[signature]!.start)
  return offsets.length ? Math.min(...offsets) : cut
}

/** Whether a token carries nothing visible (whitespace, line breaks, comments, tags). */
function isEmptyToken(html: string, token: Token): boolean {
  if (token.kind === 'text') return decodeEntities(html.slice(token.start, token.end)).replace(/\u00a0/g, ' ').trim() === ''
  if (token.kind === 'open') return token.name !== 'img'
  return true
}

/**
 * HTML up to `cut`, with empty trailing elements and line breaks removed and the elements still
 * open at that point closed again; null when no visible content would remain.
 */
function cutHtml(html: string, tokens: readonly Token[], cut: number): string | null {
  const kept: Token[] = []
  for (const token of tokens) {
    if (token.start >= cut) break
    kept.push(token.end > cut ? { ...token, end: cut } : token)
  }
  // Drop trailing tokens that show nothing: whitespace, <br>, <hr>, comments, empty elements.
  for (;;) {
    const last = kept[kept.length - 1]
    if (!last) break
    if (last.kind === 'text' || last.kind === 'other') {
      if (!isEmptyToken(html, last)) break
      kept.pop()
    } else if (last.kind === 'open') {
      if (last.name === 'img') break
      kept.pop()
    } else {
      let depth = 0
      let open = -1
      for (let i = kept.length - 1; i >= 0; i--) {
        const t = kept[i]!
        if (t.kind === 'close' && t.name === last.name) depth++
        else if (t.kind === 'open' && t.name === last.name && !t.selfClosing && --depth === 0) {
          open = i
          break
        }
      }
      if (open < 0 || !kept.slice(open + 1, -1).every((t) => isEmptyToken(html, t))) break
      kept.length = open
    }
  }
  if (!kept.some((t) => !isEmptyToken(html, t))) return null

  const stack: string[] = []
  for (const token of kept) {
    if (token.kind === 'open' && !VOID_ELEMENTS.has(token.name) && !token.selfClosing && !RAW_TEXT_ELEMENTS.has(token.name)) stack.push(token.name)
    else if (token.kind === 'close') {
      const at = stack.lastIndexOf(token.name)
      if (at >= 0) stack.length = at
    }
  }
  const end = kept[kept.length - 1]!.end
  return html.slice(0, end) + stack.reverse().map((name) => `</${name}>`).join('')
}

/**
 * The part of an (already sanitised) HTML email body that the sender wrote, without quoted history
 * and signature.
 *
 * Drops Gmail's `.gmail_quote`, `blockquote type=cite` (Apple Mail, Thunderbird) and Yahoo quotes
 * when they run to the end, cuts at Outlook's `#divRplyFwdMsg`/`#appendonsend` and Thunderbird's
 * `.moz-cite-prefix`, and, because sanitising strips those attributes, applies the plain-text
 * rules to the visual lines of the HTML as well: the "On <date>, <name> wrote:" line before a
 * quote, "-----Original Message-----", Outlook's From/Sent header block, trailing `>` lines. A
 * signature (`.gmail_signature`, a "-- " line, "Sent from my iPhone") before the quote goes too.
 * Works on tokens and offsets, without a DOM: the result is a prefix of the input with empty
 * trailing elements removed and open elements closed. When nothing visible would remain, the
 * original is returned with `trimmed: false`.
 */
export function trimHtmlReply(html: string): { html: string; trimmed: boolean } {
  if (!html.trim()) return { html, trimmed: false }
  const doc = layout(html)
  const quote = quoteCut(html, doc)
  const signature = signatureCut(doc, quote)
  let result: string | null = null
  if (signature < quote) result = cutHtml(html, doc.tokens, signature)
  if (result === null && quote < html.length) result = cutHtml(html, doc.tokens, quote)
  if (result === null) return { html, trimmed: false }
  return { html: result, trimmed: true }
}
