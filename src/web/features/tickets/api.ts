import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { api, type ApiResponse } from '../../api/client'
import type { ApiBody, ApiData, ApiItem } from '../../api/schema'
import { ticketKeys } from './shared'

/**
 * The ticket API the workspace uses. Every shape the server sends or accepts is an alias of the
 * generated OpenAPI types (../../api/schema → api/generated/openapi.ts, `npm run gen:api`); only the
 * web's own constants and UI-side types are written here.
 */

/** What a ticket may be set to; the server answers any string (older or imported data). */
export type Priority = NonNullable<ApiBody<'/api/v1/tickets', 'post'>['priority']>
export const PRIORITIES: readonly Priority[] = ['low', 'medium', 'high', 'urgent']
export const isPriority = (value: string | null | undefined): value is Priority =>
  (PRIORITIES as readonly (string | null | undefined)[]).includes(value)

export type StatusCategory = ApiBody<'/api/v1/ticket-statuses', 'post'>['category']
export const STATUS_CATEGORIES: readonly StatusCategory[] = ['new', 'open', 'pending', 'on_hold', 'resolved', 'closed', 'cancelled']
export const OPEN_CATEGORIES: readonly StatusCategory[] = ['new', 'open', 'pending', 'on_hold']
export const isStatusCategory = (value: string): value is StatusCategory =>
  (STATUS_CATEGORIES as readonly string[]).includes(value)

/** A ticket in a list (GET /tickets, a view's tickets, a contact's tickets). */
export type Ticket = ApiItem<'/api/v1/tickets'>
/** One ticket with what the caller may do to it (GET /tickets/{id}, and what changes answer). */
export type TicketDetail = ApiData<'/api/v1/tickets/{id}'>
export type Abilities = TicketDetail['abilities']
export type SearchHit = ApiItem<'/api/v1/tickets/search'>
/** An `{ id, name }` reference (assignee, team, company, category). */
export type Ref = NonNullable<Ticket['assignee']>
export type StatusRef = Ticket['status']

export type Comment = ApiItem<'/api/v1/tickets/{id}/comments'>
/** A file on a comment (with its download url). */
export type CommentAttachment = Comment['attachments'][number]
/** A file just uploaded to a ticket, not yet on a comment. */
export type Attachment = ApiItem<'/api/v1/tickets/{id}/attachments', 'post'>
export type HistoryEntry = ApiItem<'/api/v1/tickets/{id}/history'>
export type TicketEmail = ApiItem<'/api/v1/tickets/{id}/emails'>

export type StatusDef = ApiItem<'/api/v1/ticket-statuses'>
export type Team = ApiItem<'/api/v1/teams'>
export type Person = ApiItem<'/api/v1/users'>
type RoleSummary = ApiItem<'/api/v1/roles'>
export type Contact = ApiData<'/api/v1/contacts/{id}'>

export type BulkRequest = ApiBody<'/api/v1/tickets/bulk', 'post'>
export type BulkResult = ApiData<'/api/v1/tickets/bulk', 'post'>
export type TicketChanges = ApiBody<'/api/v1/tickets/{id}', 'patch'>
export type Assignment = ApiBody<'/api/v1/tickets/{id}/assign', 'post'>
export type NewComment = ApiBody<'/api/v1/tickets/{id}/comments', 'post'>
export type NewTicket = ApiBody<'/api/v1/tickets', 'post'>

export const PAGE_SIZE = 25
/** The rows per page a list offers (`?limit=` in the address). */
export const PAGE_SIZES = [25, 50, 100] as const
export function pageSizeFrom(value: string | null): number {
  const n = Number(value)
  return (PAGE_SIZES as readonly number[]).includes(n) ? n : PAGE_SIZE
}

const data = async <T>(promise: Promise<{ data: T }>): Promise<T> => (await promise).data
const id = encodeURIComponent

/** Every page of a list capped at 100 a page (teams, people, a long conversation). */
async function everyPage<T>(path: string, signal?: AbortSignal, maxPages = 20): Promise<T[]> {
  const all: T[] = []
  const join = path.includes('?') ? '&' : '?'
  for (let page = 1; page <= maxPages; page++) {
    const res = await api.get<T[]>(`${path}${join}limit=100&page=${page}`, { signal })
    all.push(...res.data)
    if (res.data.length < 100 || (res.meta?.total !== undefined && all.length >= res.meta.total)) break
  }
  return all
}

