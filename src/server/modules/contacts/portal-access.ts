import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { AppContext } from '../../platform/context.js'
import type { Tx } from '../../platform/db/schema.js'
import { withOwnerPrivileges } from '../../platform/db/tenant.js'
import { conflict, invalid } from '../../platform/errors.js'
import { createUser, findIdentityByEmail } from '../users/create-user.js'
import { getContact, lockContact } from './manage-contacts.js'
import type { ContactOut } from './present.js'

/** The built-in portal role a contact's user gets. */
export const CUSTOMER_ROLE_KEY = 'customer'

/**
 * Turns a contact into a customer user of the organization: the global identity for the
 * contact's email (created when new — then mailed a link to choose a password, the same flow as
 * adding a user without a password), a membership with the customer role, and the contact linked
 * to that user. Someone who is already a member keeps their role and is only linked.
 */
export async function grantPortalAccess(ctx: AppContext, tx: Tx, actor: Actor, contactId: string, ip: string | null): Promise<{ contact: ContactOut; created_user: boolean }> {
  const contact = await lockContact(tx, contactId)
  if (contact.user_id) throw conflict('This contact already has portal access.', [{ field: 'user_id', message: 'is already set' }])
  if (!contact.email) throw invalid('email', 'the contact needs an email address to sign in with')
  if (contact.is_blocked) throw conflict('This contact is blocked; unblock it before giving it portal access.', [{ field: 'is_blocked', message: 'is true' }])

  const identity = await withOwnerPrivileges(tx, { tenantId: actor.tenantId, userId: actor.userId }, (sys) => findIdentityByEmail(sys, contact.email!))
  const membership = identity
    ? await tx.selectFrom('memberships').select(['is_active']).where('user_id', '=', identity.id).executeTakeFirst()
    : undefined
  let userId: string
  let createdUser = false
  if (identity && membership) {
    if (!membership.is_active) throw conflict('This person is a deactivated member of the organization; reactivate them first.', [{ field: 'email', message: 'belongs to a deactivated member' }])
    const linked = await tx.selectFrom('contacts').select('id').where('user_id', '=', identity.id).where('deleted_at', 'is', null).executeTakeFirst()
    if (linked) throw conflict('Another contact already signs in as this person.', [{ field: 'email', message: 'is linked to another contact' }])
    userId = identity.id
  } else {
    userId = await createUser(ctx, tx, actor, { name: contact.name, email: contact.email, role: CUSTOMER_ROLE_KEY, passwordHash: null }, ip)
    createdUser = !identity
  }
  await tx.updateTable('contacts').set({ user_id: userId, updated_at: sql`now()` }).where('id', '=', contactId).execute()
  await recordAudit(tx, actor, 'contact.portal_access_granted', 'contact', contactId, { user_id: userId, new_identity: createdUser }, ip)
  return { contact: await getContact(tx, contactId), created_user: createdUser }
}
