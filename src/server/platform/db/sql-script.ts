import { sql } from 'kysely'
import type { Kysely } from 'kysely'

/**
 * Splits a SQL script into statements at top-level semicolons, leaving dollar-quoted bodies
 * (`$$ … $$`, `$f$ … $f$`) and string literals whole. PGlite's extended protocol takes one
 * statement per query, so migrations run their scripts through this.
 */
export function splitStatements(script: string): string[] {
  const out: string[] = []
  let current = ''
  let i = 0
  while (i < script.length) {
    const ch = script[i]!
    if (ch === "'") {
      const end = script.indexOf("'", i + 1)
      const stop = end === -1 ? script.length : end + 1
      current += script.slice(i, stop)
      i = stop
      continue
    }
    if (ch === '-' && script[i + 1] === '-') {
      const end = script.indexOf('\n', i)
      i = end === -1 ? script.length : end
      continue
    }
    if (ch === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(script.slice(i))?.[0]
      if (tag) {
        const end = script.indexOf(tag, i + tag.length)
        const stop = end === -1 ? script.length : end + tag.length
        current += script.slice(i, stop)
        i = stop
        continue
      }
    }
    if (ch === ';') {
      if (current.trim()) out.push(current.trim())
      current = ''
      i++
      continue
    }
    current += ch
    i++
  }
  if (current.trim()) out.push(current.trim())
  return out
}

export async function runScript(db: Kysely<unknown>, script: string): Promise<void> {
  for (const statement of splitStatements(script)) {
    await sql.raw(statement).execute(db)
  }
}
