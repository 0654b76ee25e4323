import type { Static } from 'typebox'
import type { RowOf, Tx } from '../../platform/db/schema.js'
import type { ApiKeySchema } from './schemas.js'

export type ApiKeyOut = Static<typeof ApiKeySchema>

/** API keys with their role and creator; never the hash. */
export function selectApiKeys(tx: Tx) {
  return tx.selectFrom('api_keys as k')
    .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'k.tenant_id').onRef('r.id', '=', 'k.role_id'))
    // Users are visible only while they belong to the organization (row-level security).
    .leftJoin('users as u', 'u.id', 'k.created_by')
    .select(['k.id', 'k.name', 'k.prefix', 'r.key as role', 'k.created_by', 'u.name as created_by_name', 'k.last_used_at', 'k.expires_at', 'k.revoked_at', 'k.created_at'])
}

type ApiKeyRow = RowOf<typeof selectApiKeys>

export function presentApiKey(row: ApiKeyRow): ApiKeyOut {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    created_by: row.created_by ? { id: row.created_by, name: row.created_by_name } : null,
    last_used_at: row.last_used_at,
    expires_at: row.expires_at,
    revoked_at: row.revoked_at,
    created_at: row.created_at,
  }
}
