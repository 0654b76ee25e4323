import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { ApiError, api, freshAccessToken, isApiError, type ApiResponse } from '../../api/client'
import type { ApiBody, ApiData, ApiItem, ApiQuery } from '../../api/schema'

/**
 * The contacts and companies API the CRM pages use (shapes from the generated OpenAPI types).
 * Companies have their own module; what both share (notes, tickets, CSV) lives here.
 */

export type Contact = ApiData<'/api/v1/contacts/{id}'>
export type NewContact = ApiBody<'/api/v1/contacts', 'post'>
export type ContactChanges = ApiBody<'/api/v1/contacts/{id}', 'patch'>
export type ContactQuery = ApiQuery<'/api/v1/contacts'>
export type ContactSort = NonNullable<ContactQuery['sort']>
export type Note = ApiItem<'/api/v1/contacts/{id}/notes'>
export type RelatedTicket = ApiItem<'/api/v1/contacts/{id}/tickets'>
export type DuplicateGroup = ApiItem<'/api/v1/contacts/duplicates'>
export type MergePreview = ApiData<'/api/v1/contacts/{id}/merge-preview'>
export type MergeStrategy = ApiBody<'/api/v1/contacts/{id}/merge', 'post'>['strategy']
export type MergeResult = ApiData<'/api/v1/contacts/{id}/merge', 'post'>
export type ImportResult = ApiData<'/api/v1/contacts/import', 'post'>

export const CONTACT_SORTS: readonly ContactSort[] = ['name', '-name', 'email', '-email', '-created_at', 'created_at']
export const MERGE_STRATEGIES: readonly MergeStrategy[] = ['keep_primary', 'prefer_newest', 'prefer_complete']
export const PHONE_TYPES = ['work', 'mobile', 'home', 'fax', 'other'] as const
export const PAGE_SIZE = 25

/** Whose notes or tickets: the path prefix of a contact or a company. */
export type Owner = { kind: 'contacts' | 'companies'; id: string }

const data = async <T>(promise: Promise<{ data: T }>): Promise<T> => (await promise).data
const id = encodeURIComponent
const ownerPath = (owner: Owner) => `/${owner.kind}/${id(owner.id)}`

/** A query string from the set values only. */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value))
  }
  return search.toString()
}

export const contactsApi = {
  list: (params: ContactQuery, signal?: AbortSignal) => api.get<Contact[]>(`/contacts?${queryString(params)}`, { signal }),
  get: (contactId: string, signal?: AbortSignal) => data(api.get<Contact>(`/contacts/${id(contactId)}`, { signal })),
  create: (input: NewContact) => data(api.post<Contact>('/contacts', input)),
  update: (contactId: string, changes: ContactChanges) => data(api.patch<Contact>(`/contacts/${id(contactId)}`, changes)),
  remove: (contactId: string) => data(api.delete<unknown>(`/contacts/${id(contactId)}`)),
  grantPortal: (contactId: string) => data(api.post<Contact>(`/contacts/${id(contactId)}/portal-access`, {})),
  duplicates: (signal?: AbortSignal) => data(api.get<DuplicateGroup[]>('/contacts/duplicates?limit=100', { signal })),
  mergePreview: (contactId: string, sourceIds: string[], signal?: AbortSignal) =>
    data(api.get<MergePreview>(`/contacts/${id(contactId)}/merge-preview?source_ids=${sourceIds.map(id).join(',')}`, { signal })),
  merge: (contactId: string, sourceIds: string[], strategy: MergeStrategy) =>
    data(api.post<MergeResult>(`/contacts/${id(contactId)}/merge`, { source_ids: sourceIds, strategy })),

  tickets: (owner: Owner, page: number, signal?: AbortSignal) =>
    api.get<RelatedTicket[]>(`${ownerPath(owner)}/tickets?page=${page}&limit=${PAGE_SIZE}`, { signal }),
  notes: (owner: Owner, signal?: AbortSignal) => api.get<Note[]>(`${ownerPath(owner)}/notes?limit=100`, { signal }),
  addNote: (owner: Owner, input: { body: string; is_pinned?: boolean }) => data(api.post<Note>(`${ownerPath(owner)}/notes`, input)),
  updateNote: (owner: Owner, noteId: string, input: { body?: string; is_pinned?: boolean }) =>
    data(api.patch<Note>(`${ownerPath(owner)}/notes/${id(noteId)}`, input)),
  deleteNote: (owner: Owner, noteId: string) => data(api.delete<unknown>(`${ownerPath(owner)}/notes/${id(noteId)}`)),
}

