import { useQuery } from '@tanstack/react-query'
import { api } from '../../../api/client'
import type { ApiBody, ApiData, ApiItem } from '../../../api/schema'

/** API keys (/api-keys): listed without the key itself, which only the create answer carries. */

export type ApiKey = ApiItem<'/api/v1/api-keys'>
export type NewApiKey = ApiBody<'/api/v1/api-keys', 'post'>
export type CreatedApiKey = ApiData<'/api/v1/api-keys', 'post'>

const data = async <T>(promise: Promise<{ data: T }>): Promise<T> => (await promise).data

export const apiKeysApi = {
  list: (signal?: AbortSignal) => data(api.get<ApiKey[]>('/api-keys', { signal })),
  create: (input: NewApiKey) => data(api.post<CreatedApiKey>('/api-keys', input)),
  revoke: (id: string) => data(api.delete<ApiKey>(`/api-keys/${encodeURIComponent(id)}`)),
}

export const apiKeysKeys = { all: ['api-keys'] as const }

export const useApiKeys = () => useQuery({ queryKey: apiKeysKeys.all, queryFn: ({ signal }) => apiKeysApi.list(signal) })

export type KeyState = 'active' | 'revoked' | 'expired'

/** Revoked is final; a key past its expiry no longer works either. */
export function keyState(key: ApiKey, now = Date.now()): KeyState {
  if (key.revoked_at) return 'revoked'
  if (key.expires_at && Date.parse(key.expires_at) <= now) return 'expired'
  return 'active'
}
