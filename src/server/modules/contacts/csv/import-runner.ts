import { sql } from 'kysely'
import type { Actor } from '../../../platform/auth/actor.js'
import { recordAudit } from '../../../platform/audit.js'
import type { CustomFieldEntity, Tx } from '../../../platform/db/schema.js'
import { withTenant } from '../../../platform/db/tenant.js'
import { AppError, invalid, isUniqueViolation } from '../../../platform/errors.js'
import { loadActiveFieldDefinitions, type ActiveFieldDefinition } from '../../custom-fields/validate.js'
import { readCsv } from './parse-csv.js'
import { unguardCell } from './write-csv.js'

export interface RowError {
  line: number
  field?: string
  message: string
}

export interface ImportResult {
  imported: number
  updated: number
  failed: number
  errors: RowError[]
  /** More rows failed than `errors` lists. */
  errors_truncated?: boolean
}

/** One data row: cells by canonical column (trimmed; empty cells absent) and `cf.<key>` cells. */
export interface CsvRow {
  line: number
  cells: Map<string, string>
  custom: Record<string, string>
}

/** What became of one row. */
export type RowOutcome = 'imported' | 'updated' | RowError[]

export interface ImportSpec<S> {
  entity: CustomFieldEntity
  /** The audit action recorded with the counts, e.g. `contacts.imported`. */
  auditAction: string
  /** Header spellings (lowercase, `_` for spaces and dashes) → canonical column. */
  columns: Record<string, string>
  /** Columns an export writes that an import reads past (ids, timestamps). */
  ignored: ReadonlySet<string>
  /** Why these columns cannot make records (a required one missing), or null. */
  check(columns: ReadonlySet<string>): string | null
  /** Per-import state (caches) made once, in the first transaction. */
  setup(tx: Tx, definitions: readonly ActiveFieldDefinition[]): Promise<S>
  /** Forgets what may have been rolled back (called after a batch fails). */
  reset?(state: S): void
  /**
   * Writes rows, answering one outcome per row: a row that cannot be taken (bad value, 409) is
   * an outcome, not an exception. A thrown error (a database refusal nobody foresaw) rolls the
   * whole call back; the runner then retries the rows one by one.
   */
  apply(tx: Tx, actor: Actor, state: S, rows: CsvRow[]): Promise<RowOutcome[]>
}

export interface ImportOptions {
  /** Rows per transaction: other requests get the database between batches. */
  batchSize?: number
  /** Called after each batch with the number of data rows handled so far. */
  onProgress?: (rows: number) => void
  /** At most this many row errors are listed (all are counted). */
  maxErrors?: number
  /** For the audit event: where the rows came from. */
  via?: 'api' | 'cli'
  ip?: string | null
}

const normalizeHeader = (h: string) => h.trim().toLowerCase().replace(/[\s-]+/g, '_')

interface HeaderMap { columns: Array<{ kind: 'field'; name: string } | { kind: 'cf'; key: string } | { kind: 'skip' }> }

function mapHeader<S>(spec: ImportSpec<S>, header: string[], definitions: readonly ActiveFieldDefinition[]): HeaderMap {
  const problems: Array<{ field: string; message: string }> = []
  const seen = new Set<string>()
  const known = new Set(definitions.map((d) => d.key))
  const columns = header.map((raw) => {
    const h = normalizeHeader(raw)
    if (h.startsWith('cf.')) {
      const key = h.slice(3)
      if (!known.has(key)) problems.push({ field: raw, message: `is not a custom field of ${spec.entity === 'company' ? 'companies' : 'contacts'}` })
      else if (seen.has(h)) problems.push({ field: raw, message: 'appears twice' })
      seen.add(h)
      return { kind: 'cf' as const, key }
    }
    const name = spec.columns[h]
    if (name) {
      if (seen.has(name)) problems.push({ field: raw, message: 'appears twice' })
      seen.add(name)
      return { kind: 'field' as const, name }
    }
    if (spec.ignored.has(h) || h === '') return { kind: 'skip' as const }
    problems.push({ field: raw, message: 'is not a known column' })
    return { kind: 'skip' as const }
  })
  const missing = spec.check(new Set([...seen]))
  if (missing) problems.push({ field: 'header', message: missing })
  if (problems.length) {
    throw new AppError('validation_error', `The header row is not usable: ${problems[0]!.field} ${problems[0]!.message}.`, problems.map((p) => ({ field: p.field, message: p.message })))
  }
  return { columns }
}

function toRow(map: HeaderMap, line: number, fields: string[]): CsvRow | RowError {
  if (fields.length > map.columns.length) return { line, message: `has ${fields.length} cells; the header has ${map.columns.length}` }
  const cells = new Map<string, string>()
  const custom: Record<string, string> = {}
  map.columns.forEach((col, i) => {
    const value = unguardCell((fields[i] ?? '').trim())
    if (!value || col.kind === 'skip') return
    if (col.kind === 'cf') custom[col.key] = value
    else cells.set(col.name, value)
  })
  return { line, cells, custom }
}

/** A row's failure as its errors; an error that is not about the row is rethrown. */
export function rowErrors(line: number, error: unknown): RowError[] {
  if (error instanceof AppError) {
    if (error.details.length) return error.details.map((d) => ({ line, ...(d.field ? { field: d.field } : {}), message: d.message }))
    return [{ line, message: error.message }]
  }
  if (isUniqueViolation(error)) return [{ line, message: 'conflicts with an existing record' }]
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return [{ line, message: `could not be saved (database error ${code})` }]
  throw error
}

