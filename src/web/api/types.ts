/**
 * The auth and session shapes the app works with. They come from the server's OpenAPI document
 * (`npm run gen:api` → generated/openapi.ts, read through ./schema); nothing here is hand-written
 * except the re-exported error codes, which live in src/shared.
 */
import type { ErrorCode, ErrorDetail } from '../../shared/errors'
import type { ApiBody, ApiData, ApiItem } from './schema'

export type { ErrorCode, ErrorDetail }

/** Who I am, my organization, my role and my other organizations (GET /auth/me). */
export type Me = ApiData<'/api/v1/auth/me'>
export type User = Me['user']
export type Organization = Me['organization']
export type Branding = Organization['branding']
export type Role = Me['role']
export type Membership = Me['organizations'][number]

/** What register, login, refresh, switch and invitation-accept answer with (the same shape). */
export type AuthResult = ApiData<'/api/v1/auth/login', 'post'>

export type Session = ApiItem<'/api/v1/auth/sessions'>
export type TwoFactorSetup = ApiData<'/api/v1/auth/2fa/setup', 'post'>
export type TwoFactorEnabled = ApiData<'/api/v1/auth/2fa/enable', 'post'>
export type InvitationLookup = ApiData<'/api/v1/invitations/lookup'>
/** `{ ok: true }`: logout, password reset, session revoke, two-factor off. */
export type Ok = ApiData<'/api/v1/auth/logout', 'post'>

/** What I may change about myself (PATCH /auth/me): name, language and time zone (null: the default). */
export type ProfileInput = ApiBody<'/api/v1/auth/me', 'patch'>

export type RegisterInput = ApiBody<'/api/v1/auth/register', 'post'>
export type LoginInput = ApiBody<'/api/v1/auth/login', 'post'>
/** For an existing account with two-factor sign-in, `totp` too (the server answers totp_required without it). */
export type AcceptInvitationInput = ApiBody<'/api/v1/invitations/accept', 'post'>
