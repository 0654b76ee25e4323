import { sniffImage } from '../../platform/files.js'

const OOXML: Array<[entry: string, type: string]> = [
  ['word/', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['xl/', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['ppt/', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
]

const OPEN_DOCUMENT = new Set([
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
])

/** How much of a file the text heuristics look at. */
const TEXT_SAMPLE = 64 * 1024

/**
 * A ZIP archive's type: Office Open XML documents name `[Content_Types].xml` and a `word/`,
 * `xl/` or `ppt/` part; OpenDocument files start with a stored `mimetype` entry whose content
 * is the type. Entry names are looked for in the local headers and the central directory, which
 * ZIP keeps uncompressed.
 */
function zipType(data: Buffer): string {
  if (data.length >= 30 + 8 && data.toString('latin1', 30, 38) === 'mimetype') {
    const nameLength = data.readUInt16LE(26)
    const extraLength = data.readUInt16LE(28)
    const size = data.readUInt32LE(18)
    const start = 30 + nameLength + extraLength
    const declared = data.toString('latin1', start, Math.min(start + size, start + 100, data.length))
    if (OPEN_DOCUMENT.has(declared)) return declared
  }
  if (data.includes('[Content_Types].xml', 0, 'latin1')) {
    for (const [entry, type] of OOXML) if (data.includes(Buffer.from(entry, 'latin1'))) return type
  }
  return 'application/zip'
}

/** Whether the bytes read as UTF-8 text: no NUL, hardly any control characters, valid encoding. */
function looksLikeText(sample: Buffer, complete: boolean): boolean {
  if (sample.includes(0)) return false
  let controls = 0
  for (const byte of sample) {
    // tab, line feed, form feed, carriage return and escape appear in real text files
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b) controls++
    else if (byte === 0x7f) controls++
  }
  if (controls > sample.length / 100) return false
  // A sample cut from a longer file may end inside a multi-byte character: drop up to 3 bytes.
  for (let cut = 0; cut <= (complete ? 0 : 3); cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, sample.length - cut))
      return true
    } catch {
      // try a shorter sample
    }
  }
  return false
}

/** Markup a browser would render or run: served only as a download. */
function markupType(text: string): string | null {
  const head = text.replace(/^\uFEFF/, '').trimStart().slice(0, 1024).toLowerCase()
  if (head.includes('<svg')) return 'image/svg+xml'
  if (head.startsWith('<!doctype html') || /<(html|head|body|script|iframe|meta|object|embed)[\s/>]/.test(head)) return 'text/html'
  if (head.startsWith('<?xml')) return 'application/xml'
  return null
}

function extension(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : ''
}

/**
 * The content type of an uploaded file, read from its bytes — never from what the client
 * declared. The name's extension only chooses between types the bytes already allow (a text file
 * named `.csv` is `text/csv`). Images (PNG, JPEG, WebP, GIF), PDF, ZIP and the Office/OpenDocument
 * formats built on it, and UTF-8 text are recognised; HTML, SVG and XML are reported as such so
 * the download route can refuse to render them; anything else is `application/octet-stream`.
 */
export function sniffContentType(data: Buffer, declaredName: string): string {
  const image = sniffImage(data)
  if (image) return image
  if (data.length >= 5 && data.toString('latin1', 0, 5) === '%PDF-') return 'application/pdf'
  if (data.length >= 4 && data.readUInt32BE(0) === 0x504b0304) return zipType(data)
  if (data.length === 0) return 'application/octet-stream'
  const sample = data.subarray(0, TEXT_SAMPLE)
  if (!looksLikeText(sample, sample.length === data.length)) return 'application/octet-stream'
  const markup = markupType(sample.toString('utf8'))
  if (markup) return markup
  return extension(declaredName) === 'csv' ? 'text/csv' : 'text/plain'
}

/** Types shown in the browser (with their own content type, `inline`). */
const INLINE = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'application/pdf', 'text/plain'])
/** Types sent with their own content type but only as a download. */
const DOWNLOAD = new Set(['text/csv', 'application/zip', ...OOXML.map(([, type]) => type), ...OPEN_DOCUMENT])

/**
 * How a stored attachment is served: types on the allowlists keep their type (text with an
 * explicit UTF-8 charset); everything else — HTML, SVG, XML, unknown bytes — goes out as
 * `application/octet-stream`, always as a download.
 */
export function servedAs(storedType: string): { contentType: string; disposition: 'inline' | 'attachment' } {
  const charset = storedType.startsWith('text/') ? '; charset=utf-8' : ''
  if (INLINE.has(storedType)) return { contentType: `${storedType}${charset}`, disposition: 'inline' }
  if (DOWNLOAD.has(storedType)) return { contentType: `${storedType}${charset}`, disposition: 'attachment' }
  return { contentType: 'application/octet-stream', disposition: 'attachment' }
}

// Control characters (C0, DEL, C1) and the invisible marks that reverse how a name reads.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/**
 * A filename safe to store and to put in a header: the last path segment only (no `/` or `\`),
 * without control or text-direction characters, trimmed, at most 255 characters (the extension
 * kept when cut), and `attachment` when nothing is left.
 */
export function sanitizeFilename(raw: string | undefined): string {
  const base = (raw ?? '').normalize('NFC').split(/[/\\]/).pop() ?? ''
  let name = base.replace(UNSAFE_CHARACTERS, '').replace(/\s+/g, ' ').trim()
  if (name === '.' || name === '..') name = ''
  if (!name) return 'attachment'
  const chars = [...name]
  if (chars.length <= 255) return name
  const ext = extension(name)
  const keep = ext && ext.length <= 20 ? `.${ext}` : ''
  return chars.slice(0, 255 - [...keep].length).join('').trimEnd() + keep
}

/** `content-disposition` with an ASCII fallback name and the exact one in RFC 5987 form. */
export function contentDisposition(disposition: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '_').replace(/["\\;]/g, '_')
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`
}
