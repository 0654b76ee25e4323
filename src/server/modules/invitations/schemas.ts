import { Type } from 'typebox'
import { Email, Obj, PageQuery, Uuid } from '../../platform/http.js'
import { OrganizationSchema } from '../organizations/present.js'
import { RoleKey } from '../users/schemas.js'
import { InvitationSchema, StatusSchema } from './present.js'

const Token = Type.String({ minLength: 10, maxLength: 200 })

export const ListInvitationsQuery = Obj({
  status: Type.Optional(StatusSchema),
  ...PageQuery,
})

export const CreateInvitationBody = Obj({
  email: Email,
  role: RoleKey,
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  team_ids: Type.Optional(Type.Array(Uuid, { maxItems: 100 })),
})

export const InvitationWithLink = Type.Object({
  ...InvitationSchema.properties,
  accept_url: Type.String({ description: 'The link mailed to the invitee; shown only when a token is made' }),
})

export const LookupQuery = Obj({ token: Token })

export const LookupResult = Type.Object({
  email: Type.String(),
  organization: Type.Object({ name: OrganizationSchema.properties.name, slug: OrganizationSchema.properties.slug }),
  role: Type.String(),
  existing_user: Type.Boolean({ description: 'Whether the email already has an Aidly account (then its password is asked, not a name)' }),
  expires_at: Type.String(),
})

export const AcceptBody = Obj({
  token: Token,
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Required for a new account; ignored for an existing one' })),
  password: Type.String({ minLength: 1, maxLength: 200, description: 'A new password (10+ characters) or, for an existing account, its password' }),
  totp: Type.Optional(Type.String({ minLength: 6, maxLength: 20, description: 'For an existing account with two-factor sign-in' })),
})
