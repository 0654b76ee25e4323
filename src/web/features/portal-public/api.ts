import { useQuery } from '@tanstack/react-query'
import { api, isApiError } from '../../api/client'
import type { ApiBody, ApiData } from '../../api/schema'

/** The portal's public side (shapes from the OpenAPI document): an organization's portal page, sign-up and its confirmation link. */

export type PortalInfo = ApiData<'/api/v1/portal/{slug}'>
export type SignupInput = ApiBody<'/api/v1/portal/{slug}/signup', 'post'>
export type VerifyResult = ApiData<'/api/v1/portal/verify', 'post'>

export function usePortalInfo(slug: string) {
  return useQuery({
    queryKey: ['portal-info', slug],
    queryFn: async ({ signal }) => (await api.get<PortalInfo>(`/portal/${encodeURIComponent(slug)}`, { auth: false, signal })).data,
    retry: (count, error) => count < 2 && isApiError(error, 'network_error'),
  })
}

export const portalApi = {
  signup: async (slug: string, input: SignupInput) =>
    (await api.post<ApiData<'/api/v1/portal/{slug}/signup', 'post'>>(`/portal/${encodeURIComponent(slug)}/signup`, input, { auth: false })).data,
  verify: async (token: string) => (await api.post<VerifyResult>('/portal/verify', { token }, { auth: false })).data,
}
