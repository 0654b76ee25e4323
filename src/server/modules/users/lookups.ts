import type { Tx } from '../../platform/db/schema.js'
import { invalid } from '../../platform/errors.js'

export interface RoleRef {
  id: string
  key: string
  name: string
  permissions: string[]
}

/** A role of the organization by key (built-in or custom); 400 naming `field` when it has none. */
export async function findRoleByKey(tx: Tx, tenantId: string, key: string, field = 'role'): Promise<RoleRef> {
  const role = await tx.selectFrom('roles').select(['id', 'key', 'name', 'permissions'])
    .where('tenant_id', '=', tenantId).where('key', '=', key).executeTakeFirst()
  if (!role) throw invalid(field, `there is no role "${key}" in this organization`)
  return role
}

/**
 * The given team ids without repeats, after checking each is a team of the organization; 400
 * naming `field` otherwise (another organization's team looks the same as a made-up id).
 */
export async function resolveTeamIds(tx: Tx, tenantId: string, ids: readonly string[] | undefined, field = 'team_ids'): Promise<string[]> {
  const unique = [...new Set(ids ?? [])]
  if (!unique.length) return []
  const found = await tx.selectFrom('teams').select('id').where('tenant_id', '=', tenantId).where('id', 'in', unique).execute()
  const known = new Set(found.map((t) => t.id))
  const stranger = unique.find((id) => !known.has(id))
  if (stranger) throw invalid(field, `${stranger} is not a team of this organization`)
  return unique
}
