import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { api, type ApiResponse } from '../../api/client'
import { ticketKeys } from './shared'

/** The ticket API the workspace uses (GET /api/openapi.json has the exact schemas). */

export type Priority = 'low' | 'medium' | 'high' | 'urgent'
export const PRIORITIES: readonly Priority[] = ['low', 'medium', 'high', 'urgent']
export const STATUS_CATEGORIES = ['new', 'open', 'pending', 'on_hold', 'resolved', 'closed', 'cancelled'] as const
export type StatusCategory = (typeof STATUS_CATEGORIES)[number]
export const OPEN_CATEGORIES: readonly StatusCategory[] = ['new', 'open', 'pending', 'on_hold']

export interface Ref {
  id: string
  name: string
}

export interface StatusRef {
  id: string
  name: string
  category: string
  color: string
}

export interface Ticket {
  id: string
  number: number
  ticket_number: string
  subject: string
  /** Sanitized HTML. */
  description: string
  status: StatusRef
  priority: Priority | (string & {})
  category: Ref | null
  source: string
  requester: { id: string; name: string; email: string | null } | null
  company: Ref | null
  assignee: Ref | null
  team: Ref | null
  tags: string[]
  cc: string[]
  due_at: string | null
  is_overdue: boolean
  first_response_at: string | null
  resolved_at: string | null
  closed_at: string | null
  merged_into_id: string | null
  created_at: string
  updated_at: string
}

export interface Abilities {
  update: boolean
  assign: boolean
  delete: boolean
  close: boolean
  comment: boolean
  comment_internal: boolean
}

export interface TicketDetail extends Ticket {
  abilities: Abilities
}

export interface SearchHit extends Ticket {
  highlight: {
    /** Escaped HTML with the matches in <mark>. */
    subject: string
    excerpt: string | null
    matched_in: 'number' | 'ticket' | 'comment'
    comment_id: string | null
  }
}

export interface Attachment {
  id: string
  filename: string
  content_type: string
  size_bytes: number
  url?: string
}

export interface Comment {
  id: string
  ticket_id: string
  /** Sanitized HTML. */
  body: string
  body_text: string
  is_internal: boolean
  source: string
  author: { type: 'user' | 'contact'; id: string; name: string } | null
  mentions: Ref[]
  attachments: Attachment[]
  edited_at: string | null
  created_at: string
}

export interface HistoryEntry {
  id: string
  field: string
  old_value: unknown
  new_value: unknown
  actor: Ref | null
  actor_kind: string
  created_at: string
}

export interface TicketEmail {
  id: string
  direction: 'inbound' | 'outbound' | (string & {})
  channel: string
  from: string | null
  to: string[]
  subject: string
  status: string
  reason: string | null
  comment_id: string | null
  attempts: number
  last_error: string | null
  received_at: string
  processed_at: string | null
}

export interface StatusDef extends StatusRef {
  position: number
  is_default?: boolean
  is_active?: boolean
  /** Ids this status may move to; empty means any. */
  transitions?: string[]
}

export interface Team {
  id: string
  name: string
  parent_id: string | null
}

export interface Person {
  id: string
  name: string
  email: string
  role: string
  is_active: boolean
}

export interface Contact {
  id: string
  name: string
  email: string | null
  phones: { type: string; number: string }[]
  company: Ref | null
  time_zone: string | null
  is_vip: boolean
  is_blocked: boolean
}

export interface BulkResult {
  results: ({ id: string; ok: true } | { id: string; ok: false; error: { code: string; message: string } })[]
  succeeded: number
  failed: number
}

export type BulkRequest =
  | { action: 'close'; ids: string[] }
  | { action: 'assign'; ids: string[]; data: { assignee_id?: string | null; team_id?: string | null } }
  | { action: 'update'; ids: string[]; data: { priority?: Priority; status_id?: string } }

export type TicketChanges = { status_id?: string; priority?: Priority; tags?: string[] }
export type Assignment = { assignee_id?: string | null; team_id?: string | null }

