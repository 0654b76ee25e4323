import type { Static } from 'typebox'
import type { RowOf, Tx } from '../../platform/db/schema.js'
import type { RoleSchema } from './schemas.js'

export type RoleOut = Static<typeof RoleSchema>

/** Roles of the current organization with how many members hold each (one statement). */
export function selectRoles(tx: Tx) {
  return tx.selectFrom('roles as r')
    .select([
      'r.id', 'r.key', 'r.name', 'r.description', 'r.kind', 'r.permissions', 'r.ticket_scope', 'r.is_system', 'r.created_at', 'r.updated_at',
      (eb) => eb.selectFrom('memberships as m').select(eb.fn.countAll<number>().as('n'))
        .whereRef('m.tenant_id', '=', 'r.tenant_id').whereRef('m.role_id', '=', 'r.id').as('member_count'),
    ])
}

export type RoleListRow = RowOf<typeof selectRoles>

export function presentRole(row: RoleListRow): RoleOut {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    kind: row.kind,
    permissions: row.permissions,
    ticket_scope: row.ticket_scope,
    is_system: row.is_system,
    member_count: Number(row.member_count ?? 0),
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}
