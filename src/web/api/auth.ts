/**
 * Typed calls to the auth, session, two-factor and invitation endpoints. Every request and answer
 * shape comes from the server's OpenAPI document (see ./schema and ./types); the declared return
 * types make the compiler check that each route still answers what the app expects.
 */
import { api } from './client'
import type { ApiBody, ApiData } from './schema'
import type {
  AcceptInvitationInput,
  AuthResult,
  InvitationLookup,
  LoginInput,
  Me,
  Ok,
  ProfileInput,
  RegisterInput,
  Session,
  TwoFactorEnabled,
  TwoFactorSetup,
  User,
} from './types'

const data = async <T>(promise: Promise<{ data: T }>): Promise<T> => (await promise).data

export const authApi = {
  register: (input: RegisterInput): Promise<AuthResult> =>
    data(api.post<ApiData<'/api/v1/auth/register', 'post'>>('/auth/register', input, { auth: false })),
  login: (input: LoginInput): Promise<AuthResult> => data(api.post<AuthResult>('/auth/login', input, { auth: false })),
  logout: (refreshToken: string | null): Promise<Ok> =>
    data(api.post<Ok>('/auth/logout', refreshToken ? { refresh_token: refreshToken } : {})),
  me: (signal?: AbortSignal): Promise<Me> => data(api.get<Me>('/auth/me', { signal })),
  updateProfile: (input: ProfileInput): Promise<User> => data(api.patch<ApiData<'/api/v1/auth/me', 'patch'>>('/auth/me', input)),
  switchOrganization: (organizationId: string): Promise<AuthResult> => {
    const body: ApiBody<'/api/v1/auth/switch', 'post'> = { organization_id: organizationId }
    return data(api.post<ApiData<'/api/v1/auth/switch', 'post'>>('/auth/switch', body))
  },
  forgotPassword: (email: string): Promise<Ok> => {
    const body: ApiBody<'/api/v1/auth/forgot-password', 'post'> = { email }
    return data(api.post<ApiData<'/api/v1/auth/forgot-password', 'post'>>('/auth/forgot-password', body, { auth: false }))
  },
  resetPassword: (token: string, password: string): Promise<Ok> => {
    const body: ApiBody<'/api/v1/auth/reset-password', 'post'> = { token, password }
    return data(api.post<ApiData<'/api/v1/auth/reset-password', 'post'>>('/auth/reset-password', body, { auth: false }))
  },
  sessions: (signal?: AbortSignal): Promise<Session[]> => data(api.get<Session[]>('/auth/sessions', { signal })),
  revokeSession: (id: string): Promise<Ok> =>
    data(api.delete<ApiData<'/api/v1/auth/sessions/{id}', 'delete'>>(`/auth/sessions/${encodeURIComponent(id)}`)),
  setupTwoFactor: (): Promise<TwoFactorSetup> => data(api.post<TwoFactorSetup>('/auth/2fa/setup')),
  enableTwoFactor: (code: string): Promise<TwoFactorEnabled> => {
    const body: ApiBody<'/api/v1/auth/2fa/enable', 'post'> = { code }
    return data(api.post<TwoFactorEnabled>('/auth/2fa/enable', body))
  },
  disableTwoFactor: (password: string): Promise<Ok> => {
    const body: ApiBody<'/api/v1/auth/2fa/disable', 'post'> = { password }
    return data(api.post<ApiData<'/api/v1/auth/2fa/disable', 'post'>>('/auth/2fa/disable', body))
  },
}

export const invitationsApi = {
  lookup: (token: string, signal?: AbortSignal): Promise<InvitationLookup> =>
    data(api.get<InvitationLookup>(`/invitations/lookup?token=${encodeURIComponent(token)}`, { auth: false, signal })),
  accept: (input: AcceptInvitationInput): Promise<AuthResult> =>
    data(api.post<ApiData<'/api/v1/invitations/accept', 'post'>>('/invitations/accept', input, { auth: false })),
}
