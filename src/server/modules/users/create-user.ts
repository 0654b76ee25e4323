import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import { randomToken, sha256 } from '../../platform/auth/crypto.js'
import { recordAudit } from '../../platform/audit.js'
import type { AppContext } from '../../platform/context.js'
import type { Tx } from '../../platform/db/schema.js'
import { withOwnerPrivileges } from '../../platform/db/tenant.js'
import { conflict } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { emit } from '../../platform/outbox.js'
import { findRoleByKey, resolveTeamIds } from './lookups.js'
import { joinOrganization } from './memberships.js'
import { assertMayGrant } from './policy.js'
import { addUserTeams } from './team-memberships.js'

/** How long the "choose your password" link of a user created without one stays valid. */
export const SET_PASSWORD_TTL_MS = 7 * 86400_000

export interface CreateUserInput {
  name: string
  email: string
  role: string
  title?: string | null | undefined
  team_ids?: string[] | undefined
  /** Already hashed by the caller (outside the transaction: scrypt is slow); null for none. */
  passwordHash: string | null
}

/** A global identity by email, whichever organization it belongs to. Needs owner privileges. */
export function findIdentityByEmail(tx: Tx, email: string) {
  return tx.selectFrom('users').select(['id', 'email', 'name', 'password_hash', 'totp_secret', 'totp_enabled_at', 'locked_until'])
    .where(sql`lower(email)`, '=', email.trim().toLowerCase()).executeTakeFirst()
}

/**
 * Adds a person to the actor's organization. An email already known to Aidly (from any
 * organization) gets a membership for that identity — its name and password stay theirs; a new
 * email gets a new identity, and when no password is given, a mail with a link to choose one.
 * Returns the user id. 409 when the person is already a member.
 */
export async function createUser(ctx: AppContext, tx: Tx, actor: Actor, input: CreateUserInput, ip: string | null): Promise<string> {
  const tenantId = actor.tenantId
  const role = await findRoleByKey(tx, tenantId, input.role)
  assertMayGrant(actor, role.permissions, `the ${role.key} role`)
  const teamIds = await resolveTeamIds(tx, tenantId, input.team_ids)
  const owner = { tenantId, userId: actor.userId }
  const email = input.email.trim()

  const existing = await withOwnerPrivileges(tx, owner, (sys) => findIdentityByEmail(sys, email))
  let userId: string
  let setPasswordToken: string | null = null
  if (existing) {
    userId = existing.id
  } else {
    userId = uuidv7()
    setPasswordToken = input.passwordHash ? null : randomToken()
    // Insert-or-nothing rather than catching a unique violation: a failed statement would abort the
    // transaction, and withOwnerPrivileges could not restore the tenant role afterwards.
    const inserted = await withOwnerPrivileges(tx, owner, async (sys) => {
      const row = await sys.insertInto('users')
        .values({ id: userId, email, name: input.name.trim(), password_hash: input.passwordHash, password_changed_at: input.passwordHash ? new Date() : null })
        .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
        .returning('id').executeTakeFirst()
      if (row && setPasswordToken) {
        await sys.insertInto('password_resets')
          .values({ token_hash: sha256(setPasswordToken), user_id: userId, expires_at: new Date(Date.now() + SET_PASSWORD_TTL_MS) }).execute()
      }
      return row
    })
    if (!inserted) throw conflict('Someone with this email was added at the same moment. Try again.', [{ field: 'email', message: 'was just taken' }])
  }

  const membership = await tx.selectFrom('memberships').select('id').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst()
  if (membership) {
    throw conflict('This person is already a member of the organization (deactivated members can be reactivated).', [{ field: 'email', message: 'is already a member', code: 'already_member' }])
  }
  await joinOrganization(tx, tenantId, userId, role.id, input.title?.trim() || null)
  await addUserTeams(tx, tenantId, userId, teamIds)
  await recordAudit(tx, actor, 'user.created', 'user', userId, { role: role.key, existing_identity: Boolean(existing), team_ids: teamIds }, ip)

  const names = await senderNames(tx, tenantId, actor.userId)
  const by = names.actor ? `${names.actor} added you` : 'You were added'
  if (setPasswordToken) {
    const link = `${ctx.config.publicUrl}/reset-password?token=${encodeURIComponent(setPasswordToken)}`
    await emit(tx, tenantId, 'mail.send', {
      to: email,
      subject: `Your ${names.organization} account on Aidly`,
      text: `Hello ${input.name.trim()},\n\n${by} to ${names.organization} on Aidly. Choose your password within 7 days with this link:\n\n${link}\n\nAfter that, ask ${names.organization} for a new link.\n`,
    })
  } else if (existing) {
    await emit(tx, tenantId, 'mail.send', {
      to: existing.email,
      subject: `You now have access to ${names.organization} on Aidly`,
      text: `Hello ${existing.name},\n\n${by} to ${names.organization} on Aidly. Sign in with your usual email and password and choose ${names.organization} from your organizations:\n\n${ctx.config.publicUrl}/login\n`,
    })
  }
  return userId
}

/** The organization's name and the acting person's (null for API keys), for mail wording. */
export async function senderNames(tx: Tx, tenantId: string, actorUserId: string | null): Promise<{ organization: string; actor: string | null }> {
  const org = await tx.selectFrom('organizations').select('name').where('id', '=', tenantId).executeTakeFirstOrThrow()
  const person = actorUserId
    ? await tx.selectFrom('users').select('name').where('id', '=', actorUserId).executeTakeFirst()
    : undefined
  return { organization: org.name, actor: person?.name ?? null }
}
