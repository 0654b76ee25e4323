import { sql } from 'kysely'
import type { Tx } from '../../platform/db/schema.js'
import { conflict } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { linkCustomerContact } from '../contacts/find-or-create.js'
import { ADMIN_ROLE_KEY } from './policy.js'
import { authChanged } from '../../platform/shared-cache.js'

export interface MembershipRow {
  id: string
  role_id: string
  role_key: string
  role_permissions: string[]
  is_active: boolean
}

/** A person's membership of the organization with its role, optionally locked for an update. */
export function findMembership(tx: Tx, tenantId: string, userId: string, opts: { lock?: boolean } = {}): Promise<MembershipRow | undefined> {
  let q = tx.selectFrom('memberships as m')
    .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'm.tenant_id').onRef('r.id', '=', 'm.role_id'))
    .select(['m.id', 'm.role_id', 'r.key as role_key', 'r.permissions as role_permissions', 'm.is_active'])
    .where('m.tenant_id', '=', tenantId).where('m.user_id', '=', userId)
  if (opts.lock) q = q.forUpdate('m')
  return q.executeTakeFirst()
}

/**
 * Makes a person a member with a role: a new membership, or — for a deactivated member — the same
 * one reactivated with the new role (their history stays attached to it).
 */
export async function joinOrganization(tx: Tx, tenantId: string, userId: string, roleId: string, title: string | null = null): Promise<void> {
  const existing = await findMembership(tx, tenantId, userId, { lock: true })
  if (existing?.is_active) throw conflict('This person is already a member of the organization.')
  if (existing) {
    authChanged()
    await tx.updateTable('memberships')
      .set({ role_id: roleId, is_active: true, deactivated_at: null, updated_at: sql`now()`, ...(title !== null ? { title } : {}) })
      .where('tenant_id', '=', tenantId).where('id', '=', existing.id).execute()
  } else {
    await tx.insertInto('memberships').values({ tenant_id: tenantId, id: uuidv7(), user_id: userId, role_id: roleId, title }).execute()
  }
  await linkContactIfCustomer(tx, tenantId, userId, roleId)
}

/** Customers are their contact in the portal: link it when a membership gets a customer role. */
export async function linkContactIfCustomer(tx: Tx, tenantId: string, userId: string, roleId: string): Promise<void> {
  const role = await tx.selectFrom('roles').select('kind').where('tenant_id', '=', tenantId).where('id', '=', roleId).executeTakeFirst()
  if (role?.kind === 'customer') await linkCustomerContact(tx, tenantId, userId)
}

/**
 * Refuses to take away the administrator role or active status from the last active
 * administrator. The admin role row is locked first, so two concurrent demotions of the last two
 * admins are decided one after the other and the second one sees the first.
 */
export async function assertKeepsAnAdmin(tx: Tx, tenantId: string, userId: string): Promise<void> {
  const admin = await tx.selectFrom('roles').select('id')
    .where('tenant_id', '=', tenantId).where('key', '=', ADMIN_ROLE_KEY).forUpdate().executeTakeFirst()
  if (!admin) return
  const other = await tx.selectFrom('memberships').select('id')
    .where('tenant_id', '=', tenantId).where('role_id', '=', admin.id).where('is_active', '=', true).where('user_id', '!=', userId)
    .limit(1).executeTakeFirst()
  if (!other) {
    throw conflict('This is the last active administrator of the organization. Make someone else an administrator first.')
  }
}
