import { sql } from 'kysely'
import type { AppContext } from '../../platform/context.js'
import { withSystem } from '../../platform/db/tenant.js'
import { AppError } from '../../platform/errors.js'
import { hashPassword, randomToken, sha256 } from '../../platform/auth/crypto.js'
import { emit } from '../../platform/outbox.js'
import { findUserByEmail } from './login.js'
import { revokeAllSessions } from './sessions.js'

const RESET_TTL_MS = 60 * 60 * 1000

/**
 * Sends a single-use reset link valid for an hour. Answers the same whether or not the email is
 * known, so it cannot be used to discover accounts.
 */
export async function requestPasswordReset(ctx: AppContext, email: string): Promise<void> {
  await withSystem(ctx.db, async (tx) => {
    const user = await findUserByEmail(tx, email)
    if (!user) return
    const membership = await tx.selectFrom('memberships').select('tenant_id').where('user_id', '=', user.id)
      .orderBy('created_at').limit(1).executeTakeFirst()
    if (!membership) return
    const token = randomToken()
    await tx.insertInto('password_resets').values({ token_hash: sha256(token), user_id: user.id, expires_at: new Date(Date.now() + RESET_TTL_MS) }).execute()
    const link = `${ctx.config.publicUrl}/reset-password?token=${encodeURIComponent(token)}`
    await emit(tx, membership.tenant_id, 'mail.send', {
      to: user.email,
      subject: 'Reset your Aidly password',
      text: `Hello ${user.name},\n\nSomeone asked to reset the password of your Aidly account. If it was you, open this link within an hour:\n\n${link}\n\nIf it was not you, ignore this message; your password stays as it is.\n`,
    })
  })
  ctx.outbox.nudge()
}

/** Sets a new password from a reset token, spends the token and ends every session. */
export async function resetPassword(ctx: AppContext, token: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password)
  await withSystem(ctx.db, async (tx) => {
    const row = await tx.updateTable('password_resets').set({ used_at: sql`now()` })
      .where('token_hash', '=', sha256(token)).where('used_at', 'is', null).where('expires_at', '>', sql<string>`now()`)
      .returning(['user_id']).executeTakeFirst()
    if (!row) throw new AppError('gone', 'This reset link has expired or was already used. Ask for a new one.')
    await tx.updateTable('users').set({ password_hash: passwordHash, password_changed_at: sql`now()`, failed_login_count: 0, locked_until: null, updated_at: sql`now()` })
      .where('id', '=', row.user_id).execute()
    await tx.updateTable('password_resets').set({ used_at: sql`now()` }).where('user_id', '=', row.user_id).where('used_at', 'is', null).execute()
    await revokeAllSessions(tx, row.user_id, 'password_reset')
  })
}
