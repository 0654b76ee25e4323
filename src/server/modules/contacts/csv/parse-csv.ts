/** One record of a CSV file, or why it could not be read, with the line it starts on (1-based). */
export type CsvRecord =
  | { line: number; fields: string[]; error?: undefined }
  | { line: number; fields?: undefined; error: string }

const QUOTE = 34 // "
const COMMA = 44 // ,
const CR = 13
const LF = 10

const enum State { FieldStart, Unquoted, Quoted, QuoteInQuoted, Broken }

/**
 * Reads RFC 4180 CSV incrementally: chunks in, records out, so a large upload is never held whole.
 * Quoted fields may contain commas, quotes (doubled) and line breaks; records end at CRLF, LF or
 * CR; a UTF-8 byte-order mark is dropped; blank lines are skipped. Each record carries the line it
 * starts on, counting every line break of the file (inside quotes too), so errors can point at it.
 *
 * Written here rather than taken from a package because line numbers must stay right for CRLF
 * files with multi-line fields (spreadsheet exports), and a malformed record must be reported and
 * skipped without losing the records after it.
 */
export class CsvParser {
  #state: State = State.FieldStart
  #field = ''
  #fields: string[] = []
  #line = 1
  #recordLine = 1
  #error: string | null = null
  #pendingCr = false
  #started = false

  /** Feeds a chunk of text; returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = []
    let text = chunk
    if (!this.#started && text.length) {
      this.#started = true
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      // A CR already ended a line; the LF right after it belongs to the same break.
      if (this.#pendingCr) {
        this.#pendingCr = false
        if (c === LF) continue
      }
      if (c === CR || c === LF) {
        if (c === CR) this.#pendingCr = true
        if (this.#state === State.Quoted) {
          this.#field += '\n'
          this.#line++
          continue
        }
        this.#line++
        this.#endRecord(out)
        continue
      }
      switch (this.#state) {
        case State.FieldStart:
          if (c === QUOTE) this.#state = State.Quoted
          else if (c === COMMA) this.#fields.push('')
          else {
            this.#field = text[i]!
            this.#state = State.Unquoted
          }
          break
        case State.Unquoted: {
          // Copy the run up to the next comma, quote or line break in one slice.
          let j = i
          while (j < text.length) {
            const d = text.charCodeAt(j)
            if (d === COMMA || d === CR || d === LF) break
            j++
          }
          this.#field += text.slice(i, j)
          i = j - 1
          if (j < text.length && text.charCodeAt(j) === COMMA) {
            this.#fields.push(this.#field)
            this.#field = ''
            this.#state = State.FieldStart
            i = j
          }
          break
        }
        case State.Quoted: {
          let j = i
          while (j < text.length) {
            const d = text.charCodeAt(j)
            if (d === QUOTE || d === CR || d === LF) break
            j++
          }
          this.#field += text.slice(i, j)
          i = j - 1
          if (j < text.length && text.charCodeAt(j) === QUOTE) {
            this.#state = State.QuoteInQuoted
            i = j
          }
          break
        }
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            this.#field += '"'
            this.#state = State.Quoted
          } else if (c === COMMA) {
            this.#fields.push(this.#field)
            this.#field = ''
            this.#state = State.FieldStart
          } else {
            this.#error = `unexpected character ${JSON.stringify(text[i])} after a closing quote`
            this.#state = State.Broken
          }
          break
        case State.Broken:
          break
      }
    }
    return out
  }

  /** Ends the input; returns the last record, or an error for a quote never closed. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = []
    if (this.#state === State.Quoted) {
      this.#error = 'a quoted field is never closed'
      this.#state = State.Broken
    }
    this.#endRecord(out)
    return out
  }

  #endRecord(out: CsvRecord[]): void {
    const line = this.#recordLine
    this.#recordLine = this.#line
    if (this.#error) {
      out.push({ line, error: this.#error })
    } else if (this.#state !== State.FieldStart || this.#fields.length || this.#field) {
      if (this.#state !== State.FieldStart || this.#fields.length) this.#fields.push(this.#field)
      if (this.#fields.some((f) => f.trim() !== '')) out.push({ line, fields: this.#fields })
    }
    this.#fields = []
    this.#field = ''
    this.#error = null
    this.#state = State.FieldStart
  }
}

/** Records of a stream of bytes or text (a request body, a file), decoded as UTF-8. */
export async function* readCsv(source: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser()
  const decoder = new TextDecoder('utf-8')
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
    yield* parser.push(text)
  }
  yield* parser.push(decoder.decode())
  yield* parser.end()
}