export const ticketsApi = {
  list: (query: string, signal?: AbortSignal): Promise<ApiResponse<Ticket[]>> => api.get<Ticket[]>(`/tickets?${query}`, { signal }),
  viewTickets: (viewId: string, query: string, signal?: AbortSignal): Promise<ApiResponse<Ticket[]>> =>
    api.get<ApiItem<'/api/v1/views/{id}/tickets'>[]>(`/views/${id(viewId)}/tickets?${query}`, { signal }),
  search: (query: string, signal?: AbortSignal) => api.get<SearchHit[]>(`/tickets/search?${query}`, { signal }),
  bulk: (body: BulkRequest) => data(api.post<BulkResult>('/tickets/bulk', body)),

  ticket: (ticketId: string, signal?: AbortSignal) => data(api.get<TicketDetail>(`/tickets/${id(ticketId)}`, { signal })),
  update: (ticketId: string, changes: TicketChanges): Promise<TicketDetail> =>
    data(api.patch<ApiData<'/api/v1/tickets/{id}', 'patch'>>(`/tickets/${id(ticketId)}`, changes)),
  assign: (ticketId: string, assignment: Assignment): Promise<TicketDetail> =>
    data(api.post<ApiData<'/api/v1/tickets/{id}/assign', 'post'>>(`/tickets/${id(ticketId)}/assign`, assignment)),
  comments: (ticketId: string, signal?: AbortSignal) => everyPage<Comment>(`/tickets/${id(ticketId)}/comments`, signal),
  addComment: (ticketId: string, input: NewComment) =>
    data(api.post<Comment>(`/tickets/${id(ticketId)}/comments`, input)),
  /** Closes it (a customer their own request; staff with tickets:update). */
  close: (ticketId: string): Promise<TicketDetail> =>
    data(api.post<ApiData<'/api/v1/tickets/{id}/close', 'post'>>(`/tickets/${id(ticketId)}/close`, {})),
  /** Opens a ticket; a customer sends only the subject and description, for themselves. */
  create: (input: NewTicket): Promise<TicketDetail> => data(api.post<ApiData<'/api/v1/tickets', 'post'>>('/tickets', input)),
  history: (ticketId: string, signal?: AbortSignal) => everyPage<HistoryEntry>(`/tickets/${id(ticketId)}/history`, signal),
  emails: (ticketId: string, signal?: AbortSignal) => data(api.get<TicketEmail[]>(`/tickets/${id(ticketId)}/emails`, { signal })),
  upload: (ticketId: string, files: File[]) => {
    const form = new FormData()
    for (const file of files) form.append('file', file, file.name)
    return data(api.upload<Attachment[]>(`/tickets/${id(ticketId)}/attachments`, form))
  },
  removeAttachment: (attachmentId: string) => data(api.delete<ApiData<'/api/v1/attachments/{id}', 'delete'>>(`/attachments/${id(attachmentId)}`)),
  download: (attachmentId: string) => api.download(`/attachments/${id(attachmentId)}`),

  statuses: (signal?: AbortSignal) => data(api.get<StatusDef[]>('/ticket-statuses', { signal })),
  teams: (signal?: AbortSignal) => everyPage<Team>('/teams', signal, 50),
  /** Active staff (the people a ticket can be assigned to): everyone but customer roles. */
  staff: async (signal?: AbortSignal): Promise<Person[]> => {
    const [people, customerRoles] = await Promise.all([
      everyPage<Person>('/users?is_active=true&sort=name', signal, 50),
      api.get<RoleSummary[]>('/roles', { signal }).then(
        (res) => new Set(res.data.filter((r) => r.kind === 'customer').map((r) => r.key)),
        // Roles may be closed to this user: then the built-in customer role is the one to leave out.
        () => new Set(['customer']),
      ),
    ])
    return people.filter((p) => !customerRoles.has(p.role))
  },
  contact: (contactId: string, signal?: AbortSignal) => data(api.get<Contact>(`/contacts/${id(contactId)}`, { signal })),
  contactTickets: (contactId: string, signal?: AbortSignal): Promise<Ticket[]> =>
    data(api.get<ApiItem<'/api/v1/contacts/{id}/tickets'>[]>(`/contacts/${id(contactId)}/tickets?limit=6`, { signal })),
}

