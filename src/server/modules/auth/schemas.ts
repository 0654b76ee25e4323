import { Type } from 'typebox'
import { Email, Obj, Password, Uuid } from '../../platform/http.js'
import { OrganizationSchema } from '../organizations/present.js'
import { UserSchema } from '../users/present.js'

export const AuthResult = Type.Object({
  user: UserSchema,
  organization: OrganizationSchema,
  access_token: Type.String(),
  refresh_token: Type.String(),
  expires_in: Type.Integer(),
  token_type: Type.Literal('Bearer'),
})

export const RegisterBody = Obj({
  organization: Type.String({ minLength: 1, maxLength: 200 }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  email: Email,
  password: Password,
})

export const LoginBody = Obj({
  email: Email,
  password: Type.String({ minLength: 1, maxLength: 200 }),
  organization: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
  totp: Type.Optional(Type.String({ minLength: 6, maxLength: 20 })),
})

export const RefreshBody = Obj({ refresh_token: Type.String({ minLength: 10, maxLength: 200 }) })
export const SwitchBody = Obj({ organization_id: Uuid })
export const ForgotBody = Obj({ email: Email })
export const ResetBody = Obj({ token: Type.String({ minLength: 10, maxLength: 200 }), password: Password })
export const ChangePasswordBody = Obj({ current_password: Type.String({ minLength: 1, maxLength: 200 }), new_password: Password })

export const ProfileBody = Obj({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  locale: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('es'), Type.Literal('fr'), Type.Literal('de'), Type.Null()])),
  time_zone: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  avatar_url: Type.Optional(Type.Union([Type.String({ format: 'uri', maxLength: 2000, pattern: '^https?://' }), Type.Null()])),
})

export const MeResult = Type.Object({
  user: UserSchema,
  organization: OrganizationSchema,
  role: Type.Object({ key: Type.String(), name: Type.String(), kind: Type.String(), ticket_scope: Type.String(), permissions: Type.Array(Type.String()) }),
  organizations: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), slug: Type.String(), role: Type.String() })),
})

export const SessionSchema = Type.Object({
  id: Type.String(),
  organization_id: Type.String(),
  user_agent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  last_used_at: Type.String(),
  expires_at: Type.String(),
  current: Type.Boolean(),
})

export const TwoFactorSetup = Type.Object({ secret: Type.String(), otpauth_url: Type.String(), qr_data_url: Type.String() })
export const TwoFactorEnableBody = Obj({ code: Type.String({ minLength: 6, maxLength: 10 }) })
export const TwoFactorDisableBody = Obj({ password: Type.String({ minLength: 1, maxLength: 200 }) })

export const NewOrganizationBody = Obj({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  slug: Type.Optional(Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$' })),
  time_zone: Type.Optional(Type.String({ maxLength: 64 })),
})
