import type { ErrorCode, ErrorDetail } from '../../shared/errors'

export type { ErrorCode, ErrorDetail }

export interface Branding {
  primary_color?: string | null
  accent_color?: string | null
  logo_url?: string | null
}

export interface User {
  id: string
  email: string
  name: string
  avatar_url: string | null
  locale: string | null
  time_zone: string | null
  role: string
  title?: string | null
  is_active: boolean
  two_factor_enabled: boolean
  created_at: string
  last_login_at: string | null
}

export interface Organization {
  id: string
  name: string
  slug: string
  time_zone: string
  locale: string | null
  ticket_prefix: string
  branding: Branding
  settings: Record<string, unknown>
  created_at: string
}

/** What register, login, refresh, switch and invitation-accept answer with. */
export interface AuthResult {
  user: User
  organization: Organization
  access_token: string
  refresh_token: string
  expires_in: number
  token_type?: string
}

export interface Role {
  key: string
  name: string
  kind: string
  ticket_scope?: string
  permissions: string[]
}

export interface Membership {
  id: string
  name: string
  slug: string
  role: string
}

export interface Me {
  user: User
  organization: Organization
  role: Role
  organizations: Membership[]
}

export interface Session {
  id: string
  user_agent: string | null
  ip: string | null
  created_at: string
  last_used_at: string | null
  expires_at?: string
  organization_id?: string
  current: boolean
}

export interface TwoFactorSetup {
  secret: string
  otpauth_url: string
  qr_data_url?: string | null
}

export interface InvitationLookup {
  email: string
  organization: { name: string; slug: string }
  role: string
  existing_user: boolean
  expires_at: string
}

export interface RegisterInput {
  organization: string
  name: string
  email: string
  password: string
}

export interface LoginInput {
  email: string
  password: string
  organization?: string
  totp?: string
}

export interface AcceptInvitationInput {
  token: string
  name?: string
  password: string
  /** For an existing account with two-factor sign-in (server answers totp_required without it). */
  totp?: string
}
