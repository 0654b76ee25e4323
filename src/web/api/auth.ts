import { api } from './client'
import type {
  AcceptInvitationInput,
  AuthResult,
  InvitationLookup,
  LoginInput,
  Me,
  RegisterInput,
  Session,
  TwoFactorSetup,
} from './types'

const data = async <T>(promise: Promise<{ data: T }>): Promise<T> => (await promise).data

/** Typed calls to the auth, session, two-factor and invitation endpoints. */
export const authApi = {
  register: (input: RegisterInput) => data(api.post<AuthResult>('/auth/register', input, { auth: false })),
  login: (input: LoginInput) => data(api.post<AuthResult>('/auth/login', input, { auth: false })),
  logout: (refreshToken: string | null) =>
    data(api.post<unknown>('/auth/logout', refreshToken ? { refresh_token: refreshToken } : {})),
  me: (signal?: AbortSignal) => data(api.get<Me>('/auth/me', { signal })),
  switchOrganization: (organizationId: string) =>
    data(api.post<AuthResult>('/auth/switch', { organization_id: organizationId })),
  forgotPassword: (email: string) => data(api.post<unknown>('/auth/forgot-password', { email }, { auth: false })),
  resetPassword: (token: string, password: string) =>
    data(api.post<unknown>('/auth/reset-password', { token, password }, { auth: false })),
  sessions: (signal?: AbortSignal) => data(api.get<Session[]>('/auth/sessions', { signal })),
  revokeSession: (id: string) => data(api.delete<unknown>(`/auth/sessions/${encodeURIComponent(id)}`)),
  setupTwoFactor: () => data(api.post<TwoFactorSetup>('/auth/2fa/setup')),
  enableTwoFactor: (code: string) => data(api.post<{ backup_codes: string[] }>('/auth/2fa/enable', { code })),
  disableTwoFactor: (password: string) => data(api.post<unknown>('/auth/2fa/disable', { password })),
}

export const invitationsApi = {
  lookup: (token: string, signal?: AbortSignal) =>
    data(api.get<InvitationLookup>(`/invitations/lookup?token=${encodeURIComponent(token)}`, { auth: false, signal })),
  accept: (input: AcceptInvitationInput) => data(api.post<AuthResult>('/invitations/accept', input, { auth: false })),
}
