import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CsvParser, readCsv, type CsvRecord } from './parse-csv.js'
import { csvLine, unguardCell } from './write-csv.js'

function parseAll(text: string, chunkSizes: number[] = [text.length || 1]): CsvRecord[] {
  const parser = new CsvParser()
  const out: CsvRecord[] = []
  let i = 0
  let k = 0
  while (i < text.length) {
    const size = Math.max(1, chunkSizes[k++ % chunkSizes.length]!)
    out.push(...parser.push(text.slice(i, i + size)))
    i += size
  }
  out.push(...parser.end())
  return out
}

describe('CSV parser', () => {
  it('reads quoted fields with commas, quotes and line breaks, and numbers records by their first line', () => {
    const text = '\ufeffname,note\r\n"Doe, Jane","said ""hi""\r\nand left"\r\n\r\nplain,x\n"last",\n'
    expect(parseAll(text)).toEqual([
      { line: 1, fields: ['name', 'note'] },
      { line: 2, fields: ['Doe, Jane', 'said "hi"\nand left'] },
      { line: 5, fields: ['plain', 'x'] },
      { line: 6, fields: ['last', ''] },
    ])
  })

  it('accepts CR-only line ends and a missing final line break', () => {
    expect(parseAll('a,b\rc,d')).toEqual([{ line: 1, fields: ['a', 'b'] }, { line: 2, fields: ['c', 'd'] }])
  })

  it('reports a malformed record with its line and keeps the records after it', () => {
    const text = 'a,b\n"ok",1\n"bad"x,2\n3,4\n"never closed,5\n6,7\n'
    expect(parseAll(text)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['ok', '1'] },
      { line: 3, error: 'unexpected character "x" after a closing quote' },
      { line: 4, fields: ['3', '4'] },
      { line: 5, error: 'a quoted field is never closed' },
    ])
  })

  it('gives the same records however the input is cut into chunks (property)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '🙂') as fc.Arbitrary<string>, maxLength: 8 })
    fc.assert(fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }), (rows, cuts) => {
      const text = rows.map((r) => csvLine(r)).join('')
      expect(parseAll(text, cuts)).toEqual(parseAll(text))
    }))
  })

  it('reads back what the writer wrote, formula guards included (property)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ',', '"', '\n', ' ', '=', '+', '-', '@', "'", 'ü') as fc.Arbitrary<string>, maxLength: 10 })
    fc.assert(fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (rows) => {
      const text = rows.map((r) => csvLine(r)).join('')
      const back = parseAll(text).map((r) => r.fields!.map(unguardCell))
      // rows whose cells are all blank are skipped, as blank lines are
      expect(back).toEqual(rows.filter((r) => r.some((c) => c.trim() !== '')))
    }))
  })

  it('guards cells a spreadsheet would run as formulas, but not phone numbers', () => {
    expect(csvLine(['=HYPERLINK("x")', '+1 555 0100', '-5', '@SUM(A1)', 'plain'])).toBe(`"'=HYPERLINK(""x"")",+1 555 0100,-5,'@SUM(A1),plain\r\n`)
    expect(unguardCell("'=1+1")).toBe('=1+1')
    expect(unguardCell("O'Brien")).toBe("O'Brien")
  })

  it('decodes UTF-8 split across byte chunks', async () => {
    const bytes = Buffer.from('\ufeffname\nJosé 🙂\n', 'utf8')
    async function* chunks() { for (let i = 0; i < bytes.length; i += 3) yield bytes.subarray(i, i + 3) }
    const out: CsvRecord[] = []
    for await (const r of readCsv(chunks())) out.push(r)
    expect(out).toEqual([{ line: 1, fields: ['name'] }, { line: 2, fields: ['José 🙂'] }])
  })
})
