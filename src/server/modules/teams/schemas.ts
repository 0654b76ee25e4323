import { Type, type TSchema } from 'typebox'
import { Obj, PageQuery, Uuid } from '../../platform/http.js'

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

export const TeamMemberSchema = Type.Object({
  user_id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  /** The member's role key in the organization. */
  role: Type.String(),
  is_lead: Type.Boolean(),
  /** False when the person is deactivated in the organization (they stay on the team). */
  is_active: Type.Boolean(),
  joined_at: Type.String(),
})

export const TeamSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Nullable(Type.String()),
  parent_id: Nullable(Type.String()),
  member_count: Type.Integer(),
  created_at: Type.String(),
  updated_at: Type.String(),
})

export const TeamDetailSchema = Type.Object({ ...TeamSchema.properties, members: Type.Array(TeamMemberSchema) })

const Name = Type.String({ minLength: 1, maxLength: 100 })
const Description = Nullable(Type.String({ maxLength: 1000 }))

export const ListTeamsQuery = Obj({ ...PageQuery, q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) })

export const CreateTeamBody = Obj({
  name: Name,
  description: Type.Optional(Description),
  parent_id: Type.Optional(Nullable(Uuid)),
})

export const UpdateTeamBody = Obj({
  name: Type.Optional(Name),
  description: Type.Optional(Description),
  parent_id: Type.Optional(Nullable(Uuid)),
})

export const AddMemberBody = Obj({ user_id: Uuid, is_lead: Type.Optional(Type.Boolean()) })
export const MemberParams = Obj({ id: Uuid, user_id: Uuid })
