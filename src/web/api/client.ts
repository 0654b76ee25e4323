import { clearTokens, getAccessToken, getRefreshToken, setTokens } from './tokens'
import type { ApiBody, ApiData, ApiResponseOf } from './schema'
import type { AuthResult, ErrorDetail } from './types'

// The shapes the server sends (AuthResult, list meta) come from its OpenAPI document via ./schema.

/** A failed API call: the server's error code (or `network_error`), message and field details. */
export class ApiError extends Error {
  override name = 'ApiError'

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Seconds from a Retry-After header, when the server sent one. */
    readonly retryAfter: number | null = null,
  ) {
    super(message)
  }
}

export const isApiError = (error: unknown, code?: string): error is ApiError =>
  error instanceof ApiError && (code === undefined || error.code === code)

/** A list's paging: `page` and `total` with page paging, `next_cursor` with cursor paging. */
export type ListMeta = ApiResponseOf<'/api/v1/tickets'>['meta']

export interface ApiResponse<T> {
  data: T
  meta?: ListMeta
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface RequestOptions {
  body?: unknown
  /** Send the bearer token and recover from an expired one (default true). */
  auth?: boolean
  signal?: AbortSignal
}

/** A file the API answered with (GET …/raw): its bytes and the name the server suggested. */
export interface Download {
  blob: Blob
  filename: string | null
}

const API_BASE = '/api/v1'
const AUTH_RECOVERABLE = new Set(['token_expired', 'invalid_token'])

let onAuthLost: () => void = () => {}

/** Called when the session is gone for good (refresh failed): the app goes back to sign-in. */
export function setAuthLostHandler(handler: () => void): void {
  onAuthLost = handler
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds))
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000))
}

/** `attachment; filename="message-1.eml"` → `message-1.eml`. */
function filenameFrom(disposition: string | null): string | null {
  const match = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition) : null
  if (!match?.[1]) return null
  try {
    return decodeURIComponent(match[1])
  } catch {
    return match[1]
  }
}

async function send<T>(method: Method, path: string, options: RequestOptions & { binary?: boolean }): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: options.binary ? '*/*' : 'application/json' }
  // A FormData body (file uploads) goes as multipart/form-data, with the boundary the browser picks.
  const multipart = typeof FormData !== 'undefined' && options.body instanceof FormData
  if (options.body !== undefined && !multipart) headers['Content-Type'] = 'application/json'
  const token = options.auth === false ? null : getAccessToken()
  if (token) headers.Authorization = `Bearer ${token}`

  let response: Response
  try {
    response = await fetch(API_BASE + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : multipart ? (options.body as FormData) : JSON.stringify(options.body),
      signal: options.signal,
      credentials: 'same-origin',
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, 'network_error', 'The server could not be reached.')
  }

  if (options.binary && response.ok) {
    const download: Download = { blob: await response.blob(), filename: filenameFrom(response.headers.get('Content-Disposition')) }
    return { data: download as T }
  }

  let payload: unknown = null
  const text = await response.text()
  if (text) {
    try {
      payload = JSON.parse(text)
    } catch {
      payload = null
    }
  }

  const envelope = (payload ?? {}) as {
    success?: boolean
    data?: T
    meta?: ApiResponse<T>['meta']
    error?: { code?: string; message?: string; details?: ErrorDetail[] }
  }
  if (response.ok && envelope.success !== false) {
    return { data: envelope.data as T, meta: envelope.meta }
  }
  const error = envelope.error ?? {}
  throw new ApiError(
    response.status,
    error.code ?? (response.status >= 500 ? 'internal_error' : 'unknown_error'),
    error.message ?? response.statusText ?? 'Request failed',
    Array.isArray(error.details) ? error.details : [],
    parseRetryAfter(response.headers.get('Retry-After')),
  )
}

let refreshing: Promise<AuthResult> | null = null

async function refreshWith(token: string): Promise<AuthResult> {
  const body: ApiBody<'/api/v1/auth/refresh', 'post'> = { refresh_token: token }
  const { data } = await send<ApiData<'/api/v1/auth/refresh', 'post'>>('POST', '/auth/refresh', { body, auth: false })
  setTokens(data)
  return data
}

