import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { AppError, conflict, forbidden } from '../../platform/errors.js'
import { companyForEmail, findOrCreateContact } from '../contacts/find-or-create.js'
import { findContact, type ContactRow } from './references.js'

/**
 * The contact a signed-in customer acts as: the one linked to their user, else the contact with
 * their email (linked to them now), else a new one. A contact with their email that is already
 * linked to another person is a 409 rather than a silent takeover. Blocked contacts may not
 * open tickets (403).
 */
export async function customerContact(tx: Tx, actor: Actor): Promise<ContactRow> {
  if (!actor.userId) throw forbidden('Only a signed-in customer has a contact.')
  const linked = await tx.selectFrom('contacts').select(['id', 'name', 'email', 'company_id', 'is_blocked'])
    .where('tenant_id', '=', actor.tenantId).where('user_id', '=', actor.userId).where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (linked) return usable(linked)
  const user = await tx.selectFrom('users').select(['email', 'name']).where('id', '=', actor.userId).executeTakeFirstOrThrow()
  const contact = await findOrCreateContact(tx, actor.tenantId, { email: user.email, name: user.name, userId: actor.userId })
  if (!contact.created) {
    const claimed = await tx.updateTable('contacts').set({ user_id: actor.userId })
      .where('tenant_id', '=', actor.tenantId).where('id', '=', contact.id).where('user_id', 'is', null)
      .returning('id').executeTakeFirst()
    if (!claimed) throw conflict('Your email address belongs to a contact linked to another account.', [{ field: 'requester', message: 'is linked to another account' }])
  }
  return usable(contact)
}

function usable(contact: ContactRow & { is_blocked: boolean }): ContactRow {
  if (contact.is_blocked) throw new AppError('forbidden', 'This contact is blocked from opening tickets.')
  return { id: contact.id, name: contact.name, email: contact.email, company_id: contact.company_id }
}

/** Ids of the contacts linked to the actor's user (customers; empty for staff and API keys). */
export async function contactIdsOf(tx: Tx, actor: Actor): Promise<string[]> {
  if (!actor.userId) return []
  const rows = await tx.selectFrom('contacts').select('id')
    .where('tenant_id', '=', actor.tenantId).where('user_id', '=', actor.userId).where('deleted_at', 'is', null).execute()
  return rows.map((r) => r.id)
}

/**
 * The requester a staff member names: an existing contact by id, or one found or created by
 * email. Its company comes with it — the contact's own, else the company whose domain matches.
 */
export async function resolveRequester(
  tx: Tx, tenantId: string, input: { requester?: { email: string; name?: string | undefined } | undefined; requester_id?: string | undefined },
): Promise<{ contact: ContactRow; companyId: string | null } | null> {
  let contact: ContactRow
  if (input.requester) {
    const found = await findOrCreateContact(tx, tenantId, { email: input.requester.email, name: input.requester.name ?? null })
    contact = { id: found.id, name: found.name, email: found.email, company_id: found.company_id }
  } else if (input.requester_id) {
    contact = await findContact(tx, tenantId, input.requester_id)
  } else {
    return null
  }
  const companyId = contact.company_id ?? (contact.email ? await companyForEmail(tx, tenantId, contact.email) : null)
  return { contact, companyId }
}
