import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import { hashPassword, sha256, verifyPassword } from '../../platform/auth/crypto.js'
import { recordAudit } from '../../platform/audit.js'
import type { AppContext } from '../../platform/context.js'
import type { Tx } from '../../platform/db/schema.js'
import { withOwnerPrivileges, withSystem, withTenant } from '../../platform/db/tenant.js'
import { AppError, conflict, invalid } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { checkSecondFactor, recordFailure } from '../auth/login.js'
import { openSession, type ClientInfo, type TokenPair } from '../auth/sessions.js'
import { findIdentityByEmail } from '../users/create-user.js'
import { joinOrganization } from '../users/memberships.js'
import { addUserTeams } from '../users/team-memberships.js'
import { invitationStatus } from './present.js'

const MIN_NEW_PASSWORD = 10

/** An invitation by its token, with what the accept page shows. Runs before a tenant is known. */
function findByToken(tx: Tx, token: string) {
  return tx.selectFrom('invitations as i')
    .innerJoin('organizations as o', 'o.id', 'i.tenant_id')
    .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'i.tenant_id').onRef('r.id', '=', 'i.role_id'))
    .select([
      'i.tenant_id', 'i.id', 'i.email', 'i.role_id', 'i.team_ids', 'i.expires_at', 'i.accepted_at', 'i.revoked_at',
      'o.name as org_name', 'o.slug as org_slug',
      'r.key as role_key', 'r.name as role_name', 'r.kind as role_kind', 'r.permissions as role_permissions', 'r.ticket_scope',
    ])
    .where('i.token_hash', '=', sha256(token))
    .executeTakeFirst()
}

type FoundInvitation = NonNullable<Awaited<ReturnType<typeof findByToken>>>

/** 404 for a token that never existed; 410 for one that did but can no longer be used. */
function usable(inv: FoundInvitation | undefined): FoundInvitation {
  if (!inv) throw new AppError('not_found', 'This invitation link is not valid.')
  const status = invitationStatus(inv)
  if (status === 'accepted') throw new AppError('gone', 'This invitation was already used. Sign in instead.')
  if (status === 'revoked') throw new AppError('gone', 'This invitation was withdrawn. Ask for a new one.')
  if (status === 'expired') throw new AppError('gone', 'This invitation has expired. Ask for a new one.')
  return inv
}

/** What the accept page needs to know about an invitation link. */
export async function lookupInvitation(ctx: AppContext, token: string) {
  const { inv, identity } = await withSystem(ctx.db, async (tx) => {
    const found = usable(await findByToken(tx, token))
    return { inv: found, identity: await findIdentityByEmail(tx, found.email) }
  })
  return {
    email: inv.email,
    organization: { name: inv.org_name, slug: inv.org_slug },
    role: inv.role_key,
    existing_user: Boolean(identity),
    expires_at: inv.expires_at,
  }
}

export interface AcceptInput {
  token: string
  name?: string | undefined
  password: string
  totp?: string | undefined
}

/**
 * Accepts an invitation and signs the person in to the organization. A new email becomes an
 * account with the given name and password; an existing account proves itself with its password
 * (and second factor, when enrolled) and keeps its name. Membership (a deactivated one is
 * reactivated with the invited role), teams, the single use of the token and the session are one
 * transaction: a second accept of the same link is 410.
 */
export async function acceptInvitation(ctx: AppContext, input: AcceptInput, client: ClientInfo): Promise<TokenPair & { userId: string; tenantId: string }> {
  const { inv, identity } = await withSystem(ctx.db, async (tx) => {
    const found = usable(await findByToken(tx, input.token))
    return { inv: found, identity: await findIdentityByEmail(tx, found.email) }
  })

  let passwordHash: string | null = null
  if (identity) {
    if (identity.locked_until && Date.parse(identity.locked_until) > Date.now()) throw new AppError('account_locked')
    if (!(await verifyPassword(input.password, identity.password_hash))) {
      await recordFailure(ctx, identity.id)
      throw new AppError('invalid_credentials', 'This email already has an Aidly account: enter its password (or set a new one with "Forgot password").', [{ field: 'password', message: 'is not correct' }])
    }
    if (identity.totp_enabled_at && identity.totp_secret) {
      if (!input.totp) throw new AppError('totp_required')
      if (!(await checkSecondFactor(ctx, identity.id, identity.totp_secret, input.totp))) {
        await recordFailure(ctx, identity.id)
        throw new AppError('invalid_totp')
      }
    }
  } else {
    if (!input.name?.trim()) throw invalid('name', 'is required to create your account')
    if (input.password.length < MIN_NEW_PASSWORD) throw invalid('password', `must be at least ${MIN_NEW_PASSWORD} characters`)
    passwordHash = await hashPassword(input.password)
  }

  const userId = identity?.id ?? uuidv7()
  const tenantId = inv.tenant_id
  const pair = await withTenant(ctx.db, { tenantId, userId }, async (tx) => {
    if (!identity) {
      const created = await withOwnerPrivileges(tx, { tenantId, userId }, (sys) => sys.insertInto('users')
        .values({ id: userId, email: inv.email, name: input.name!.trim(), password_hash: passwordHash, password_changed_at: new Date() })
        .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
        .returning('id').executeTakeFirst())
      if (!created) throw conflict('An account with this email was created meanwhile. Open the link again and enter its password.')
    }
    // The claim is the single-use check: of two concurrent accepts only one updates the row.
    const claimed = await tx.updateTable('invitations').set({ accepted_at: sql`now()`, accepted_user_id: userId })
      .where('tenant_id', '=', tenantId).where('id', '=', inv.id).where('token_hash', '=', sha256(input.token))
      .where('accepted_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '>', sql<string>`now()`)
      .returning('id').executeTakeFirst()
    if (!claimed) throw new AppError('gone', 'This invitation was already used or withdrawn.')
    await joinOrganization(tx, tenantId, userId, inv.role_id)
    // Teams deleted since the invitation was sent are skipped rather than failing the accept.
    const teamIds = inv.team_ids?.length
      ? (await tx.selectFrom('teams').select('id').where('tenant_id', '=', tenantId).where('id', 'in', inv.team_ids).execute()).map((t) => t.id)
      : []
    await addUserTeams(tx, tenantId, userId, teamIds)
    const joiner: Actor = {
      kind: 'user', userId, tenantId, sessionId: null, apiKeyId: null,
      role: { id: inv.role_id, key: inv.role_key, name: inv.role_name, kind: inv.role_kind, ticketScope: inv.ticket_scope, permissions: new Set(inv.role_permissions) },
    }
    await recordAudit(tx, joiner, 'invitation.accepted', 'invitation', inv.id, { email: inv.email, role: inv.role_key, new_account: !identity, team_ids: teamIds }, client.ip)
    return withOwnerPrivileges(tx, { tenantId, userId }, async (sys) => {
      await sys.updateTable('users').set({ failed_login_count: 0, last_login_at: sql`now()`, last_login_ip: client.ip }).where('id', '=', userId).execute()
      return openSession(ctx, sys, userId, tenantId, client)
    })
  })
  return { ...pair, userId, tenantId }
}