export type TicketPage = ApiResponse<Ticket[] | SearchHit[]>

/** Shared look-ups: they change rarely, so they stay fresh for five minutes. */
const LOOKUP = { staleTime: 300_000 }
export const statusesQuery = queryOptions({ queryKey: ['ticket-statuses'], queryFn: ({ signal }) => ticketsApi.statuses(signal), ...LOOKUP })
// The same key as the email settings' team list: one cache for both.
export const teamsQuery = queryOptions({ queryKey: ['teams', 'all'], queryFn: ({ signal }) => ticketsApi.teams(signal), ...LOOKUP })
export const staffQuery = queryOptions({ queryKey: ['users', 'staff'], queryFn: ({ signal }) => ticketsApi.staff(signal), ...LOOKUP })

export const useStatuses = () => useQuery(statusesQuery)
export const useTeams = () => useQuery(teamsQuery)
export const useStaff = () => useQuery(staffQuery)

export const useTicket = (ticketId: string) =>
  useQuery({ queryKey: ticketKeys.detail(ticketId), queryFn: ({ signal }) => ticketsApi.ticket(ticketId, signal) })
export const useComments = (ticketId: string) =>
  useQuery({ queryKey: ticketKeys.comments(ticketId), queryFn: ({ signal }) => ticketsApi.comments(ticketId, signal) })
export const useHistory = (ticketId: string, enabled: boolean) =>
  useQuery({ queryKey: ticketKeys.history(ticketId), queryFn: ({ signal }) => ticketsApi.history(ticketId, signal), enabled })
export const useTicketEmails = (ticketId: string, enabled = true) =>
  useQuery({
    queryKey: ticketKeys.emails(ticketId),
    queryFn: ({ signal }) => ticketsApi.emails(ticketId, signal),
    enabled,
    // Delivery status is extra: a role without access to mail just does not see it.
    retry: false,
  })
export const useContact = (contactId: string | undefined) =>
  useQuery({
    queryKey: ticketKeys.contact(contactId ?? ''),
    queryFn: ({ signal }) => ticketsApi.contact(contactId!, signal),
    enabled: !!contactId,
    retry: false,
  })
export const useContactTickets = (contactId: string | undefined) =>
  useQuery({
    queryKey: ticketKeys.contactTickets(contactId ?? ''),
    queryFn: ({ signal }) => ticketsApi.contactTickets(contactId!, signal),
    enabled: !!contactId,
    retry: false,
  })

/** What the list shows: a view's tickets, a filtered list, or search results. */
export interface ListSource {
  viewId: string | null
  q: string
  /** GET /tickets query keys (from the URL, or the view's own filters when searching in a view). */
  filters: Record<string, string>
  sort: string
  page: number
  /** Rows per page (default PAGE_SIZE). */
  limit?: number
}

export function useTicketPage(source: ListSource, enabled = true) {
  const { viewId, q, filters, sort, page, limit = PAGE_SIZE } = source
  const paging = { page: String(page), limit: String(limit) }
  const kind = q ? 'search' : viewId ? 'view' : 'list'
  const params: Record<string, string> =
    kind === 'search' ? { ...filters, q, ...paging } : kind === 'view' ? { view: viewId!, ...paging } : { ...filters, ...(sort ? { sort } : {}), ...paging }
  return useQuery<TicketPage>({
    queryKey: kind === 'search' ? ticketKeys.search(params) : ticketKeys.list(params),
    queryFn: ({ signal }) => {
      if (kind === 'view') return ticketsApi.viewTickets(viewId!, new URLSearchParams(paging).toString(), signal)
      const query = new URLSearchParams(params).toString()
      return kind === 'search' ? ticketsApi.search(query, signal) : ticketsApi.list(query, signal)
    },
    enabled,
    // While the next page or filter loads, keep the rows on screen (greyed) instead of a spinner.
    placeholderData: keepPreviousData,
  })
}
