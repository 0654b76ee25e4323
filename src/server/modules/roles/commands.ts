import { sql } from 'kysely'
import { BUILTIN_ROLE_KEYS } from '../../../shared/permissions.js'
import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { RoleKind, TicketScope, Tx } from '../../platform/db/schema.js'
import { AppError, conflict, invalid, isUniqueViolation, notFound } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { presentRole, selectRoles, type RoleOut } from './present.js'
import { assertCanGrant, checkRoleDefinition, deriveRoleKey } from './role-rules.js'
import { authChanged } from '../../platform/shared-cache.js'

/** The organization's roles: built-in ones in their fixed order, then custom ones by name. */
export async function listRoles(tx: Tx): Promise<RoleOut[]> {
  const rows = await selectRoles(tx).orderBy(sql`lower(r.name)`).orderBy('r.id').execute()
  const order: readonly string[] = BUILTIN_ROLE_KEYS
  const rank = (key: string, system: boolean) => system && order.includes(key) ? order.indexOf(key) : order.length
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => rank(a.row.key, a.row.is_system) - rank(b.row.key, b.row.is_system) || a.i - b.i)
    .map(({ row }) => presentRole(row))
}

export async function getRole(tx: Tx, id: string): Promise<RoleOut> {
  const row = await selectRoles(tx).where('r.id', '=', id).executeTakeFirst()
  if (!row) throw notFound('Role')
  return presentRole(row)
}

/** A role of the current organization by key, for modules that take `role: <key>` in a body. */
export function findRoleByKey(tx: Tx, key: string) {
  return tx.selectFrom('roles').select(['id', 'key', 'name', 'kind', 'permissions', 'is_system']).where('key', '=', key).executeTakeFirst()
}

async function lockCustomRole(tx: Tx, id: string) {
  const role = await tx.selectFrom('roles').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
  if (!role) throw notFound('Role')
  if (role.is_system) throw conflict('Built-in roles cannot be changed; create a custom role instead.')
  return role
}

async function assertNameFree(tx: Tx, name: string, exceptId?: string): Promise<void> {
  let q = tx.selectFrom('roles').select('id').where(sql`lower(name)`, '=', name.toLowerCase())
  if (exceptId) q = q.where('id', '!=', exceptId)
  if (await q.executeTakeFirst()) throw conflict('A role with this name already exists.', [{ field: 'name', message: 'is already used by another role' }])
}

export interface CreateRoleInput {
  name: string
  key?: string | undefined
  description?: string | null | undefined
  kind: RoleKind
  permissions: string[]
  ticket_scope: TicketScope
}

/**
 * Defines a custom role. The key is derived from the name when not given; a key or name that is
 * already taken is a 409. Permissions must come from the catalogue and suit the kind.
 */
export async function createRole(tx: Tx, actor: Actor, input: CreateRoleInput, ip: string | null): Promise<RoleOut> {
  const name = input.name.trim()
  if (!name) throw invalid('name', 'must not be blank')
  const key = input.key ?? deriveRoleKey(name)
  if (!key) throw invalid('key', 'cannot be derived from this name; give a key such as "billing_team"')
  const permissions = checkRoleDefinition(input)
  assertCanGrant(actor, permissions)
  const keyTaken = conflict(`A role with the key "${key}" already exists.`, [{ field: 'key', message: 'is already taken' }])
  if (await findRoleByKey(tx, key)) throw keyTaken
  await assertNameFree(tx, name)
  const id = uuidv7()
  try {
    await tx.insertInto('roles').values({
      tenant_id: actor.tenantId, id, key, name, description: input.description?.trim() || null,
      kind: input.kind, permissions, ticket_scope: input.ticket_scope, is_system: false,
    }).execute()
  } catch (error) {
    if (isUniqueViolation(error)) throw keyTaken
    throw error
  }
  await recordAudit(tx, actor, 'role.created', 'role', id, { key, name, kind: input.kind, permissions, ticket_scope: input.ticket_scope }, ip)
  return getRole(tx, id)
}

export interface UpdateRoleInput {
  name?: string | undefined
  description?: string | null | undefined
  permissions?: string[] | undefined
  ticket_scope?: TicketScope | undefined
}