/** Query keys: everything about contacts starts with 'contacts' (the ticket page's requester card shares ['contacts', id]). */
export const contactKeys = {
  all: ['contacts'] as const,
  list: (params: ContactQuery) => ['contacts', 'list', params] as const,
  duplicates: ['contacts', 'duplicates'] as const,
  detail: (contactId: string) => ['contacts', contactId] as const,
  preview: (contactId: string, sourceIds: string[]) => ['contacts', contactId, 'merge-preview', sourceIds] as const,
}

/** Notes and tickets of a contact or company sit under its own key. */
export const ownerKeys = {
  notes: (owner: Owner) => [owner.kind, owner.id, 'notes'] as const,
  tickets: (owner: Owner, page: number) => [owner.kind, owner.id, 'tickets', { page }] as const,
}

export const useContacts = (params: ContactQuery) =>
  useQuery({
    queryKey: contactKeys.list(params),
    queryFn: ({ signal }) => contactsApi.list(params, signal),
    placeholderData: keepPreviousData,
  })

export const useContact = (contactId: string) =>
  useQuery({ queryKey: contactKeys.detail(contactId), queryFn: ({ signal }) => contactsApi.get(contactId, signal), retry: false })

export const useDuplicates = (enabled = true) =>
  useQuery({ queryKey: contactKeys.duplicates, queryFn: ({ signal }) => contactsApi.duplicates(signal), enabled })

export const useNotes = (owner: Owner) =>
  useQuery({ queryKey: ownerKeys.notes(owner), queryFn: ({ signal }) => contactsApi.notes(owner, signal) })

export const useOwnerTickets = (owner: Owner, page: number, enabled = true) =>
  useQuery<ApiResponse<RelatedTicket[]>>({
    queryKey: ownerKeys.tickets(owner, page),
    queryFn: ({ signal }) => contactsApi.tickets(owner, page, signal),
    placeholderData: keepPreviousData,
    enabled,
  })

/** The number of pages a list's meta describes (at least one). */
export function pageCount(meta: ApiResponse<unknown>['meta'] | undefined, limit = PAGE_SIZE): number {
  return Math.max(1, Math.ceil((meta?.total ?? 0) / (meta?.limit ?? limit)))
}

/** Downloads a CSV export with the session's token and hands it to the browser as a file. */
export async function downloadCsv(path: '/contacts/export' | '/companies/export', fallbackName: string): Promise<void> {
  const file = await api.download(path)
  const url = URL.createObjectURL(file.blob)
  const link = document.createElement('a')
  link.href = url
  link.download = file.filename ?? fallbackName
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

/**
 * Sends a CSV file as the request body (Content-Type: text/csv), which the JSON client cannot: the
 * import routes read the file itself. A refused token is refreshed once, as the client does.
 */
export async function uploadCsv(path: '/contacts/import' | '/companies/import', file: File): Promise<ImportResult> {
  const send = async (token: string | null) => {
    try {
      return await fetch(`/api/v1${path}`, {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'text/csv', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: file,
        credentials: 'same-origin',
      })
    } catch {
      throw new ApiError(0, 'network_error', 'The server could not be reached.')
    }
  }
  let response = await send(await freshAccessToken())
  if (response.status === 401) response = await send(await freshAccessToken({ force: true }))
  const payload = (await response.json().catch(() => null)) as {
    success?: boolean
    data?: ImportResult
    error?: { code?: string; message?: string; details?: ApiError['details'] }
  } | null
  if (response.ok && payload?.success !== false && payload?.data) return payload.data
  const error = payload?.error ?? {}
  throw new ApiError(response.status, error.code ?? 'unknown_error', error.message ?? response.statusText, error.details ?? [])
}

/** A malformed id in the address is a 400; to the user it is just not there. */
export const isMissing = (error: unknown) => isApiError(error, 'not_found') || isApiError(error, 'validation_error')
