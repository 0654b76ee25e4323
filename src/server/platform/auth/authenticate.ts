import { sql } from 'kysely'
import type { Tx } from '../db/schema.js'
import { withSystem } from '../db/tenant.js'
import { AppError } from '../errors.js'
import type { Actor } from './actor.js'
import { authCache } from '../shared-cache.js'
import { sha256 } from './crypto.js'
import type { AccessClaims, AccessTokens } from './jwt.js'

export const API_KEY_PREFIX = 'aidly_'

/**
 * Resolves a bearer credential to an actor: an access token (JWT) whose session is live and whose
 * membership is active, or an unrevoked, unexpired API key. The answer is cached for a few seconds
 * (SharedCache `auth`); every write that changes it empties the cache in its transaction, so a role change,
 * deactivation, sign-out or revoked key still takes effect on the next request.
 */
export async function authenticate(db: Tx, tokens: AccessTokens, bearer: string): Promise<Actor> {
  if (bearer.startsWith(API_KEY_PREFIX)) return authCache.get(`k:${sha256(bearer)}`, () => authenticateApiKey(db, bearer))
  // Keyed by the token itself: a token seen before is neither verified nor looked up again until
  // it expires (or a change clears the cache). A session moved to another organization gets a new token.
  return authCache.get(`t:${bearer}`, async () => {
    const claims = await tokens.verify(bearer)
    const found = await lookUpSession(db, claims)
    return { value: found.value, until: Math.min(found.until, claims.exp * 1000) }
  })
}

/** One statement, outside a transaction: run for every request whose session is not cached. */
async function lookUpSession(db: Tx, claims: AccessClaims): Promise<{ value: Actor; until: number }> {
  const row = await db.selectFrom('sessions as s')
    .innerJoin('memberships as m', (j) => j.onRef('m.user_id', '=', 's.user_id').onRef('m.tenant_id', '=', 's.tenant_id'))
    .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'm.tenant_id').onRef('r.id', '=', 'm.role_id'))
    .select(['m.is_active', 's.revoked_at', 's.expires_at', 'r.id as role_id', 'r.key', 'r.name', 'r.kind', 'r.permissions', 'r.ticket_scope'])
    .where('s.id', '=', claims.sid)
    .where('s.user_id', '=', claims.sub)
    .where('s.tenant_id', '=', claims.tid)
    .executeTakeFirst()
  if (!row || row.revoked_at || Date.parse(row.expires_at) <= Date.now()) throw new AppError('invalid_token', 'This session has ended. Sign in again.')
  if (!row.is_active) throw new AppError('forbidden', 'Your account in this organization is deactivated.')
  const actor: Actor = {
    kind: 'user',
    userId: claims.sub,
    tenantId: claims.tid,
    sessionId: claims.sid,
    apiKeyId: null,
    role: { id: row.role_id, key: row.key, name: row.name, kind: row.kind, ticketScope: row.ticket_scope, permissions: new Set(row.permissions) },
  }
  return { value: actor, until: Date.parse(row.expires_at) }
}

async function authenticateApiKey(db: Tx, key: string): Promise<{ value: Actor; until: number }> {
  const row = await withSystem(db, async (tx) => {
    const found = await tx.selectFrom('api_keys as k')
      .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'k.tenant_id').onRef('r.id', '=', 'k.role_id'))
      .select(['k.tenant_id', 'k.id', 'k.revoked_at', 'k.expires_at', 'k.last_used_at', 'r.id as role_id', 'r.key', 'r.name', 'r.kind', 'r.permissions', 'r.ticket_scope'])
      .where('k.key_hash', '=', sha256(key))
      .executeTakeFirst()
    if (!found || found.revoked_at || (found.expires_at && Date.parse(found.expires_at) <= Date.now()) || found.kind !== 'staff') return null
    // Record use at most once a minute, to keep the hot path read-only.
    if (!found.last_used_at || Date.now() - Date.parse(found.last_used_at) > 60_000) {
      await tx.updateTable('api_keys').set({ last_used_at: sql`now()` })
        .where('tenant_id', '=', found.tenant_id).where('id', '=', found.id).execute()
    }
    return found
  })
  if (!row) throw new AppError('invalid_token', 'This API key is not valid.')
  const actor: Actor = {
    kind: 'api_key',
    userId: null,
    tenantId: row.tenant_id,
    sessionId: null,
    apiKeyId: row.id,
    role: { id: row.role_id, key: row.key, name: row.name, kind: row.kind, ticketScope: row.ticket_scope, permissions: new Set(row.permissions) },
  }
  return { value: actor, until: row.expires_at ? Date.parse(row.expires_at) : Number.POSITIVE_INFINITY }
}
