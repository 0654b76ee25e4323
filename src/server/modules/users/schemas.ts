import { Type, type Static } from 'typebox'
import { USER_ROLE_KEY_PATTERN } from '../../../shared/permissions.js'
import { Email, Obj, PageQuery, Password, Uuid } from '../../platform/http.js'
import { UserSchema } from './present.js'

export const RoleKey = Type.String({ pattern: USER_ROLE_KEY_PATTERN, description: 'A role key of this organization (built-in or custom)' })
const Title = Type.Union([Type.String({ maxLength: 200 }), Type.Null()])
const TeamIds = Type.Array(Uuid, { maxItems: 100, description: 'Teams of this organization' })


export const ListUsersQuery = Obj({
  role: Type.Optional(RoleKey),
  is_active: Type.Optional(Type.Boolean()),
  team_id: Type.Optional(Uuid),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Part of the name or email, any letter case' })),
  sort: Type.Optional(Type.Union([Type.Literal('name'), Type.Literal('-name'), Type.Literal('email'), Type.Literal('created_at'), Type.Literal('-created_at')], { default: 'name' })),
  ...PageQuery,
})
export type ListUsersQuery = Static<typeof ListUsersQuery>

export const CreateUserBody = Obj({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  email: Email,
  role: RoleKey,
  password: Type.Optional(Password),
  title: Type.Optional(Title),
  team_ids: Type.Optional(TeamIds),
})

export const UpdateUserBody = Obj({
  role: Type.Optional(RoleKey),
  title: Type.Optional(Title),
  is_active: Type.Optional(Type.Boolean()),
  team_ids: Type.Optional(TeamIds),
})

export const UserTeamSchema = Type.Object({ id: Type.String(), name: Type.String(), is_lead: Type.Boolean() })

export const UserDetailSchema = Type.Object({ ...UserSchema.properties, teams: Type.Array(UserTeamSchema) })