export const PAGE_SIZE = 25

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
  list: (query: string, signal?: AbortSignal) => api.get<Ticket[]>(`/tickets?${query}`, { signal }),
  viewTickets: (viewId: string, query: string, signal?: AbortSignal) =>
    api.get<Ticket[]>(`/views/${id(viewId)}/tickets?${query}`, { signal }),
  search: (query: string, signal?: AbortSignal) => api.get<SearchHit[]>(`/tickets/search?${query}`, { signal }),
  bulk: (body: BulkRequest) => data(api.post<BulkResult>('/tickets/bulk', body)),

  ticket: (ticketId: string, signal?: AbortSignal) => data(api.get<TicketDetail>(`/tickets/${id(ticketId)}`, { signal })),
  update: (ticketId: string, changes: TicketChanges) => data(api.patch<TicketDetail>(`/tickets/${id(ticketId)}`, changes)),
  assign: (ticketId: string, assignment: Assignment) =>
    data(api.post<TicketDetail>(`/tickets/${id(ticketId)}/assign`, assignment)),
  comments: (ticketId: string, signal?: AbortSignal) => everyPage<Comment>(`/tickets/${id(ticketId)}/comments`, signal),
  addComment: (ticketId: string, input: { body_text: string; is_internal: boolean; attachment_ids?: string[] }) =>
    data(api.post<Comment>(`/tickets/${id(ticketId)}/comments`, input)),
  /** Closes it (a customer their own request; staff with tickets:update). */
  close: (ticketId: string) => data(api.post<TicketDetail>(`/tickets/${id(ticketId)}/close`, {})),
  /** Opens a ticket; a customer sends only the subject and description, for themselves. */
  create: (input: { subject: string; description_text?: string }) => data(api.post<TicketDetail>('/tickets', input)),
  history: (ticketId: string, signal?: AbortSignal) => everyPage<HistoryEntry>(`/tickets/${id(ticketId)}/history`, signal),
  emails: (ticketId: string, signal?: AbortSignal) => data(api.get<TicketEmail[]>(`/tickets/${id(ticketId)}/emails`, { signal })),
  upload: (ticketId: string, files: File[]) => {
    const form = new FormData()
    for (const file of files) form.append('file', file, file.name)
    return data(api.upload<Attachment[]>(`/tickets/${id(ticketId)}/attachments`, form))
  },
  removeAttachment: (attachmentId: string) => data(api.delete<unknown>(`/attachments/${id(attachmentId)}`)),
  download: (attachmentId: string) => api.download(`/attachments/${id(attachmentId)}`),

  statuses: (signal?: AbortSignal) => data(api.get<StatusDef[]>('/ticket-statuses', { signal })),
  teams: (signal?: AbortSignal) => everyPage<Team>('/teams', signal, 50),
  /** Active staff (the people a ticket can be assigned to): everyone but customer roles. */
  staff: async (signal?: AbortSignal): Promise<Person[]> => {
    const [people, customerRoles] = await Promise.all([
      everyPage<Person>('/users?is_active=true&sort=name', signal, 50),
      api.get<{ key: string; kind: string }[]>('/roles', { signal }).then(
        (res) => new Set(res.data.filter((r) => r.kind === 'customer').map((r) => r.key)),
        // Roles may be closed to this user: then the built-in customer role is the one to leave out.
        () => new Set(['customer']),
      ),
    ])
    return people.filter((p) => !customerRoles.has(p.role))
  },
  contact: (contactId: string, signal?: AbortSignal) => data(api.get<Contact>(`/contacts/${id(contactId)}`, { signal })),
  contactTickets: (contactId: string, signal?: AbortSignal) =>
    data(api.get<Ticket[]>(`/contacts/${id(contactId)}/tickets?limit=6`, { signal })),
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
}

export function useTicketPage(source: ListSource, enabled = true) {
  const { viewId, q, filters, sort, page } = source
  const paging = { page: String(page), limit: String(PAGE_SIZE) }
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
