import { CUSTOMER_PERMISSIONS, PERMISSIONS, type Permission } from '../../../shared/permissions.js'
import type { Actor } from '../../platform/auth/actor.js'
import type { RoleKind, TicketScope } from '../../platform/db/schema.js'
import { AppError, type ErrorDetail } from '../../platform/errors.js'

export { CUSTOMER_PERMISSIONS }

const KEY_RE = /^[a-z][a-z0-9_]{0,49}$/

/**
 * A role key from a display name: ASCII lowercase, runs of anything else as one underscore.
 * `Tier 2 — Billing` → `tier_2_billing`. Null when nothing usable is left (e.g. a non-Latin
 * name); the caller then asks for an explicit key.
 */
export function deriveRoleKey(name: string): string | null {
  let key = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '')
  if (/^[0-9]/.test(key)) key = `role_${key}`
  key = key.slice(0, 50).replace(/_+$/, '')
  return KEY_RE.test(key) ? key : null
}

export interface RoleDefinition {
  kind: RoleKind
  permissions: string[]
  ticket_scope: TicketScope
}

/**
 * Checks a role's permissions against the catalogue and the rules for its kind; returns the
 * permissions de-duplicated in catalogue order. Every problem is reported, each on its field.
 */
export function checkRoleDefinition(def: RoleDefinition): Permission[] {
  const details: ErrorDetail[] = []
  def.permissions.forEach((p, i) => {
    if (!(p in PERMISSIONS)) {
      details.push({ field: `permissions.${i}`, message: `"${p}" is not a known permission`, code: 'unknown_permission' })
    } else if (def.kind === 'customer' && !CUSTOMER_PERMISSIONS.has(p as Permission)) {
      details.push({ field: `permissions.${i}`, message: `"${p}" cannot be given to a customer role`, code: 'not_for_customers' })
    }
  })
  if (def.kind === 'customer' && def.ticket_scope !== 'requested') {
    details.push({ field: 'ticket_scope', message: 'must be "requested" for a customer role', code: 'scope_for_kind' })
  }
  if (def.kind === 'staff' && def.ticket_scope === 'requested') {
    details.push({ field: 'ticket_scope', message: '"requested" is only for customer roles', code: 'scope_for_kind' })
  }
  if (details.length) throw new AppError('validation_error', `${details[0]!.field}: ${details[0]!.message}`, details)
  const wanted = new Set(def.permissions)
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => wanted.has(p))
}

/**
 * Nobody hands out more than they hold: granting a permission one lacks (through a role or an
 * API key) would be a way around the permission itself. Admins hold everything, so this only
 * limits delegated roles that were given `roles:manage` or `api_keys:manage`.
 */
export function assertCanGrant(actor: Actor, permissions: Iterable<string>): void {
  const missing = [...permissions].filter((p) => !actor.role.permissions.has(p))
  if (missing.length) {
    throw new AppError('forbidden', `You cannot grant permissions you do not hold: ${missing.join(', ')}.`,
      missing.map((p) => ({ field: 'permissions', message: `you do not hold ${p}`, code: 'not_grantable' })))
  }
}
