import { Type, type TSchema } from 'typebox'
import { Obj, PageQuery, Uuid } from '../../platform/http.js'

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

export const AuditEventSchema = Type.Object({
  id: Type.String(),
  action: Type.String(),
  subject_type: Type.String(),
  subject_id: Nullable(Type.String()),
  /** The person who acted; null for API keys (then `data.api_key_id` names the key) and the system. */
  actor: Nullable(Type.Object({ id: Type.String(), name: Nullable(Type.String()) })),
  data: Type.Object({}, { additionalProperties: true }),
  ip: Nullable(Type.String()),
  created_at: Type.String(),
})

export const ListAuditQuery = Obj({
  ...PageQuery,
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  actor_id: Type.Optional(Uuid),
  subject_type: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  subject_id: Type.Optional(Uuid),
})
