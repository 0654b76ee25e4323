import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { authenticator } from 'otplib'
import QRCode from 'qrcode'
import type { AppContext } from '../../platform/context.js'
import { withSystem } from '../../platform/db/tenant.js'
import { AppError } from '../../platform/errors.js'
import { decryptSecret, encryptSecret, sha256, verifyPassword } from '../../platform/auth/crypto.js'

const BACKUP_CODES = 10

/** Starts TOTP enrolment: a new secret, stored encrypted and pending until a code confirms it. */
export async function setupTwoFactor(ctx: AppContext, userId: string) {
  return withSystem(ctx.db, async (tx) => {
    const user = await tx.selectFrom('users').select(['email', 'totp_enabled_at']).where('id', '=', userId).executeTakeFirstOrThrow()
    if (user.totp_enabled_at) throw new AppError('conflict', 'Two-factor sign-in is already on. Turn it off first to enrol a new device.')
    const secret = authenticator.generateSecret(20)
    await tx.updateTable('users').set({ totp_secret: encryptSecret(ctx.secretsKey, secret), updated_at: sql`now()` }).where('id', '=', userId).execute()
    const otpauthUrl = authenticator.keyuri(user.email, 'Aidly', secret)
    return { secret, otpauth_url: otpauthUrl, qr_data_url: await QRCode.toDataURL(otpauthUrl) }
  })
}

/** Confirms enrolment with a current code; returns backup codes, shown this once. */
export async function enableTwoFactor(ctx: AppContext, userId: string, code: string): Promise<string[]> {
  return withSystem(ctx.db, async (tx) => {
    const user = await tx.selectFrom('users').select(['totp_secret', 'totp_enabled_at']).where('id', '=', userId).forUpdate().executeTakeFirstOrThrow()
    if (user.totp_enabled_at) throw new AppError('conflict', 'Two-factor sign-in is already on.')
    if (!user.totp_secret) throw new AppError('conflict', 'Start enrolment first (POST /auth/2fa/setup).')
    if (!authenticator.clone({ window: 1 }).check(code.replace(/\s/g, ''), decryptSecret(ctx.secretsKey, user.totp_secret))) {
      throw new AppError('invalid_totp', undefined, [{ field: 'code', message: 'does not match' }])
    }
    const codes = Array.from({ length: BACKUP_CODES }, () => randomBytes(5).toString('hex'))
    await tx.deleteFrom('user_backup_codes').where('user_id', '=', userId).execute()
    await tx.insertInto('user_backup_codes').values(codes.map((c) => ({ user_id: userId, code_hash: sha256(c) }))).execute()
    await tx.updateTable('users').set({ totp_enabled_at: sql`now()`, updated_at: sql`now()` }).where('id', '=', userId).execute()
    return codes
  })
}

/** Turns TOTP off after re-checking the password. */
export async function disableTwoFactor(ctx: AppContext, userId: string, password: string): Promise<void> {
  const user = await withSystem(ctx.db, (tx) => tx.selectFrom('users').select(['password_hash']).where('id', '=', userId).executeTakeFirstOrThrow())
  if (!(await verifyPassword(password, user.password_hash))) {
    throw new AppError('invalid_credentials', 'The password is not correct.', [{ field: 'password', message: 'is not correct' }])
  }
  await withSystem(ctx.db, async (tx) => {
    await tx.updateTable('users').set({ totp_secret: null, totp_enabled_at: null, updated_at: sql`now()` }).where('id', '=', userId).execute()
    await tx.deleteFrom('user_backup_codes').where('user_id', '=', userId).execute()
  })
}
