import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import path from 'node:path'

/** Everything Aidly reads from the environment, validated once at boot. */
export interface Config {
  port: number
  host: string
  dataDir: string
  /** `undefined` means embedded PGlite under `dataDir/pg`; `memory://` keeps it in memory (tests). */
  databaseUrl: string | undefined
  redisUrl: string | undefined
  secret: string
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  demo: boolean
  publicUrl: string
  smtpUrl: string | undefined
  mailFrom: string
  accessTokenTtlSeconds: number
  /** How long checked credentials and organization settings are remembered in memory (0: not at all); writes that change them clear them at once. */
  cacheSeconds: number
  refreshTokenTtlDays: number
  lockoutThreshold: number
  lockoutMinutes: number
  authRateLimitPerMinute: number
  bodyLimitBytes: number
  /** Largest accepted attachment file, bytes (each file of an upload). */
  attachmentMaxBytes: number
  trustProxy: boolean
  /** Port of the inbound SMTP listener for MTA forwarding; undefined = off. */
  smtpListenPort: number | undefined
  smtpListenHost: string
  /** Largest raw email accepted (inbound endpoint, SMTP listener, IMAP fetch), bytes. */
  mailMaxBytes: number
  /** How often mailboxes are polled when IMAP IDLE is not available or dropped, seconds. */
  imapPollSeconds: number
  /** How often a WebSocket re-checks its session and what its person may see, seconds. */
  realtimeRecheckSeconds: number
  /** Inbound messages one sender may send an organization in 10 minutes before the rest are dropped (loop guard). */
  mailSenderLimit: number
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Env = Record<string, string | undefined>

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`)
  const value = Number(raw)
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`)
  return value
}

function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase()
  if (raw === undefined || raw === '') return fallback
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true
  if (['0', 'false', 'no', 'off'].includes(raw)) return false
  throw new ConfigError(`${name} must be 0 or 1 (or true/false), got "${env[name]}"`)
}

function urlVar(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name]?.trim()
  if (!raw) return undefined
  let parsed: URL
  try {
    parsed = new URL(raw)
  } catch {
    throw new ConfigError(`${name} is not a valid URL`)
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`)
  }
  return raw
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * Reads and validates configuration. A bad value throws a ConfigError whose message names the
 * variable, so `aidly serve` can print one clear line instead of a stack trace.
 */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const dataDir = path.resolve(env.AIDLY_DATA_DIR?.trim() || './data')
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as Config['logLevel']
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`)
  }
  const port = intVar(env, 'PORT', 3000, 0, 65535)
  const host = env.HOST?.trim() || '0.0.0.0'
  const databaseUrl = env.DATABASE_URL?.trim() === 'memory://'
    ? 'memory://'
    : urlVar(env, 'DATABASE_URL', ['postgres:', 'postgresql:'])
  const config: Config = {
    port,
    host,
    dataDir,
    databaseUrl,
    redisUrl: urlVar(env, 'REDIS_URL', ['redis:', 'rediss:']),
    secret: '',
    logLevel,
    demo: boolVar(env, 'AIDLY_DEMO', true),
    publicUrl: urlVar(env, 'AIDLY_PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`,
    smtpUrl: urlVar(env, 'AIDLY_SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: env.AIDLY_MAIL_FROM?.trim() || 'Aidly <no-reply@aidly.local>',
    accessTokenTtlSeconds: intVar(env, 'AIDLY_ACCESS_TOKEN_TTL', 900, 30, 86400),
    cacheSeconds: intVar(env, 'AIDLY_CACHE_SECONDS', 15, 0, 300),
    refreshTokenTtlDays: intVar(env, 'AIDLY_REFRESH_TOKEN_DAYS', 30, 1, 365),
    lockoutThreshold: intVar(env, 'AIDLY_LOCKOUT_THRESHOLD', 5, 1, 100),
    lockoutMinutes: intVar(env, 'AIDLY_LOCKOUT_MINUTES', 15, 1, 1440),
    authRateLimitPerMinute: intVar(env, 'AIDLY_AUTH_RATE_LIMIT', 20, 1, 100000),
    bodyLimitBytes: intVar(env, 'AIDLY_BODY_LIMIT', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    attachmentMaxBytes: intVar(env, 'AIDLY_ATTACHMENT_MAX_BYTES', 20 * 1024 * 1024, 1, 1024 * 1024 * 1024),
    trustProxy: boolVar(env, 'AIDLY_TRUST_PROXY', false),
    smtpListenPort: env.AIDLY_SMTP_PORT?.trim() ? intVar(env, 'AIDLY_SMTP_PORT', 2525, 0, 65535) : undefined,
    smtpListenHost: env.AIDLY_SMTP_HOST?.trim() || '0.0.0.0',
    mailMaxBytes: intVar(env, 'AIDLY_MAIL_MAX_BYTES', 30 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    imapPollSeconds: intVar(env, 'AIDLY_IMAP_POLL_SECONDS', 60, 1, 86400),
    mailSenderLimit: intVar(env, 'AIDLY_MAIL_SENDER_LIMIT', 30, 1, 100000),
    realtimeRecheckSeconds: intVar(env, 'AIDLY_REALTIME_RECHECK_SECONDS', 60, 1, 3600),
    ...overrides,
  }
  config.secret = overrides.secret ?? resolveSecret(env, config)
  return config
}

/** AIDLY_SECRET if set; otherwise a random one generated once and kept in the data dir. */
function resolveSecret(env: Env, config: Config): string {
  const given = env.AIDLY_SECRET?.trim()
  if (given) {
    if (given.length < 32) throw new ConfigError('AIDLY_SECRET must be at least 32 characters')
    return given
  }
  if (config.databaseUrl === 'memory://') return randomBytes(32).toString('base64url')
  const file = path.join(config.dataDir, 'secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(config.dataDir, { recursive: true })
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, `${secret}\n`, { mode: 0o600 })
  return secret
}
