import { Type, type TSchema } from 'typebox'
import { USER_ROLE_KEY_PATTERN } from '../../../shared/permissions.js'
import { Obj } from '../../platform/http.js'

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

export const RoleKindSchema = Type.Enum(['staff', 'customer'])
export const TicketScopeSchema = Type.Enum(['all', 'team', 'own', 'requested'])

export const PermissionSchema = Type.Object({ key: Type.String(), description: Type.String() })

export const RoleSchema = Type.Object({
  id: Type.String(),
  key: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  kind: RoleKindSchema,
  permissions: Type.Array(Type.String()),
  ticket_scope: TicketScopeSchema,
  is_system: Type.Boolean(),
  /** People holding the role in this organization, deactivated ones included. */
  member_count: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
})

const Name = Type.String({ minLength: 1, maxLength: 100 })
const Description = Nullable(Type.String({ maxLength: 500 }))
// Checked against the catalogue in the command, so an unknown name is reported as `permissions.N`.
const Permissions = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })

export const CreateRoleBody = Obj({
  name: Name,
  key: Type.Optional(Type.String({ pattern: USER_ROLE_KEY_PATTERN })),
  description: Type.Optional(Description),
  kind: RoleKindSchema,
  permissions: Permissions,
  ticket_scope: TicketScopeSchema,
})

/** `key` and `kind` are fixed once a role exists: clients and API keys refer to both. */
export const UpdateRoleBody = Obj({
  name: Type.Optional(Name),
  description: Type.Optional(Description),
  permissions: Type.Optional(Permissions),
  ticket_scope: Type.Optional(TicketScopeSchema),
})
