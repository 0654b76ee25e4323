import { Type, type TSchema } from 'typebox'
import { USER_ROLE_KEY_PATTERN } from '../../../shared/permissions.js'
import { Obj, Timestamp } from '../../platform/http.js'

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

export const ApiKeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** The public part of the key (the 8 characters after `aidly_`), to tell keys apart. */
  prefix: Type.String(),
  /** The key of the role the API key acts as. */
  role: Type.String(),
  /** Who created it; `name` is null once they have left the organization. */
  created_by: Nullable(Type.Object({ id: Type.String(), name: Nullable(Type.String()) })),
  last_used_at: Nullable(Type.String()),
  expires_at: Nullable(Type.String()),
  revoked_at: Nullable(Type.String()),
  created_at: Type.String(),
})

export const CreatedApiKeySchema = Type.Object({
  ...ApiKeySchema.properties,
  /** The whole key. Shown only in this response; only its hash is stored. */
  key: Type.String(),
})

export const CreateApiKeyBody = Obj({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  role: Type.Optional(Type.String({ pattern: USER_ROLE_KEY_PATTERN })),
  expires_at: Type.Optional(Nullable(Timestamp)),
})
