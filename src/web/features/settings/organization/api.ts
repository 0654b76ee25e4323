import { useQuery } from '@tanstack/react-query'
import { api, ApiError, freshAccessToken } from '../../../api/client'
import type { ApiBody, ApiData } from '../../../api/schema'
import type { ErrorDetail } from '../../../api/types'

/** The organization's profile, branding and settings (GET/PATCH /organization, PUT/DELETE /organization/logo). */

export type Organization = ApiData<'/api/v1/organization'>
export type OrganizationPatch = ApiBody<'/api/v1/organization', 'patch'>

/** What PUT /organization/logo takes: the image bytes as the body, at most 512 KB (the server reads the type from the bytes). */
export const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const
export const LOGO_MAX_BYTES = 512 * 1024

const data = async <T>(promise: Promise<{ data: T }>): Promise<T> => (await promise).data

/**
 * PUT with a raw (non-JSON) body, which the shared client cannot send: the same bearer, one
 * retry after a refresh on an expired token, and the same ApiError on failure.
 */
async function putRaw<T>(path: string, body: Blob, contentType: string): Promise<T> {
  const send = async (token: string | null) => {
    try {
      return await fetch(`/api/v1${path}`, {
        method: 'PUT',
        headers: { Accept: 'application/json', 'Content-Type': contentType, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body,
        credentials: 'same-origin',
      })
    } catch {
      throw new ApiError(0, 'network_error', 'The server could not be reached.')
    }
  }
  let response = await send(await freshAccessToken())
  if (response.status === 401) response = await send(await freshAccessToken({ force: true }))
  let payload: { data?: T; error?: { code?: string; message?: string; details?: ErrorDetail[] } } = {}
  try {
    payload = (await response.json()) as typeof payload
  } catch {
    // An empty or non-JSON answer: described by its status below.
  }
  if (response.ok) return payload.data as T
  const error = payload.error ?? {}
  throw new ApiError(
    response.status,
    error.code ?? (response.status === 413 ? 'payload_too_large' : response.status >= 500 ? 'internal_error' : 'unknown_error'),
    error.message ?? response.statusText,
    Array.isArray(error.details) ? error.details : [],
  )
}

export const organizationApi = {
  get: (signal?: AbortSignal) => data(api.get<Organization>('/organization', { signal })),
  update: (input: OrganizationPatch) => data(api.patch<Organization>('/organization', input)),
  uploadLogo: (file: File) =>
    putRaw<Organization>('/organization/logo', file, (LOGO_TYPES as readonly string[]).includes(file.type) ? file.type : 'application/octet-stream'),
  removeLogo: () => data(api.delete<Organization>('/organization/logo')),
}

export const organizationKeys = { current: ['organization'] as const }

export const useOrganization = () =>
  useQuery({
    queryKey: organizationKeys.current,
    queryFn: ({ signal }) => organizationApi.get(signal),
  })

/** Whether a logo address is the uploaded file served by this server (not an image elsewhere). */
export const isUploadedLogo = (url: string | null | undefined): boolean => !!url && url.startsWith('/api/v1/public/organizations/')
