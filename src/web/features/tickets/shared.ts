import { queryOptions } from '@tanstack/react-query'
import { api } from '../../api/client'
import type { ApiItem } from '../../api/schema'

/**
 * The small part of the ticket workspace the initial bundle needs (the home dashboard and the
 * realtime bridge): query keys and saved views. The pages themselves load with their routes.
 * SavedView is the OpenAPI document's shape (api/generated/openapi.ts).
 */

/**
 * Every ticket query starts with 'tickets'. Lists sit under their kind; one ticket's queries have
 * its id third, so a change to ticket X refreshes ['tickets', *, X] and every list.
 */
export const ticketKeys = {
  all: ['tickets'] as const,
  lists: ['tickets', 'list'] as const,
  list: (params: Record<string, string>) => ['tickets', 'list', params] as const,
  search: (params: Record<string, string>) => ['tickets', 'search', params] as const,
  views: ['tickets', 'views'] as const,
  activity: (limit: number) => ['tickets', 'activity', { limit }] as const,
  detail: (id: string) => ['tickets', 'detail', id] as const,
  comments: (id: string) => ['tickets', 'comments', id] as const,
  history: (id: string) => ['tickets', 'history', id] as const,
  emails: (id: string) => ['tickets', 'emails', id] as const,
  contact: (id: string) => ['contacts', id] as const,
  contactTickets: (id: string) => ['contacts', id, 'tickets'] as const,
}

/** Query kinds that hold many tickets: any ticket event may change them (the home page's activity feed too). */
export const LIST_KINDS = new Set(['list', 'search', 'views', 'stats', 'activity'])

/** A saved ticket view; `filters` holds GET /tickets query keys. */
export type SavedView = ApiItem<'/api/v1/views'>

export const viewsQuery = queryOptions({
  queryKey: ticketKeys.views,
  queryFn: async ({ signal }) => (await api.get<SavedView[]>('/views', { signal })).data,
})

/** One line of the staff home page's recent activity: a history entry or a comment. */
export type ActivityItem = ApiItem<'/api/v1/activity'>

/** What happened lately on the tickets I may see, newest first (GET /activity). */
export const activityQuery = (limit = 20) =>
  queryOptions({
    queryKey: ticketKeys.activity(limit),
    queryFn: async ({ signal }) => (await api.get<ActivityItem[]>(`/activity?limit=${limit}`, { signal })).data,
  })

export type DefaultView = 'mine' | 'unassigned' | 'overdue' | 'allOpen'

/**
 * Which built-in view this is, by its filters (they cannot change; the name can): the dashboard
 * finds its counts this way, and the views get translated names while they keep the built-in one.
 */
export function defaultViewKind(view: SavedView): DefaultView | null {
  if (!view.is_default) return null
  const { assignee, overdue } = view.filters
  if (assignee === 'me') return 'mine'
  if (assignee === 'none') return 'unassigned'
  if (overdue === true || overdue === 'true') return 'overdue'
  if (view.filters.status_category !== undefined && Object.keys(view.filters).length === 1) return 'allOpen'
  return null
}

/** The English names the server gives the built-in views; renamed ones are shown as named. */
export const DEFAULT_VIEW_NAMES: Record<DefaultView, string> = {
  mine: 'My open',
  unassigned: 'Unassigned',
  overdue: 'Overdue',
  allOpen: 'All open',
}