/**
 * Edits a custom role. Members pick the change up on their next request, because every request
 * reads the role afresh. Built-in roles are fixed (409).
 */
export async function updateRole(tx: Tx, actor: Actor, id: string, input: UpdateRoleInput, ip: string | null): Promise<RoleOut> {
  const current = await lockCustomRole(tx, id)
  const name = input.name?.trim()
  if (name !== undefined && !name) throw invalid('name', 'must not be blank')
  if (name !== undefined && name.toLowerCase() !== current.name.toLowerCase()) await assertNameFree(tx, name, id)
  const permissions = checkRoleDefinition({
    kind: current.kind,
    permissions: input.permissions ?? current.permissions,
    ticket_scope: input.ticket_scope ?? current.ticket_scope,
  })
  const before = new Set<string>(current.permissions)
  const after = new Set<string>(permissions)
  const added = permissions.filter((p) => !before.has(p))
  const removed = current.permissions.filter((p) => !after.has(p))
  assertCanGrant(actor, added)
  authChanged()
  await tx.updateTable('roles').set({
    ...(name !== undefined ? { name } : {}),
    ...(input.description !== undefined ? { description: input.description?.trim() || null } : {}),
    ...(input.permissions !== undefined ? { permissions } : {}),
    ...(input.ticket_scope !== undefined ? { ticket_scope: input.ticket_scope } : {}),
    updated_at: sql`now()`,
  }).where('id', '=', id).execute()
  await recordAudit(tx, actor, 'role.updated', 'role', id, {
    key: current.key, fields: Object.keys(input), ...(added.length ? { permissions_added: added } : {}), ...(removed.length ? { permissions_removed: removed } : {}),
  }, ip)
  return getRole(tx, id)
}

/** Who still holds a role: any membership, a pending invitation, or a live API key. */
async function roleUsage(tx: Tx, id: string): Promise<{ members: number; invitations: number; api_keys: number }> {
  const row = await tx.selectNoFrom((eb) => [
    eb.selectFrom('memberships').select(eb.fn.countAll<number>().as('n')).where('role_id', '=', id).as('members'),
    eb.selectFrom('invitations').select(eb.fn.countAll<number>().as('n')).where('role_id', '=', id)
      .where('accepted_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '>', sql<string>`now()`).as('invitations'),
    eb.selectFrom('api_keys').select(eb.fn.countAll<number>().as('n')).where('role_id', '=', id)
      .where('revoked_at', 'is', null).where((w) => w.or([w('expires_at', 'is', null), w('expires_at', '>', sql<string>`now()`)])).as('api_keys'),
  ]).executeTakeFirstOrThrow()
  return { members: Number(row.members ?? 0), invitations: Number(row.invitations ?? 0), api_keys: Number(row.api_keys ?? 0) }
}

function describeUsage(usage: { members: number; invitations: number; api_keys: number }): string {
  const parts: string[] = []
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`
  if (usage.members) parts.push(plural(usage.members, 'member', 'members'))
  if (usage.invitations) parts.push(plural(usage.invitations, 'pending invitation', 'pending invitations'))
  if (usage.api_keys) parts.push(plural(usage.api_keys, 'API key', 'API keys'))
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0] ?? ''
}

/**
 * Deletes a custom role nobody uses. The row is locked first: adding a member, invitation or key
 * with this role takes a key-share lock on it, so none can slip in between the count and the
 * delete. Revoked or expired keys and closed invitations go with the role (foreign-key cascade).
 */
export async function deleteRole(tx: Tx, actor: Actor, id: string, ip: string | null): Promise<void> {
  const role = await lockCustomRole(tx, id)
  const usage = await roleUsage(tx, id)
  if (usage.members || usage.invitations || usage.api_keys) {
    throw new AppError('conflict', `This role is in use by ${describeUsage(usage)}; move them to another role first.`,
      Object.entries(usage).filter(([, n]) => n > 0).map(([field, n]) => ({ field, message: `${n} still use this role`, code: 'in_use' })))
  }
  authChanged()
  await tx.deleteFrom('roles').where('id', '=', id).execute()
  await recordAudit(tx, actor, 'role.deleted', 'role', id, { key: role.key, name: role.name }, ip)
}
