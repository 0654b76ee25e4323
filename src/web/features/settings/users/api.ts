import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { api } from '../../../api/client'
import type { ApiBody, ApiData, ApiItem, ApiQuery } from '../../../api/schema'

/** People (/users), roles to give them (/roles) and invitations (/invitations). */

export type User = ApiItem<'/api/v1/users'>
export type UserDetail = ApiData<'/api/v1/users/{id}'>
export type UsersQuery = ApiQuery<'/api/v1/users'>
export type NewUser = ApiBody<'/api/v1/users', 'post'>
export type UserPatch = ApiBody<'/api/v1/users/{id}', 'patch'>
export type Role = ApiItem<'/api/v1/roles'>
export type Invitation = ApiItem<'/api/v1/invitations'>
export type InvitationsQuery = ApiQuery<'/api/v1/invitations'>
export type NewInvitation = ApiBody<'/api/v1/invitations', 'post'>
export type IssuedInvitation = ApiData<'/api/v1/invitations', 'post'>

export const PAGE_SIZE = 25

const data = async <T>(promise: Promise<{ data: T }>): Promise<T> => (await promise).data
const id = encodeURIComponent

/** `?a=1&b=x` from the set values of a query object. */
function queryString(query: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value))
  const text = params.toString()
  return text ? `?${text}` : ''
}

export const usersApi = {
  list: (query: UsersQuery, signal?: AbortSignal) => api.get<User[]>(`/users${queryString(query)}`, { signal }),
  get: (userId: string, signal?: AbortSignal) => data(api.get<UserDetail>(`/users/${id(userId)}`, { signal })),
  create: (input: NewUser) => data(api.post<User>('/users', input)),
  update: (userId: string, input: UserPatch) => data(api.patch<UserDetail>(`/users/${id(userId)}`, input)),
  roles: (signal?: AbortSignal) => data(api.get<Role[]>('/roles', { signal })),

  invitations: (query: InvitationsQuery, signal?: AbortSignal) => api.get<Invitation[]>(`/invitations${queryString(query)}`, { signal }),
  invite: (input: NewInvitation) => data(api.post<IssuedInvitation>('/invitations', input)),
  resend: (invitationId: string) => data(api.post<IssuedInvitation>(`/invitations/${id(invitationId)}/resend`)),
  revoke: (invitationId: string) => data(api.delete<Invitation>(`/invitations/${id(invitationId)}`)),
}

export const usersKeys = {
  all: ['users'] as const,
  list: (query: UsersQuery) => ['users', 'list', query] as const,
  user: (userId: string) => ['users', 'one', userId] as const,
  roles: ['roles'] as const,
  invitations: ['invitations'] as const,
  invitationList: (query: InvitationsQuery) => ['invitations', query] as const,
}

export const useUsers = (query: UsersQuery) =>
  useQuery({
    queryKey: usersKeys.list(query),
    queryFn: ({ signal }) => usersApi.list(query, signal),
    // While another page or filter loads, keep showing the last rows (marked busy).
    placeholderData: keepPreviousData,
  })

export const useUser = (userId: string) =>
  useQuery({ queryKey: usersKeys.user(userId), queryFn: ({ signal }) => usersApi.get(userId, signal) })

export const useRoles = () => useQuery({ queryKey: usersKeys.roles, queryFn: ({ signal }) => usersApi.roles(signal), staleTime: 60_000 })

export const useInvitations = (query: InvitationsQuery) =>
  useQuery({
    queryKey: usersKeys.invitationList(query),
    queryFn: ({ signal }) => usersApi.invitations(query, signal),
    placeholderData: keepPreviousData,
  })
