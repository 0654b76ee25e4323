import type { Actor } from '../../platform/auth/actor.js'
import { AppError } from '../../platform/errors.js'

/** The built-in role the organization must always keep at least one active holder of. */
export const ADMIN_ROLE_KEY = 'admin'

/**
 * Nobody hands out more than they hold: granting a role (creating, inviting, changing a role) or
 * managing someone whose role carries permissions the actor lacks is refused. Without this, a
 * custom role with `users:manage` could make anyone — itself included — an administrator.
 */
export function assertMayGrant(actor: Actor, permissions: readonly string[], what = 'this role'): void {
  const missing = permissions.filter((p) => !actor.role.permissions.has(p))
  if (missing.length) {
    throw new AppError('forbidden', `You cannot manage ${what}: it has permissions your role does not (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}).`)
  }
}
