import { sql } from 'kysely'
import type { AppContext } from '../../platform/context.js'
import type { Tx } from '../../platform/db/schema.js'
import { withSystem } from '../../platform/db/tenant.js'
import { AppError } from '../../platform/errors.js'
import { randomToken, sha256 } from '../../platform/auth/crypto.js'
import { uuidv7 } from '../../platform/ids.js'
import { authChanged } from '../../platform/shared-cache.js'

export interface TokenPair {
  access_token: string
  refresh_token: string
  expires_in: number
  token_type: 'Bearer'
}

export interface ClientInfo {
  ip: string | null
  userAgent: string | null
}

/** Opens a session (a refresh-token family) for a user in one organization. */
export async function openSession(ctx: AppContext, tx: Tx, userId: string, tenantId: string, client: ClientInfo): Promise<TokenPair> {
  const sessionId = uuidv7()
  const expiresAt = new Date(Date.now() + ctx.config.refreshTokenTtlDays * 86400_000)
  await tx.insertInto('sessions').values({
    id: sessionId, user_id: userId, tenant_id: tenantId, ip: client.ip, user_agent: client.userAgent?.slice(0, 500) ?? null, expires_at: expiresAt,
  }).execute()
  return issuePair(ctx, tx, { sessionId, userId, tenantId, expiresAt })
}

async function issuePair(ctx: AppContext, tx: Tx, s: { sessionId: string; userId: string; tenantId: string; expiresAt: Date | string }): Promise<TokenPair> {
  const refresh = randomToken('rt_')
  await tx.insertInto('refresh_tokens').values({ token_hash: sha256(refresh), session_id: s.sessionId, expires_at: s.expiresAt }).execute()
  const access = await ctx.tokens.sign({ sub: s.userId, tid: s.tenantId, sid: s.sessionId })
  return { access_token: access, refresh_token: refresh, expires_in: ctx.tokens.ttl, token_type: 'Bearer' }
}

/**
 * Trades a refresh token for a new pair. Each token works once: presenting a used one means it was
 * stolen or replayed, so the whole session (the family) is revoked and the call fails.
 */
export async function rotateRefreshToken(ctx: AppContext, token: string): Promise<{ pair: TokenPair; userId: string; tenantId: string }> {
  const hash = sha256(token)
  const result = await withSystem(ctx.db, async (tx) => {
    const claimed = await tx.updateTable('refresh_tokens').set({ used_at: sql`now()` })
      .where('token_hash', '=', hash).where('used_at', 'is', null)
      .returning(['session_id', 'expires_at']).executeTakeFirst()
    if (!claimed) {
      const used = await tx.selectFrom('refresh_tokens').select('session_id').where('token_hash', '=', hash).executeTakeFirst()
      if (used) {
        authChanged()
        await tx.updateTable('sessions').set({ revoked_at: sql`now()`, revoked_reason: 'refresh_token_reuse' })
          .where('id', '=', used.session_id).where('revoked_at', 'is', null).execute()
        return { reused: true as const }
      }
      return null
    }
    const session = await tx.selectFrom('sessions as s')
      .innerJoin('memberships as m', (j) => j.onRef('m.user_id', '=', 's.user_id').onRef('m.tenant_id', '=', 's.tenant_id'))
      .select(['s.id', 's.user_id', 's.tenant_id', 's.expires_at', 's.revoked_at', 'm.is_active'])
      .where('s.id', '=', claimed.session_id).executeTakeFirst()
    if (!session || session.revoked_at || !session.is_active || Date.parse(claimed.expires_at) <= Date.now()) return null
    await tx.updateTable('sessions').set({ last_used_at: sql`now()` }).where('id', '=', session.id).execute()
    const pair = await issuePair(ctx, tx, { sessionId: session.id, userId: session.user_id, tenantId: session.tenant_id, expiresAt: session.expires_at })
    return { pair, userId: session.user_id, tenantId: session.tenant_id }
  })
  if (result && 'reused' in result) {
    ctx.log.warn({ event: 'refresh_token_reuse' }, 'a used refresh token was presented; its session is revoked')
    throw new AppError('invalid_token', 'This refresh token was already used; the session has been ended for safety.')
  }
  if (!result) throw new AppError('invalid_token', 'This refresh token is not valid.')
  return result
}

/** Moves a session to another organization the user belongs to and issues a pair for it. */
export async function switchSession(ctx: AppContext, sessionId: string, userId: string, tenantId: string): Promise<TokenPair> {
  return withSystem(ctx.db, async (tx) => {
    const membership = await tx.selectFrom('memberships').select('is_active')
      .where('user_id', '=', userId).where('tenant_id', '=', tenantId).executeTakeFirst()
    if (!membership) throw new AppError('not_found', 'Organization not found.')
    if (!membership.is_active) throw new AppError('forbidden', 'Your account in this organization is deactivated.')
    authChanged()
    const session = await tx.updateTable('sessions').set({ tenant_id: tenantId, last_used_at: sql`now()` })
      .where('id', '=', sessionId).where('revoked_at', 'is', null)
      .returning(['expires_at']).executeTakeFirstOrThrow()
    return issuePair(ctx, tx, { sessionId, userId, tenantId, expiresAt: session.expires_at })
  })
}

export async function revokeSession(tx: Tx, userId: string, sessionId: string, reason: string): Promise<boolean> {
  authChanged()
  const res = await tx.updateTable('sessions').set({ revoked_at: sql`now()`, revoked_reason: reason })
    .where('id', '=', sessionId).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst()
  return Number(res.numUpdatedRows) > 0
}

/** Ends every session of a user (after a password reset), or of one organization (deactivation). */
export async function revokeAllSessions(tx: Tx, userId: string, reason: string, opts: { tenantId?: string; exceptSessionId?: string } = {}): Promise<void> {
  authChanged()
  let q = tx.updateTable('sessions').set({ revoked_at: sql`now()`, revoked_reason: reason })
    .where('user_id', '=', userId).where('revoked_at', 'is', null)
  if (opts.tenantId) q = q.where('tenant_id', '=', opts.tenantId)
  if (opts.exceptSessionId) q = q.where('id', '!=', opts.exceptSessionId)
  await q.execute()
}
