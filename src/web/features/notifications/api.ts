import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { api } from '../../api/client'
import type { ApiData, ApiItem } from '../../api/schema'

/** The signed-in person's notifications (shapes from the OpenAPI document). */

export type Notification = ApiItem<'/api/v1/notifications'>

export const notificationKeys = {
  all: ['notifications'] as const,
  count: ['notifications', 'unread-count'] as const,
  recent: ['notifications', 'recent'] as const,
}

/** The badge: how many are unread. */
export function useUnreadCount(enabled: boolean) {
  return useQuery({
    queryKey: notificationKeys.count,
    queryFn: async ({ signal }) => (await api.get<ApiData<'/api/v1/notifications/unread-count'>>('/notifications/unread-count', { signal })).data.count,
    enabled,
    // The socket says when a new one arrives; this is the fallback when it cannot.
    refetchInterval: 120_000,
  })
}

/** The newest 20, for the panel. */
export function useRecentNotifications(enabled: boolean) {
  return useQuery({
    queryKey: notificationKeys.recent,
    queryFn: async ({ signal }) => (await api.get<Notification[]>('/notifications?limit=20', { signal })).data,
    enabled,
  })
}

export function useMarkRead() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async (id: string) => (await api.post<ApiData<'/api/v1/notifications/{id}/read', 'post'>>(`/notifications/${encodeURIComponent(id)}/read`)).data,
    onSettled: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  })
}

export function useMarkAllRead() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: async () => (await api.post<ApiData<'/api/v1/notifications/read-all', 'post'>>('/notifications/read-all')).data,
    onSettled: () => queryClient.invalidateQueries({ queryKey: notificationKeys.all }),
  })
}
