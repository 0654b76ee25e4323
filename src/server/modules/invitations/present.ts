import { sql } from 'kysely'
import { Type, type Static } from 'typebox'
import type { RowOf, Tx } from '../../platform/db/schema.js'

export const INVITATION_STATUSES = ['pending', 'accepted', 'revoked', 'expired'] as const
export type InvitationStatus = (typeof INVITATION_STATUSES)[number]

/** Derived from the timestamps, never stored. */
export const StatusSchema = Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('revoked'), Type.Literal('expired')])

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

export const InvitationSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Nullable(Type.String()),
  role: Type.String(),
  team_ids: Type.Array(Type.String()),
  status: StatusSchema,
  invited_by: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  expires_at: Type.String(),
  accepted_at: Nullable(Type.String()),
  revoked_at: Nullable(Type.String()),
  created_at: Type.String(),
})
export type InvitationOut = Static<typeof InvitationSchema>

/** Invitations of the organization with their role key and inviter: the base of every read. */
export function selectInvitations(tx: Tx, tenantId: string) {
  return tx.selectFrom('invitations as i')
    .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'i.tenant_id').onRef('r.id', '=', 'i.role_id'))
    .leftJoin('users as u', 'u.id', 'i.invited_by')
    .select([
      'i.id', 'i.email', 'i.name', 'r.key as role', 'i.team_ids', 'i.invited_by', 'u.name as invited_by_name',
      'i.expires_at', 'i.accepted_at', 'i.revoked_at', 'i.created_at',
    ])
    .where('i.tenant_id', '=', tenantId)
}

export type InvitationRow = RowOf<typeof selectInvitations>

/** Accepted and revoked are final; an open invitation past its expiry is expired. */
export function invitationStatus(row: { accepted_at: string | null; revoked_at: string | null; expires_at: string }, now = Date.now()): InvitationStatus {
  if (row.accepted_at) return 'accepted'
  if (row.revoked_at) return 'revoked'
  return Date.parse(row.expires_at) <= now ? 'expired' : 'pending'
}

/** SQL for one status, matching `invitationStatus`. */
export function statusCondition(status: InvitationStatus) {
  switch (status) {
    case 'accepted': return sql<boolean>`i.accepted_at IS NOT NULL`
    case 'revoked': return sql<boolean>`i.accepted_at IS NULL AND i.revoked_at IS NOT NULL`
    case 'expired': return sql<boolean>`i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at <= now()`
    case 'pending': return sql<boolean>`i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()`
  }
}

export function presentInvitation(row: InvitationRow): InvitationOut {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    team_ids: row.team_ids ?? [],
    status: invitationStatus(row),
    invited_by: row.invited_by && row.invited_by_name ? { id: row.invited_by, name: row.invited_by_name } : null,
    expires_at: row.expires_at,
    accepted_at: row.accepted_at,
    revoked_at: row.revoked_at,
    created_at: row.created_at,
  }
}
