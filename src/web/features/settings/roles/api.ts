import { useQuery } from '@tanstack/react-query'
import { api } from '../../../api/client'
import type { ApiBody, ApiItem } from '../../../api/schema'

/** Roles and the permission catalogue (GET/POST/PATCH/DELETE /roles). */

export type Role = ApiItem<'/api/v1/roles'>
export type NewRole = ApiBody<'/api/v1/roles', 'post'>
export type RoleChanges = ApiBody<'/api/v1/roles/{id}', 'patch'>
export type RoleKind = Role['kind']
export type TicketScope = Role['ticket_scope']

const id = encodeURIComponent

export const rolesApi = {
  list: async (signal?: AbortSignal) => (await api.get<Role[]>('/roles', { signal })).data,
  get: async (roleId: string, signal?: AbortSignal) => (await api.get<Role>(`/roles/${id(roleId)}`, { signal })).data,
  create: async (input: NewRole) => (await api.post<Role>('/roles', input)).data,
  update: async (roleId: string, input: RoleChanges) => (await api.patch<Role>(`/roles/${id(roleId)}`, input)).data,
  remove: async (roleId: string) => {
    await api.delete<unknown>(`/roles/${id(roleId)}`)
  },
}

/** Under the same root as other lists of roles, so a change here refreshes them too. */
export const roleKeys = {
  all: ['roles'] as const,
  list: ['roles', 'list'] as const,
  detail: (roleId: string) => ['roles', 'detail', roleId] as const,
}

export const useRoles = () => useQuery({ queryKey: roleKeys.list, queryFn: ({ signal }) => rolesApi.list(signal) })

export const useRole = (roleId: string | undefined) =>
  useQuery({
    queryKey: roleKeys.detail(roleId ?? ''),
    queryFn: ({ signal }) => rolesApi.get(roleId!, signal),
    enabled: !!roleId,
    // The form is filled once from this; a background refetch must not reset what is being typed.
    staleTime: Infinity,
    gcTime: 0,
  })
