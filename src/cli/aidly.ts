import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from '../server/platform/config.js'
import { openDatabase } from '../server/platform/db/engine.js'
import { migrateToLatest } from '../server/platform/db/migrate.js'
import { serve } from '../server/main.js'
import { IMPORT_EXPORT_USAGE, runImportExport } from './import-export.js'

const USAGE = `Usage: aidly <command> [options]

Commands:
  serve [--role api|worker|mail|all]   run the server (default role: all)
  migrate                              apply database migrations and exit
${IMPORT_EXPORT_USAGE}

Configuration comes from the environment; see README.md.`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE)
    return command ? 0 : 1
  }
  const config = loadConfig()
  switch (command) {
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { role: { type: 'string', default: 'all' } } })
      const role = values.role ?? 'all'
      if (!['api', 'worker', 'mail', 'all'].includes(role)) throw new ConfigError(`--role must be api, worker, mail or all, got "${role}"`)
      await serve(config, role as 'api' | 'worker' | 'mail' | 'all')
      return -1
    }
    case 'migrate': {
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
      try {
        const applied = await migrateToLatest(database.db)
        console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date.')
      } finally {
        await database.close()
      }
      return 0
    }
    case 'import':
    case 'export':
      return runImportExport(config, command, rest)
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`)
      return 1
  }
}

main(process.argv.slice(2)).then(
  (code) => { if (code >= 0) process.exit(code) },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`)
      process.exit(78)
    }
    console.error(error)
    process.exit(1)
  },
)
