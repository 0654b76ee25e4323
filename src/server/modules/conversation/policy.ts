import { can, type Actor } from '../../platform/auth/actor.js'
import { isCustomer } from '../tickets/visibility.js'

/**
 * Who may read and write internal notes: staff holding comments:internal. Customers never do,
 * whatever their role says (a customer-kind role cannot hold the permission anyway), and
 * viewers, who lack it, see the public conversation only.
 */
export function seesInternal(actor: Actor): boolean {
  return !isCustomer(actor) && can(actor, 'comments:internal')
}

/**
 * A manager or administrator for conversation purposes: staff who may edit tickets and see all
 * of the organization's tickets (ticket scope `all`, which the built-in manager and admin roles
 * have and agents do not). They may edit other staff members' comments and delete anyone's time
 * entries.
 */
export function isSupervisor(actor: Actor): boolean {
  return actor.role.kind === 'staff' && actor.role.ticketScope === 'all' && can(actor, 'tickets:update')
}

/** How long a customer may still correct a reply they posted. */
export const CUSTOMER_EDIT_WINDOW_MS = 15 * 60 * 1000
