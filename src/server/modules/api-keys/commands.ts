import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import { API_KEY_PREFIX } from '../../platform/auth/authenticate.js'
import { randomToken, sha256 } from '../../platform/auth/crypto.js'
import { recordAudit } from '../../platform/audit.js'
import type { Tx } from '../../platform/db/schema.js'
import { invalid, notFound } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { findRoleByKey } from '../roles/commands.js'
import { assertCanGrant } from '../roles/role-rules.js'
import { presentApiKey, selectApiKeys, type ApiKeyOut } from './present.js'
import { authChanged } from '../../platform/shared-cache.js'

/**
 * A new key in the form authenticate() accepts: `aidly_<8 hex public prefix>_<32 random bytes>`.
 * The prefix is shown in lists to tell keys apart; only the SHA-256 of the whole key is stored.
 */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(4).toString('hex')
  const key = `${API_KEY_PREFIX}${prefix}_${randomToken()}`
  return { key, prefix, hash: sha256(key) }
}

/** Every key of the organization, newest first, revoked and expired ones included. */
export async function listApiKeys(tx: Tx): Promise<ApiKeyOut[]> {
  return (await selectApiKeys(tx).orderBy('k.created_at', 'desc').orderBy('k.id', 'desc').execute()).map(presentApiKey)
}

async function getApiKey(tx: Tx, id: string): Promise<ApiKeyOut> {
  const row = await selectApiKeys(tx).where('k.id', '=', id).executeTakeFirst()
  if (!row) throw notFound('API key')
  return presentApiKey(row)
}

export interface CreateApiKeyInput {
  name: string
  role?: string | undefined
  expires_at?: string | null | undefined
}

/**
 * Mints a key acting as a staff role of the organization (`agent` unless said otherwise). The
 * creator must hold every permission of that role. Returns the key itself once.
 */
export async function createApiKey(tx: Tx, actor: Actor, input: CreateApiKeyInput, ip: string | null): Promise<ApiKeyOut & { key: string }> {
  const name = input.name.trim()
  if (!name) throw invalid('name', 'must not be blank')
  if (input.expires_at && Date.parse(input.expires_at) <= Date.now()) throw invalid('expires_at', 'must be in the future')
  const role = await findRoleByKey(tx, input.role ?? 'agent')
  if (!role) throw invalid('role', 'is not a role in this organization')
  if (role.kind !== 'staff') throw invalid('role', 'must be a staff role; API keys cannot act as customers')
  assertCanGrant(actor, role.permissions)
  const id = uuidv7()
  const { key, prefix, hash } = generateApiKey()
  await tx.insertInto('api_keys').values({
    tenant_id: actor.tenantId, id, name, prefix, key_hash: hash, role_id: role.id, created_by: actor.userId, expires_at: input.expires_at ?? null,
  }).execute()
  await recordAudit(tx, actor, 'api_key.created', 'api_key', id, { name, prefix, role: role.key, expires_at: input.expires_at ?? null }, ip)
  return { ...(await getApiKey(tx, id)), key }
}

/** Revokes a key; it stops authenticating with the next request. Revoking twice changes nothing. */
export async function revokeApiKey(tx: Tx, actor: Actor, id: string, ip: string | null): Promise<ApiKeyOut> {
  authChanged()
  const revoked = await tx.updateTable('api_keys').set({ revoked_at: sql`now()` })
    .where('id', '=', id).where('revoked_at', 'is', null).returning(['name', 'prefix']).executeTakeFirst()
  if (revoked) await recordAudit(tx, actor, 'api_key.revoked', 'api_key', id, { name: revoked.name, prefix: revoked.prefix }, ip)
  return getApiKey(tx, id)
}
