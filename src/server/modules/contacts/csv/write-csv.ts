/** A UTF-8 byte-order mark: spreadsheet programs read the export as UTF-8 only with it. */
export const BOM = '\ufeff'

/**
 * A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first — possibly
 * behind apostrophes) gets an apostrophe in front; plain numbers and phone numbers such as
 * `+1 555 0100` or `-5` are left alone. {@link unguardCell} removes it again on import, so an
 * export imports back to the same values.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/
const PLAIN_NUMBER = /^[+-][\d\s().-]*$/

function guardCell(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value
}

/** Undoes {@link guardCell} on an imported cell. */
export function unguardCell(value: string): string {
  return /^'+[=+\-@\t\r]/.test(value) ? value.slice(1) : value
}

/** One CSV record (RFC 4180: quoted when needed, quotes doubled, CRLF at the end). */
export function csvLine(values: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return values.map((v) => {
    if (v === null || v === undefined) return ''
    const text = guardCell(String(v))
    return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
  }).join(',') + '\r\n'
}