async function doRefresh(): Promise<AuthResult> {
  const used = getRefreshToken()
  if (!used) throw new ApiError(401, 'invalid_token', 'No session to refresh.')
  try {
    return await refreshWith(used)
  } catch (error) {
    // Another tab may have rotated the token meanwhile: try once more with the one it stored.
    const current = getRefreshToken()
    if (isApiError(error) && error.status === 401 && current && current !== used) return refreshWith(current)
    throw error
  }
}

/**
 * Tabs share the refresh token, and a rotated token works once: where the browser has Web Locks,
 * refreshes from all tabs take turns, each reading the token the previous one stored.
 */
async function refreshAcrossTabs(): Promise<AuthResult> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks
  return locks ? await locks.request('aidly.refresh', doRefresh) : doRefresh()
}

/**
 * Trade the stored refresh token for a new pair. Concurrent callers share one request, since a
 * rotated refresh token can only be used once.
 */
export function refreshSession(): Promise<AuthResult> {
  refreshing ??= refreshAcrossTabs().finally(() => {
    refreshing = null
  })
  return refreshing
}

/** Call the API; on an expired or invalid access token, refresh once and retry. */
export async function request<T>(
  method: Method,
  path: string,
  options: RequestOptions & { binary?: boolean } = {},
): Promise<ApiResponse<T>> {
  if (options.auth === false) return send<T>(method, path, options)
  if (!getAccessToken() && getRefreshToken()) {
    await refreshOrLose()
  }
  try {
    return await send<T>(method, path, options)
  } catch (error) {
    if (!isApiError(error) || error.status !== 401 || !AUTH_RECOVERABLE.has(error.code)) throw error
    await refreshOrLose()
    return send<T>(method, path, options)
  }
}

async function refreshOrLose(): Promise<void> {
  try {
    await refreshSession()
  } catch (error) {
    if (isApiError(error) && error.code === 'network_error') throw error
    clearTokens()
    onAuthLost()
    throw error
  }
}

/** When a JWT access token expires (ms since the epoch), or null when it cannot be read. */
function expiresAt(token: string): number | null {
  try {
    const part = token.split('.')[1]
    if (!part) return null
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='))
    const exp = (JSON.parse(json) as { exp?: unknown }).exp
    return typeof exp === 'number' ? exp * 1000 : null
  } catch {
    return null
  }
}

/**
 * An access token for a connection that cannot retry a 401 by itself (the realtime WebSocket):
 * refreshed first when it is missing, expires within `marginSeconds`, or `force` says the last one
 * was refused. Throws like `request` when the session is gone (and signs the app out).
 */
export async function freshAccessToken(options: { force?: boolean; marginSeconds?: number } = {}): Promise<string | null> {
  const token = getAccessToken()
  const exp = token ? expiresAt(token) : null
  const stale = !token || options.force || (exp !== null && exp - Date.now() < (options.marginSeconds ?? 30) * 1000)
  if (stale && getRefreshToken()) await refreshOrLose()
  return getAccessToken()
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'body'>) =>
    request<T>('POST', path, { ...options, body: body ?? {} }),
  put: <T>(path: string, body: unknown, options?: Omit<RequestOptions, 'body'>) =>
    request<T>('PUT', path, { ...options, body }),
  patch: <T>(path: string, body: unknown, options?: Omit<RequestOptions, 'body'>) =>
    request<T>('PATCH', path, { ...options, body }),
  delete: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('DELETE', path, options),
  /** A multipart/form-data POST (file uploads). */
  upload: <T>(path: string, form: FormData, options?: Omit<RequestOptions, 'body'>) =>
    request<T>('POST', path, { ...options, body: form }),
  /** A file download with the bearer token (an <a href> cannot send it): the body as a Blob. */
  download: async (path: string, options?: Omit<RequestOptions, 'body'>): Promise<Download> =>
    (await request<Download>('GET', path, { ...options, binary: true })).data,
}
