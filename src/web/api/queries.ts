// The auth queries; their data shapes come from the server's OpenAPI document (see ./types).
import { queryOptions, useQuery } from '@tanstack/react-query'
import { authApi } from './auth'

export const queryKeys = {
  me: ['auth', 'me'] as const,
  sessions: ['auth', 'sessions'] as const,
}

export const meQuery = queryOptions({
  queryKey: queryKeys.me,
  queryFn: ({ signal }) => authApi.me(signal),
  staleTime: 60_000,
})

export const sessionsQuery = queryOptions({
  queryKey: queryKeys.sessions,
  queryFn: ({ signal }) => authApi.sessions(signal),
})

export const useMe = () => useQuery(meQuery)
export const useSessions = () => useQuery(sessionsQuery)
