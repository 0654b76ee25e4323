import { useQuery } from '@tanstack/react-query'
import { api } from '../../../api/client'
import type { ApiBody, ApiData, ApiItem } from '../../../api/schema'
import { STATUS_CATEGORIES, type StatusCategory } from '../../tickets/api'

/** Ticket statuses (GET/POST/PATCH/DELETE /ticket-statuses, reorder, transitions). */

export type Status = ApiItem<'/api/v1/ticket-statuses'>
export type NewStatus = ApiBody<'/api/v1/ticket-statuses', 'post'>
export type StatusChanges = ApiBody<'/api/v1/ticket-statuses/{id}', 'patch'>
export type DeleteResult = ApiData<'/api/v1/ticket-statuses/{id}', 'delete'>
export { STATUS_CATEGORIES, type StatusCategory }

/** Categories a new ticket may start in (the default status must be in one). */
export const OPEN_KINDS: readonly string[] = ['new', 'open', 'pending', 'on_hold']

const id = encodeURIComponent

export const statusesApi = {
  list: async (signal?: AbortSignal) => (await api.get<Status[]>('/ticket-statuses', { signal })).data,
  create: async (input: NewStatus) => (await api.post<Status>('/ticket-statuses', input)).data,
  update: async (statusId: string, input: StatusChanges) => (await api.patch<Status>(`/ticket-statuses/${id(statusId)}`, input)).data,
  setTransitions: async (statusId: string, to: string[]) => (await api.put<Status>(`/ticket-statuses/${id(statusId)}/transitions`, { to })).data,
  reorder: async (ids: string[]) => (await api.post<Status[]>('/ticket-statuses/reorder', { ids })).data,
  remove: async (statusId: string, replaceWith: string | null) =>
    (await api.delete<DeleteResult>(`/ticket-statuses/${id(statusId)}${replaceWith ? `?replace_with=${id(replaceWith)}` : ''}`)).data,
}

/** Under the root the ticket workspace caches statuses at, so a change here reaches its menus. */
export const statusKeys = {
  all: ['ticket-statuses'] as const,
  list: ['ticket-statuses', 'settings'] as const,
}

export const useStatusList = () => useQuery({ queryKey: statusKeys.list, queryFn: ({ signal }) => statusesApi.list(signal) })

/** The statuses by position, as the server orders them. */
export const byPosition = (statuses: readonly Status[]): Status[] =>
  [...statuses].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name) || a.id.localeCompare(b.id))
