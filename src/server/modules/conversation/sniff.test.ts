import { describe, expect, it } from 'vitest'
import { contentDisposition, sanitizeFilename, servedAs, sniffContentType } from './sniff.js'

/** A minimal ZIP: one stored local file entry with this name and content. */
function zip(entries: Array<[name: string, content: string]>): Buffer {
  const parts = entries.map(([name, content]) => {
    const header = Buffer.alloc(30)
    header.writeUInt32LE(0x04034b50, 0)
    header.writeUInt32LE(content.length, 18)
    header.writeUInt32LE(content.length, 22)
    header.writeUInt16LE(name.length, 26)
    header.writeUInt16LE(0, 28)
    return Buffer.concat([header, Buffer.from(name, 'latin1'), Buffer.from(content, 'latin1')])
  })
  return Buffer.concat(parts)
}

describe('sniffContentType', () => {
  it('reads images, PDF and ZIP-based documents from their bytes, whatever the name says', () => {
    expect(sniffContentType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), 'x.pdf')).toBe('image/png')
    expect(sniffContentType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]), 'x.txt')).toBe('image/jpeg')
    expect(sniffContentType(Buffer.from('GIF89a....'), 'x')).toBe('image/gif')
    expect(sniffContentType(Buffer.from('%PDF-1.4\n%...'), 'invoice.png')).toBe('application/pdf')
    expect(sniffContentType(zip([['[Content_Types].xml', '<Types/>'], ['word/document.xml', '<w/>']]), 'a.zip'))
      .toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
    expect(sniffContentType(zip([['[Content_Types].xml', '<Types/>'], ['xl/workbook.xml', '<w/>']]), 'a.docx'))
      .toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(sniffContentType(zip([['mimetype', 'application/vnd.oasis.opendocument.text'], ['content.xml', '<x/>']]), 'a'))
      .toBe('application/vnd.oasis.opendocument.text')
    expect(sniffContentType(zip([['notes.txt', 'hello']]), 'report.docx')).toBe('application/zip')
  })

  it('recognises UTF-8 text, CSV by name only when the bytes are text, and markup', () => {
    expect(sniffContentType(Buffer.from('Hello, wörld\r\n\tindented\n'), 'notes')).toBe('text/plain')
    expect(sniffContentType(Buffer.from('a,b\n1,2\n'), 'data.CSV')).toBe('text/csv')
    expect(sniffContentType(Buffer.from([0x00, 0x01, 0x02, 0x03]), 'data.csv')).toBe('application/octet-stream')
    expect(sniffContentType(Buffer.from([0xc3, 0x28, 0x41]), 'bad.txt')).toBe('application/octet-stream')
    expect(sniffContentType(Buffer.from('  <!DOCTYPE html><p>x'), 'cat.png')).toBe('text/html')
    expect(sniffContentType(Buffer.from('hello <script>alert(1)</script>'), 'a.txt')).toBe('text/html')
    expect(sniffContentType(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'), 'a.png')).toBe('image/svg+xml')
    expect(sniffContentType(Buffer.from('<?xml version="1.0"?><note/>'), 'a.txt')).toBe('application/xml')
    expect(sniffContentType(Buffer.alloc(0), 'empty.txt')).toBe('application/octet-stream')
  })

  it('accepts a text sample cut inside a multi-byte character', () => {
    const text = Buffer.from(`${'a'.repeat(64 * 1024 - 1)}é and more`)
    expect(sniffContentType(text, 'long.txt')).toBe('text/plain')
  })
})

describe('servedAs', () => {
  it('serves allowlisted types as themselves and everything else as an octet-stream download', () => {
    expect(servedAs('image/png')).toEqual({ contentType: 'image/png', disposition: 'inline' })
    expect(servedAs('text/plain')).toEqual({ contentType: 'text/plain; charset=utf-8', disposition: 'inline' })
    expect(servedAs('text/csv')).toEqual({ contentType: 'text/csv; charset=utf-8', disposition: 'attachment' })
    for (const type of ['text/html', 'image/svg+xml', 'application/xml', 'application/octet-stream', 'application/javascript']) {
      expect(servedAs(type)).toEqual({ contentType: 'application/octet-stream', disposition: 'attachment' })
    }
  })
})

describe('sanitizeFilename', () => {
  it('keeps the last path segment without control or direction characters', () => {
    expect(sanitizeFilename('../../etc/passwd')).toBe('passwd')
    expect(sanitizeFilename('C:\\Users\\me\\report.pdf')).toBe('report.pdf')
    expect(sanitizeFilename('in\u0000voice\u001b.pdf')).toBe('invoice.pdf')
    expect(sanitizeFilename('photo\u202Egnp.exe')).toBe('photognp.exe')
    expect(sanitizeFilename('  spaced \t name.txt ')).toBe('spaced name.txt')
    expect(sanitizeFilename('.env')).toBe('.env')
    for (const empty of [undefined, '', '/', '..', '\u0000']) expect(sanitizeFilename(empty)).toBe('attachment')
  })

  it('cuts long names to 255 characters, keeping the extension', () => {
    const name = sanitizeFilename(`${'ä'.repeat(300)}.docx`)
    expect([...name]).toHaveLength(255)
    expect(name.endsWith('.docx')).toBe(true)
  })
})

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact name encoded', () => {
    expect(contentDisposition('attachment', 'résumé "final".pdf'))
      .toBe(`attachment; filename="resume _final_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22.pdf`)
  })
})
