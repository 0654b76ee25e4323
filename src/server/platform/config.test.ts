import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'

const dir = () => mkdtempSync(path.join(tmpdir(), 'aidly-config-'))

describe('configuration', () => {
  it('has working defaults for a fresh clone', () => {
    const dataDir = dir()
    const c = loadConfig({ AIDLY_DATA_DIR: dataDir })
    expect(c).toMatchObject({ port: 3000, host: '0.0.0.0', databaseUrl: undefined, demo: true, logLevel: 'info', lockoutThreshold: 5, lockoutMinutes: 15 })
    expect(c.dataDir).toBe(dataDir)
  })

  it('generates AIDLY_SECRET once, keeps it private in the data dir, and reuses it', () => {
    const dataDir = dir()
    const first = loadConfig({ AIDLY_DATA_DIR: dataDir }).secret
    const file = path.join(dataDir, 'secret')
    expect(existsSync(file)).toBe(true)
    expect(statSync(file).mode & 0o077).toBe(0)
    expect(readFileSync(file, 'utf8').trim()).toBe(first)
    expect(loadConfig({ AIDLY_DATA_DIR: dataDir }).secret).toBe(first)
    expect(loadConfig({ AIDLY_DATA_DIR: dataDir, AIDLY_SECRET: 'x'.repeat(40) }).secret).toBe('x'.repeat(40))
  })

  it.each([
    [{ PORT: 'eighty' }, /PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be between/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL is not a valid URL/],
    [{ REDIS_URL: 'http://x' }, /REDIS_URL must start with redis/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ AIDLY_DEMO: 'maybe' }, /AIDLY_DEMO must be 0 or 1/],
    [{ AIDLY_SECRET: 'short' }, /AIDLY_SECRET must be at least 32/],
  ])('rejects %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig({ AIDLY_DATA_DIR: dir(), ...env })).toThrow(ConfigError)
    expect(() => loadConfig({ AIDLY_DATA_DIR: dir(), ...env })).toThrow(message)
  })

  it('reads the PostgreSQL and Redis URLs and the demo switch', () => {
    const c = loadConfig({ AIDLY_DATA_DIR: dir(), DATABASE_URL: 'postgres://u@h:5432/db', REDIS_URL: 'redis://127.0.0.1:6379', AIDLY_DEMO: '0' })
    expect(c).toMatchObject({ databaseUrl: 'postgres://u@h:5432/db', redisUrl: 'redis://127.0.0.1:6379', demo: false })
  })
})
