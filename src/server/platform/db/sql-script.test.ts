import { describe, expect, it } from 'vitest'
import { splitStatements } from './sql-script.js'

describe('splitStatements', () => {
  it('splits at top-level semicolons only', () => {
    const script = `
      CREATE TABLE a (x text DEFAULT 'a;b'); -- a comment; with a semicolon
      DO $$ BEGIN PERFORM 1; PERFORM 2; END $$;
      CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $f$ SELECT 1; $f$;
      SELECT 'it''s';`
    expect(splitStatements(script)).toEqual([
      "CREATE TABLE a (x text DEFAULT 'a;b')",
      'DO $$ BEGIN PERFORM 1; PERFORM 2; END $$',
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $f$ SELECT 1; $f$',
      "SELECT 'it''s'",
    ])
  })
})