/**
 * Imports CSV rows as they stream in: the header maps columns (an unknown column is a 400 before
 * anything is written), then rows are taken in batches of a few hundred, one transaction each, so
 * other requests get the database in between. A bad row is reported with its line and field and
 * the others are kept; when the database refuses a batch as a whole, it is retried row by row in
 * savepoints to find the row at fault. An audit event records the counts.
 */
export async function runImport<S>(
  db: Tx, actor: Actor, source: AsyncIterable<Buffer | Uint8Array | string>, spec: ImportSpec<S>, opts: ImportOptions = {},
): Promise<ImportResult> {
  const ctx = { tenantId: actor.tenantId, userId: actor.userId }
  const batchSize = opts.batchSize ?? 500
  const maxErrors = opts.maxErrors ?? 1000
  const result: ImportResult = { imported: 0, updated: 0, failed: 0, errors: [] }
  const records = readCsv(source)[Symbol.asyncIterator]()

  const first = await records.next()
  if (first.done) throw invalid('body', 'the file is empty: it needs a header row')
  if (first.value.error !== undefined) throw invalid('header', `line ${first.value.line}: ${first.value.error}`)
  const headerFields = first.value.fields
  const { map, state } = await withTenant(db, ctx, async (tx) => {
    const definitions = await loadActiveFieldDefinitions(tx, spec.entity)
    return { map: mapHeader(spec, headerFields, definitions), state: await spec.setup(tx, definitions) }
  })

  const fail = (errors: RowError[]) => {
    result.failed++
    for (const e of errors) {
      if (result.errors.length < maxErrors) result.errors.push(e)
      else result.errors_truncated = true
    }
  }

  const tally = (outcome: RowOutcome) => {
    if (Array.isArray(outcome)) fail(outcome)
    else result[outcome]++
  }

  let rows = 0
  const runBatch = async (batch: CsvRow[]) => {
    await withTenant(db, ctx, async (tx) => {
      await sql`SAVEPOINT import_batch`.execute(tx)
      try {
        const outcomes = await spec.apply(tx, actor, state, batch)
        await sql`RELEASE SAVEPOINT import_batch`.execute(tx)
        outcomes.forEach(tally)
        return
      } catch (error) {
        await sql`ROLLBACK TO SAVEPOINT import_batch`.execute(tx)
        spec.reset?.(state)
        if (batch.length === 1) {
          fail(rowErrors(batch[0]!.line, error))
          return
        }
      }
      // Something in the batch was refused as a whole: row by row, each in its own savepoint.
      for (const row of batch) {
        await sql`SAVEPOINT import_row`.execute(tx)
        try {
          const [outcome] = await spec.apply(tx, actor, state, [row])
          await sql`RELEASE SAVEPOINT import_row`.execute(tx)
          tally(outcome!)
        } catch (error) {
          await sql`ROLLBACK TO SAVEPOINT import_row`.execute(tx)
          spec.reset?.(state)
          fail(rowErrors(row.line, error))
        }
      }
    })
    rows += batch.length
    opts.onProgress?.(rows)
  }

  let batch: CsvRow[] = []
  for (let next = await records.next(); !next.done; next = await records.next()) {
    const record = next.value
    if (record.error !== undefined) {
      fail([{ line: record.line, message: record.error }])
      continue
    }
    const row = toRow(map, record.line, record.fields)
    if ('message' in row) {
      fail([row])
      continue
    }
    batch.push(row)
    if (batch.length >= batchSize) {
      await runBatch(batch)
      batch = []
    }
  }
  if (batch.length) await runBatch(batch)

  await withTenant(db, ctx, (tx) => recordAudit(tx, actor, spec.auditAction, spec.entity, null, {
    via: opts.via ?? 'api', imported: result.imported, updated: result.updated, failed: result.failed,
  }, opts.ip ?? null))
  return result
}

/** `true`/`false` in the spellings spreadsheets use, or 400 naming `field`. */
export function parseBool(value: string, field: string): boolean {
  const v = value.trim().toLowerCase()
  if (['true', 'yes', 'y', '1'].includes(v)) return true
  if (['false', 'no', 'n', '0'].includes(v)) return false
  throw invalid(field, 'must be true or false')
}

/** A list cell (`a, b; c`) as its items. */
export function splitList(value: string | undefined, separators = /[;,|]/): string[] {
  return value ? value.split(separators).map((s) => s.trim()).filter(Boolean) : []
}

/**
 * `cf.<key>` cells as custom field input: each read as its field's type (numbers, booleans,
 * multiselect lists split on `;` or `,`), so the shared validator checks them like API input.
 */
export function customFieldInput(definitions: readonly ActiveFieldDefinition[], custom: Record<string, string>): Record<string, unknown> {
  const byKey = new Map(definitions.map((d) => [d.key, d]))
  const out: Record<string, unknown> = {}
  for (const [key, raw] of Object.entries(custom)) {
    const def = byKey.get(key)
    if (!def) continue
    switch (def.type) {
      case 'number': {
        const n = Number(raw.replace(/,/g, ''))
        out[key] = Number.isFinite(n) ? n : raw
        break
      }
      case 'boolean': {
        const v = raw.toLowerCase()
        out[key] = ['true', 'yes', '1'].includes(v) ? true : ['false', 'no', '0'].includes(v) ? false : raw
        break
      }
      case 'multiselect':
        out[key] = splitList(raw, /[;,]/)
        break
      default:
        out[key] = raw
    }
  }
  return out
}
