import { sql } from 'kysely'
import type { AppContext } from '../../platform/context.js'
import { hashPassword, randomToken, sha256 } from '../../platform/auth/crypto.js'
import type { OrganizationSettings } from '../../platform/db/schema.js'
import { withSystem } from '../../platform/db/tenant.js'
import { AppError, conflict, notFound } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { emit } from '../../platform/outbox.js'
import { openSession, type ClientInfo } from '../auth/sessions.js'
import { findUserByEmail, type SignedIn } from '../auth/login.js'
import { CUSTOMER_ROLE_KEY } from '../contacts/portal-access.js'
import { findRoleByKey } from '../users/lookups.js'
import { findMembership, joinOrganization } from '../users/memberships.js'

/** How long the link in a sign-up mail stays valid. */
export const SIGNUP_TTL_MS = 24 * 3600_000

/** Whether an organization takes portal sign-ups (on unless an admin turned `settings.portal_signup` off). */
export function signupOpen(settings: OrganizationSettings | null | undefined): boolean {
  return settings?.portal_signup !== false
}

/**
 * A customer asks to join an organization's portal. Nothing is created for the address yet: a
 * link is mailed to it, and only opening that link (proving the address is theirs) creates the
 * account — so signing up with someone else's address grants nothing, and the answer is the same
 * whether or not the address is known (no way to find out who has an account).
 */
export async function requestSignup(ctx: AppContext, slug: string, input: { name: string; email: string; password: string; locale?: string | undefined }): Promise<void> {
  const org = await withSystem(ctx.db, (tx) => tx.selectFrom('organizations').select(['id', 'name', 'settings']).where('slug', '=', slug).executeTakeFirst())
  if (!org) throw notFound('Organization')
  if (!signupOpen(org.settings)) throw new AppError('forbidden', 'This organization does not take sign-ups; ask its support team for access.')
  const passwordHash = await hashPassword(input.password)
  const token = randomToken()
  const email = input.email.trim()
  await withSystem(ctx.db, async (tx) => {
    await tx.insertInto('portal_signups').values({
      tenant_id: org.id, token_hash: sha256(token), email, name: input.name.trim(), password_hash: passwordHash,
      locale: input.locale ?? null, expires_at: new Date(Date.now() + SIGNUP_TTL_MS),
    }).execute()
    const link = `${ctx.config.publicUrl}/portal/verify?token=${encodeURIComponent(token)}`
    await emit(tx, org.id, 'mail.send', {
      to: email,
      subject: `Confirm your email for ${org.name} support`,
      text: `Hello ${input.name.trim()},\n\nTo finish signing up for ${org.name} support, open this link within 24 hours:\n\n${link}\n\nIf you did not sign up, ignore this message; nothing was created.\n`,
    })
  })
  ctx.outbox.nudge()
}

export type VerifyOutcome = { status: 'signed_in'; session: SignedIn } | { status: 'sign_in_required'; tenantId: string }

/**
 * Opens a sign-up link: the address is proven. A new address becomes an account with the chosen
 * password, a customer of the organization (linked to its contact, so tickets sent earlier from
 * that address are theirs), and is signed in. An address that already had an account keeps its
 * own password and second factor: it joins as a customer if it was not a member, and is asked to
 * sign in. A member whose access was turned off stays off (409). A used or expired link is 410.
 */
export async function verifySignup(ctx: AppContext, token: string, client: ClientInfo): Promise<VerifyOutcome> {
  return withSystem(ctx.db, async (tx) => {
    const signup = await tx.updateTable('portal_signups').set({ used_at: sql`now()` })
      .where('token_hash', '=', sha256(token)).where('used_at', 'is', null).where('expires_at', '>', sql<string>`now()`)
      .returning(['tenant_id', 'email', 'name', 'password_hash', 'locale']).executeTakeFirst()
    if (!signup) throw new AppError('gone', 'This sign-up link has expired or was already used. Sign up again to get a new one.')
    const tenantId = signup.tenant_id
    const role = await findRoleByKey(tx, tenantId, CUSTOMER_ROLE_KEY)
    const existing = await findUserByEmail(tx, signup.email)
    if (existing) {
      const membership = await findMembership(tx, tenantId, existing.id)
      if (membership && !membership.is_active) throw conflict('Your access to this organization was turned off. Contact its support team.')
      if (!membership) await joinOrganization(tx, tenantId, existing.id, role.id)
      return { status: 'sign_in_required', tenantId }
    }
    const userId = uuidv7()
    await tx.insertInto('users').values({
      id: userId, email: signup.email, name: signup.name, password_hash: signup.password_hash, password_changed_at: new Date(),
      ...(signup.locale ? { locale: signup.locale } : {}),
    }).execute()
    await joinOrganization(tx, tenantId, userId, role.id)
    // Other pending links for the same address in this organization are spent too.
    await tx.updateTable('portal_signups').set({ used_at: sql`now()` })
      .where('tenant_id', '=', tenantId).where(sql`lower(email)`, '=', signup.email.toLowerCase()).where('used_at', 'is', null).execute()
    const pair = await openSession(ctx, tx, userId, tenantId, client)
    return { status: 'signed_in', session: { ...pair, userId, tenantId } }
  })
}
