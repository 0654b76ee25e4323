import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import { randomToken, sha256 } from '../../platform/auth/crypto.js'
import { recordAudit } from '../../platform/audit.js'
import type { AppContext } from '../../platform/context.js'
import type { Tx } from '../../platform/db/schema.js'
import { conflict, notFound } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { emit } from '../../platform/outbox.js'
import { senderNames } from '../users/create-user.js'
import { findRoleByKey, resolveTeamIds } from '../users/lookups.js'
import { assertMayGrant } from '../users/policy.js'

export const INVITATION_TTL_MS = 7 * 86400_000

export interface NewInvitation {
  email: string
  role: string
  name?: string | undefined
  team_ids?: string[] | undefined
}

export interface IssuedInvitation {
  id: string
  /** The link with the token; the token itself is stored only as its SHA-256. */
  acceptUrl: string
}

/** The link the invitee opens; the web app looks the token up and asks for a name and password. */
export function acceptUrl(ctx: AppContext, token: string): string {
  return `${ctx.config.publicUrl}/invite?token=${encodeURIComponent(token)}`
}

async function assertNotActiveMember(tx: Tx, tenantId: string, email: string): Promise<void> {
  const member = await tx.selectFrom('memberships as m').innerJoin('users as u', 'u.id', 'm.user_id').select('m.id')
    .where('m.tenant_id', '=', tenantId).where('m.is_active', '=', true).where(sql`lower(u.email)`, '=', email.toLowerCase())
    .executeTakeFirst()
  if (member) throw conflict('This person is already an active member of the organization.', [{ field: 'email', message: 'is already a member', code: 'already_member' }])
}

/**
 * Invites someone by email to join with a role (and teams): a single-use link valid for 7 days is
 * mailed to them. 409 when they are already an active member or already have a pending
 * invitation; an earlier invitation that expired unused is superseded (marked revoked).
 */
export async function createInvitation(ctx: AppContext, tx: Tx, actor: Actor, input: NewInvitation, ip: string | null): Promise<IssuedInvitation> {
  const tenantId = actor.tenantId
  const email = input.email.trim()
  const role = await findRoleByKey(tx, tenantId, input.role)
  assertMayGrant(actor, role.permissions, `the ${role.key} role`)
  const teamIds = await resolveTeamIds(tx, tenantId, input.team_ids)
  await assertNotActiveMember(tx, tenantId, email)

  // An expired invitation still holds the one-open-invitation-per-email index; the new one replaces it.
  await tx.updateTable('invitations').set({ revoked_at: sql`now()` })
    .where('tenant_id', '=', tenantId).where(sql`lower(email)`, '=', email.toLowerCase())
    .where('accepted_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '<=', sql<string>`now()`)
    .execute()
  const open = await tx.selectFrom('invitations').select('id')
    .where('tenant_id', '=', tenantId).where(sql`lower(email)`, '=', email.toLowerCase())
    .where('accepted_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst()
  if (open) throw pendingConflict()

  const id = uuidv7()
  const token = randomToken()
  await tx.insertInto('invitations').values({
    tenant_id: tenantId, id, email, name: input.name?.trim() || null, role_id: role.id, team_ids: teamIds,
    token_hash: sha256(token), invited_by: actor.userId, expires_at: new Date(Date.now() + INVITATION_TTL_MS),
  }).execute()
  await recordAudit(tx, actor, 'invitation.created', 'invitation', id, { email, role: role.key, team_ids: teamIds }, ip)
  await mailInvitation(ctx, tx, actor, { email, name: input.name?.trim() || null, roleName: role.name, token })
  return { id, acceptUrl: acceptUrl(ctx, token) }
}

export function pendingConflict() {
  return conflict('There is already a pending invitation for this email. Resend or revoke it instead.', [{ field: 'email', message: 'has a pending invitation', code: 'pending_invitation' }])
}

async function lockInvitation(tx: Tx, tenantId: string, id: string) {
  const row = await tx.selectFrom('invitations as i')
    .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'i.tenant_id').onRef('r.id', '=', 'i.role_id'))
    .select(['i.id', 'i.email', 'i.name', 'i.accepted_at', 'i.revoked_at', 'r.name as role_name', 'r.permissions'])
    .where('i.tenant_id', '=', tenantId).where('i.id', '=', id).forUpdate('i').executeTakeFirst()
  if (!row) throw notFound('Invitation')
  return row
}

/**
 * Mails the invitation again with a new token and a fresh 7 days; the previous link stops working.
 * Works for open invitations, expired ones included; accepted or revoked ones are final (409).
 */
export async function resendInvitation(ctx: AppContext, tx: Tx, actor: Actor, id: string, ip: string | null): Promise<IssuedInvitation> {
  const inv = await lockInvitation(tx, actor.tenantId, id)
  if (inv.accepted_at) throw conflict('This invitation was already accepted.')
  if (inv.revoked_at) throw conflict('This invitation was revoked. Invite the person again.')
  assertMayGrant(actor, inv.permissions, 'this invitation')
  await assertNotActiveMember(tx, actor.tenantId, inv.email)
  const token = randomToken()
  await tx.updateTable('invitations').set({ token_hash: sha256(token), expires_at: new Date(Date.now() + INVITATION_TTL_MS) })
    .where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute()
  await recordAudit(tx, actor, 'invitation.resent', 'invitation', id, { email: inv.email }, ip)
  await mailInvitation(ctx, tx, actor, { email: inv.email, name: inv.name, roleName: inv.role_name, token })
  return { id, acceptUrl: acceptUrl(ctx, token) }
}

/** Withdraws an invitation so its link stops working; revoking twice is harmless, an accepted one is 409. */
export async function revokeInvitation(tx: Tx, actor: Actor, id: string, ip: string | null): Promise<void> {
  const inv = await lockInvitation(tx, actor.tenantId, id)
  if (inv.accepted_at) throw conflict('This invitation was already accepted; deactivate the person instead.')
  if (inv.revoked_at) return
  await tx.updateTable('invitations').set({ revoked_at: sql`now()` }).where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute()
  await recordAudit(tx, actor, 'invitation.revoked', 'invitation', id, { email: inv.email }, ip)
}

async function mailInvitation(ctx: AppContext, tx: Tx, actor: Actor, m: { email: string; name: string | null; roleName: string; token: string }): Promise<void> {
  const names = await senderNames(tx, actor.tenantId, actor.userId)
  const inviter = names.actor ?? names.organization
  await emit(tx, actor.tenantId, 'mail.send', {
    to: m.email,
    subject: `${inviter} invited you to ${names.organization} on Aidly`,
    text: `Hello ${m.name ?? 'there'},\n\n${inviter} invited you to join ${names.organization} on Aidly as ${m.roleName}. `
      + `Open this link within 7 days to accept:\n\n${acceptUrl(ctx, m.token)}\n\nIf you did not expect this invitation, ignore this message.\n`,
  })
}
