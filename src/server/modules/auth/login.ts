import { sql } from 'kysely'
import { authenticator } from 'otplib'
import type { AppContext } from '../../platform/context.js'
import type { Tx } from '../../platform/db/schema.js'
import { withSystem } from '../../platform/db/tenant.js'
import { AppError } from '../../platform/errors.js'
import { decryptSecret, hashPassword, sha256, verifyPassword } from '../../platform/auth/crypto.js'
import { uuidv7 } from '../../platform/ids.js'
import { createOrganization } from '../organizations/create-organization.js'
import { openSession, type ClientInfo, type TokenPair } from './sessions.js'

/** TOTP with one step of clock drift allowed either way. */
const totp = authenticator.clone({ window: 1 })

export interface SignedIn extends TokenPair {
  userId: string
  tenantId: string
}

export async function findUserByEmail(tx: Tx, email: string) {
  return tx.selectFrom('users').selectAll().where(sql`lower(email)`, '=', email.trim().toLowerCase()).executeTakeFirst()
}

/** A new organization and its first admin (a new identity: an existing email signs in instead). */
export async function register(ctx: AppContext, input: { organization: string; name: string; email: string; password: string }, client: ClientInfo): Promise<SignedIn> {
  const passwordHash = await hashPassword(input.password)
  return withSystem(ctx.db, async (tx) => {
    if (await findUserByEmail(tx, input.email)) {
      throw new AppError('email_taken', 'An account with this email exists. Sign in, then create the organization from your account.', [{ field: 'email', message: 'is already registered' }])
    }
    const userId = uuidv7()
    await tx.insertInto('users').values({ id: userId, email: input.email.trim(), name: input.name.trim(), password_hash: passwordHash, password_changed_at: new Date() }).execute()
    const org = await createOrganization(tx, { name: input.organization.trim(), ownerUserId: userId })
    const pair = await openSession(ctx, tx, userId, org.id, client)
    return { ...pair, userId, tenantId: org.id }
  })
}

interface LoginInput {
  email: string
  password: string
  organization?: string
  totp?: string
}

/**
 * Password sign-in with lockout: after `lockoutThreshold` consecutive failures the account is
 * locked for `lockoutMinutes` (423), correct password or not. A second factor is asked for when
 * enrolled (`totp_required`); a wrong code counts as a failure. Per-IP and per-account rate limits
 * are applied by the route before this runs.
 */
export async function login(ctx: AppContext, input: LoginInput, client: ClientInfo): Promise<SignedIn> {
  const user = await withSystem(ctx.db, (tx) => findUserByEmail(tx, input.email))
  if (user?.locked_until && Date.parse(user.locked_until) > Date.now()) throw locked(user.locked_until)
  const passwordOk = await verifyPassword(input.password, user?.password_hash ?? null)
  if (!user || !passwordOk) {
    if (user) await recordFailure(ctx, user.id)
    throw new AppError('invalid_credentials')
  }
  // Pick the organization before the second factor, so a wrong slug never spends a backup code.
  const tenantId = await withSystem(ctx.db, (tx) => chooseOrganization(tx, user.id, input.organization))
  if (user.totp_enabled_at && user.totp_secret) {
    if (!input.totp) throw new AppError('totp_required')
    const ok = await checkSecondFactor(ctx, user.id, user.totp_secret, input.totp)
    if (!ok) {
      await recordFailure(ctx, user.id)
      throw new AppError('invalid_totp')
    }
  }
  return withSystem(ctx.db, async (tx) => {
    await tx.updateTable('users').set({ failed_login_count: 0, locked_until: null, last_login_at: sql`now()`, last_login_ip: client.ip })
      .where('id', '=', user.id).execute()
    const pair = await openSession(ctx, tx, user.id, tenantId, client)
    return { ...pair, userId: user.id, tenantId }
  })
}

/** The requested organization, else the one used last, else the oldest active membership. */
async function chooseOrganization(tx: Tx, userId: string, slug: string | undefined): Promise<string> {
  let q = tx.selectFrom('memberships as m').innerJoin('organizations as o', 'o.id', 'm.tenant_id')
    .select(['m.tenant_id', 'm.is_active']).where('m.user_id', '=', userId)
  if (slug) q = q.where('o.slug', '=', slug.trim().toLowerCase())
  const memberships = await q.orderBy('m.created_at').execute()
  const lastUsed = await tx.selectFrom('sessions').select('tenant_id').where('user_id', '=', userId)
    .orderBy('last_used_at', 'desc').limit(1).executeTakeFirst()
  const active = memberships.filter((m) => m.is_active)
  const chosen = active.find((m) => m.tenant_id === lastUsed?.tenant_id) ?? active[0]
  if (!chosen) {
    throw slug && memberships.length === 0
      ? new AppError('not_found', 'You are not a member of that organization.', [{ field: 'organization', message: 'not a member' }])
      : new AppError('forbidden', 'Your account has no active organization.')
  }
  return chosen.tenant_id
}

function locked(until: string): AppError {
  const seconds = Math.max(1, Math.ceil((Date.parse(until) - Date.now()) / 1000))
  return new AppError('account_locked', `Too many failed sign-ins. Try again in ${Math.ceil(seconds / 60)} minute(s).`, [], { 'retry-after': String(seconds) })
}

/** Counts a failed sign-in; locks the account (and throws 423) at the threshold. */
export async function recordFailure(ctx: AppContext, userId: string): Promise<void> {
  const row = await withSystem(ctx.db, (tx) =>
    tx.updateTable('users').set({ failed_login_count: sql`failed_login_count + 1` })
      .where('id', '=', userId).returning(['failed_login_count']).executeTakeFirstOrThrow())
  if (row.failed_login_count >= ctx.config.lockoutThreshold) {
    const until = new Date(Date.now() + ctx.config.lockoutMinutes * 60_000)
    await withSystem(ctx.db, (tx) => tx.updateTable('users').set({ locked_until: until, failed_login_count: 0 }).where('id', '=', userId).execute())
    throw locked(until.toISOString())
  }
}

/** A TOTP code (±1 step) or an unused backup code, which is then spent. */
export async function checkSecondFactor(ctx: AppContext, userId: string, encryptedSecret: string, code: string): Promise<boolean> {
  const cleaned = code.replace(/[\s-]/g, '')
  if (/^\d{6}$/.test(cleaned)) return totp.check(cleaned, decryptSecret(ctx.secretsKey, encryptedSecret))
  const spent = await withSystem(ctx.db, (tx) =>
    tx.updateTable('user_backup_codes').set({ used_at: sql`now()` })
      .where('user_id', '=', userId).where('code_hash', '=', sha256(cleaned.toLowerCase())).where('used_at', 'is', null)
      .executeTakeFirst())
  return Number(spent.numUpdatedRows) > 0
}
