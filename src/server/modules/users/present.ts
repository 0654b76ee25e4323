import { Type, type Static } from 'typebox'
import type { RowOf, Tx } from '../../platform/db/schema.js'

export const UserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  avatar_url: Type.Union([Type.String(), Type.Null()]),
  locale: Type.Union([Type.String(), Type.Null()]),
  time_zone: Type.Union([Type.String(), Type.Null()]),
  role: Type.String(),
  title: Type.Union([Type.String(), Type.Null()]),
  is_active: Type.Boolean(),
  two_factor_enabled: Type.Boolean(),
  created_at: Type.String(),
  last_login_at: Type.Union([Type.String(), Type.Null()]),
})
export type UserOut = Static<typeof UserSchema>

/**
 * People of the current organization: the global identity joined with the membership and role.
 * The base of every user read, so lists never N+1.
 */
export function selectMembers(tx: Tx) {
  return tx.selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'm.tenant_id').onRef('r.id', '=', 'm.role_id'))
    .select([
      'u.id', 'u.email', 'u.name', 'u.avatar_url', 'u.locale', 'u.time_zone', 'u.totp_enabled_at', 'u.last_login_at',
      'm.created_at', 'm.is_active', 'm.title', 'r.key as role',
    ])
}

export type MemberRow = RowOf<typeof selectMembers>

export function presentUser(row: MemberRow): UserOut {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    avatar_url: row.avatar_url,
    locale: row.locale,
    time_zone: row.time_zone,
    role: row.role,
    title: row.title,
    is_active: row.is_active,
    two_factor_enabled: row.totp_enabled_at !== null,
    created_at: row.created_at,
    last_login_at: row.last_login_at,
  }
}
