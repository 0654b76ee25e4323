import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { once } from 'node:events'
import { parseArgs } from 'node:util'
import type { Writable } from 'node:stream'
import { ALL_PERMISSIONS } from '../shared/permissions.js'
import type { Actor } from '../server/platform/auth/actor.js'
import type { Config } from '../server/platform/config.js'
import { openDatabase } from '../server/platform/db/engine.js'
import { migrateToLatest } from '../server/platform/db/migrate.js'
import type { Tx } from '../server/platform/db/schema.js'
import { withSystem, withTenant } from '../server/platform/db/tenant.js'
import { AppError } from '../server/platform/errors.js'
import { exportContacts } from '../server/modules/contacts/csv/export-contacts.js'
import { importContacts } from '../server/modules/contacts/csv/import-contacts.js'
import { readCsv } from '../server/modules/contacts/csv/parse-csv.js'
import { exportCompanies, importCompanies } from '../server/modules/companies/csv.js'

export const IMPORT_EXPORT_USAGE = `  import contacts|companies <file.csv> --org <slug>
                                       import rows (upsert: contacts by email, companies by
                                       domain or name); exit 2 when some rows failed
  export contacts|companies [file.csv] --org <slug>
                                       write all rows as CSV (to stdout without a file)`

/** Where the command writes: tests pass their own. */
export interface Io {
  stdout: Writable
  stderr: Writable
}

/** The CLI acts for the organization as a whole: no user, every permission (audit shows no actor). */
function operatorActor(tenantId: string): Actor {
  return {
    kind: 'user', userId: null, tenantId, sessionId: null, apiKeyId: null,
    role: { id: 'cli', key: 'cli', name: 'Command line', kind: 'staff', ticketScope: 'all', permissions: new Set(ALL_PERMISSIONS) },
  }
}

async function organizationBySlug(db: Tx, slug: string): Promise<string> {
  const org = await withSystem(db, (tx) => tx.selectFrom('organizations').select('id').where('slug', '=', slug.trim().toLowerCase()).executeTakeFirst())
  if (!org) throw new CliError(`There is no organization "${slug}".`)
  return org.id
}

class CliError extends Error {}

/** Data rows in a CSV file (records after the header), for the progress total. */
async function countRows(file: string): Promise<number> {
  let n = -1
  for await (const _record of readCsv(createReadStream(file))) n++
  return Math.max(0, n)
}

function progress(io: Io, isTty: boolean) {
  return {
    tick(done: number, total: number) {
      io.stderr.write(isTty ? `\r${done}/${total}` : `${done}/${total}\n`)
    },
    end() { if (isTty) io.stderr.write('\n') },
  }
}

/**
 * `aidly import …` and `aidly export …`: the same import and export functions the API uses, run
 * straight against the database of the configuration (migrated first) for the organization named
 * by `--org`. Progress goes to stderr, results to stdout. Returns the exit code.
 */
export async function runImportExport(config: Config, command: 'import' | 'export', argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { org: { type: 'string' } } })
  const [entity, file] = positionals
  if (entity !== 'contacts' && entity !== 'companies') {
    io.stderr.write(`Say what to ${command}: contacts or companies.\n\n${IMPORT_EXPORT_USAGE}\n`)
    return 64
  }
  if (!values.org) {
    io.stderr.write(`--org <slug> is required: the organization to ${command} ${command === 'import' ? 'into' : 'from'}.\n`)
    return 64
  }
  if (command === 'import' && !file) {
    io.stderr.write(`Name the CSV file to import.\n\n${IMPORT_EXPORT_USAGE}\n`)
    return 64
  }
  if (command === 'import' && !existsSync(file!)) {
    io.stderr.write(`No such file: ${file}\n`)
    return 66
  }
  const isTty = Boolean((io.stderr as { isTTY?: boolean }).isTTY)
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 })
  try {
    await migrateToLatest(database.db)
    const db = database.db
    const actor = operatorActor(await organizationBySlug(db, values.org))
    if (command === 'import') {
      const total = await countRows(file!)
      const bar = progress(io, isTty)
      const run = entity === 'contacts' ? importContacts : importCompanies
      const result = await run(db, actor, createReadStream(file!), { via: 'cli', onProgress: (done) => bar.tick(done, total) })
      bar.end()
      for (const e of result.errors) io.stderr.write(`line ${e.line}: ${e.field ? `${e.field}: ` : ''}${e.message}\n`)
      if (result.errors_truncated) io.stderr.write('(more errors not shown)\n')
      io.stdout.write(`${result.imported} imported, ${result.updated} updated, ${result.failed} failed\n`)
      return result.failed ? 2 : 0
    }
    const total = await withTenant(db, { tenantId: actor.tenantId }, async (tx) => {
      const table = entity === 'contacts' ? 'contacts' : 'companies'
      const row = await tx.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('deleted_at', 'is', null).executeTakeFirstOrThrow()
      return Number(row.n)
    })
    const out = file ? createWriteStream(file) : io.stdout
    const bar = progress(io, isTty)
    let written = -1
    const lines = entity === 'contacts' ? exportContacts(db, actor) : exportCompanies(db, actor)
    for await (const chunk of lines) {
      if (!out.write(chunk)) await once(out, 'drain')
      written += chunk.split('\r\n').length - 1
      bar.tick(Math.min(written, total), total)
    }
    bar.end()
    if (file) {
      out.end()
      await once(out, 'finish')
      io.stderr.write(`${Math.max(0, written)} ${entity} written to ${file}\n`)
    }
    return 0
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`${error.message}\n`)
      return 1
    }
    if (error instanceof AppError) {
      io.stderr.write(`${error.message}\n${error.details.map((d) => `  ${d.field ? `${d.field}: ` : ''}${d.message}\n`).join('')}`)
      return 1
    }
    throw error
  } finally {
    await database.close()
  }
}
