import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { api, type ApiResponse } from '../../../api/client'
import type { paths } from '../../../api/generated/openapi'
import type { ApiBody, ApiData, ApiItem } from '../../../api/schema'

/**
 * The email channel's API (docs/email.md): mailboxes, unrouted and dropped mail, templates. The
 * shapes are aliases of the generated OpenAPI types (../../../api/schema, `npm run gen:api`); only
 * the web's own constants (and the statuses it knows how to show) are written here.
 */

export type Mailbox = ApiItem<'/api/v1/email/accounts'>
/** Write-only secrets: a string sets, null clears, left out keeps. */
export type MailboxInput = ApiBody<'/api/v1/email/accounts/{id}', 'patch'>
export type NewMailbox = ApiBody<'/api/v1/email/accounts', 'post'>

/** The statuses the page tells apart (client-side); the server answers any string, shown like `new` when unknown. */
export type MailboxStatus = 'new' | 'ok' | 'error'

export type SmtpSecurity = NonNullable<NonNullable<NewMailbox['smtp']>['security']>
export const SMTP_SECURITIES: readonly SmtpSecurity[] = ['tls', 'starttls', 'none']
export const isSmtpSecurity = (value: string): value is SmtpSecurity => (SMTP_SECURITIES as readonly string[]).includes(value)

export type Priority = NonNullable<NewMailbox['default_priority']>
export const PRIORITIES: readonly Priority[] = ['low', 'medium', 'high', 'urgent']
export const isPriority = (value: string | null | undefined): value is Priority =>
  (PRIORITIES as readonly (string | null | undefined)[]).includes(value)

export type ConnectionTest = ApiData<'/api/v1/email/accounts/{id}/test', 'post'>
export type ConnectionCheck = NonNullable<ConnectionTest['imap']>
export type SyncResult = ApiData<'/api/v1/email/accounts/{id}/sync', 'post'>

export type EmailMessage = ApiItem<'/api/v1/email/messages'>
export type InboundResult = ApiData<'/api/v1/email/unrouted/{id}/retry', 'post'>

export type TemplateKey = paths['/api/v1/email/templates/{key}']['put']['parameters']['path']['key']
export const TEMPLATE_KEYS: readonly TemplateKey[] = ['ticket_created', 'agent_reply', 'ticket_resolved']
export const isTemplateKey = (value: string): value is TemplateKey => (TEMPLATE_KEYS as readonly string[]).includes(value)
export type EmailTemplate = ApiItem<'/api/v1/email/templates'>
export type TemplateInput = ApiBody<'/api/v1/email/templates/{key}', 'put'>

export type Team = ApiItem<'/api/v1/teams'>
export type Category = ApiItem<'/api/v1/ticket-categories'>
export type TicketSummary = ApiItem<'/api/v1/tickets/search'>

export type MessageList = ApiResponse<EmailMessage[]>

const data = async <T>(promise: Promise<{ data: T }>): Promise<T> => (await promise).data
const id = encodeURIComponent

export const emailApi = {
  mailboxes: (signal?: AbortSignal) => data(api.get<Mailbox[]>('/email/accounts', { signal })),
  mailbox: (mailboxId: string, signal?: AbortSignal): Promise<Mailbox> =>
    data(api.get<ApiData<'/api/v1/email/accounts/{id}'>>(`/email/accounts/${id(mailboxId)}`, { signal })),
  createMailbox: (input: NewMailbox): Promise<Mailbox> => data(api.post<ApiData<'/api/v1/email/accounts', 'post'>>('/email/accounts', input)),
  updateMailbox: (mailboxId: string, input: MailboxInput): Promise<Mailbox> =>
    data(api.patch<ApiData<'/api/v1/email/accounts/{id}', 'patch'>>(`/email/accounts/${id(mailboxId)}`, input)),
  deleteMailbox: (mailboxId: string) => data(api.delete<ApiData<'/api/v1/email/accounts/{id}', 'delete'>>(`/email/accounts/${id(mailboxId)}`)),
  testMailbox: (mailboxId: string) => data(api.post<ConnectionTest>(`/email/accounts/${id(mailboxId)}/test`)),
  syncMailbox: (mailboxId: string) => data(api.post<SyncResult>(`/email/accounts/${id(mailboxId)}/sync`)),

  unrouted: (page: number, limit: number, signal?: AbortSignal): Promise<MessageList> =>
    api.get<ApiItem<'/api/v1/email/unrouted'>[]>(`/email/unrouted?page=${page}&limit=${limit}`, { signal }),
  dropped: (page: number, limit: number, signal?: AbortSignal) =>
    api.get<EmailMessage[]>(`/email/messages?status=dropped&direction=inbound&page=${page}&limit=${limit}`, { signal }),
  assign: (messageId: string, ticketId: string): Promise<InboundResult> => {
    const body: ApiBody<'/api/v1/email/unrouted/{id}/assign', 'post'> = { ticket_id: ticketId }
    return data(api.post<ApiData<'/api/v1/email/unrouted/{id}/assign', 'post'>>(`/email/unrouted/${id(messageId)}/assign`, body))
  },
  // The server wants a JSON object here even though the body is optional (an empty POST is a 400).
  retry: (messageId: string) => data(api.post<InboundResult>(`/email/unrouted/${id(messageId)}/retry`, {})),
  discard: (messageId: string): Promise<EmailMessage> =>
    data(api.post<ApiData<'/api/v1/email/unrouted/{id}/discard', 'post'>>(`/email/unrouted/${id(messageId)}/discard`, {})),
  raw: (messageId: string) => api.download(`/email/messages/${id(messageId)}/raw`),

  templates: (signal?: AbortSignal) => data(api.get<EmailTemplate[]>('/email/templates', { signal })),
  saveTemplate: (key: TemplateKey, input: TemplateInput): Promise<EmailTemplate> =>
    data(api.put<ApiData<'/api/v1/email/templates/{key}', 'put'>>(`/email/templates/${id(key)}`, input)),
  resetTemplate: (key: TemplateKey): Promise<EmailTemplate> =>
    data(api.delete<ApiData<'/api/v1/email/templates/{key}', 'delete'>>(`/email/templates/${id(key)}`)),

  /** Every team, page by page (the list is capped at 100 a page). */
  teams: async (signal?: AbortSignal): Promise<Team[]> => {
    const all: Team[] = []
    for (let page = 1; page <= 50; page++) {
      const res = await api.get<Team[]>(`/teams?limit=100&page=${page}`, { signal })
      all.push(...res.data)
      if (res.data.length < 100 || (res.meta?.total !== undefined && all.length >= res.meta.total)) break
    }
    return all
  },
  categories: (signal?: AbortSignal) => data(api.get<Category[]>('/ticket-categories', { signal })),
  searchTickets: (q: string, signal?: AbortSignal) =>
    data(api.get<TicketSummary[]>(`/tickets/search?q=${encodeURIComponent(q)}&limit=10`, { signal })),
}

export const emailKeys = {
  all: ['email'] as const,
  mailboxes: ['email', 'mailboxes'] as const,
  mailbox: (mailboxId: string) => ['email', 'mailboxes', mailboxId] as const,
  messages: ['email', 'messages'] as const,
  list: (view: 'unrouted' | 'dropped', page: number) => ['email', 'messages', view, page] as const,
  templates: ['email', 'templates'] as const,
  teams: ['teams', 'all'] as const,
  categories: ['ticket-categories'] as const,
}

export const PAGE_SIZE = 25

export const useMailboxes = () => useQuery(queryOptions({ queryKey: emailKeys.mailboxes, queryFn: ({ signal }) => emailApi.mailboxes(signal) }))

export const useMailbox = (mailboxId: string | undefined) =>
  useQuery({
    queryKey: emailKeys.mailbox(mailboxId ?? ''),
    queryFn: ({ signal }) => emailApi.mailbox(mailboxId!, signal),
    enabled: !!mailboxId,
    // The form is filled once from this; a background refetch must not look like new data.
    staleTime: Infinity,
    gcTime: 0,
  })

export const useMessages = (view: 'unrouted' | 'dropped', page: number) =>
  useQuery({
    queryKey: emailKeys.list(view, page),
    queryFn: ({ signal }) => (view === 'unrouted' ? emailApi.unrouted(page, PAGE_SIZE, signal) : emailApi.dropped(page, PAGE_SIZE, signal)),
    // While the next page loads, keep showing this one (but never the other list's rows).
    placeholderData: (previous, previousQuery) => (previousQuery?.queryKey[2] === view ? keepPreviousData(previous) : undefined),
  })

export const useTemplates = () => useQuery({ queryKey: emailKeys.templates, queryFn: ({ signal }) => emailApi.templates(signal) })
export const useTeams = () => useQuery({ queryKey: emailKeys.teams, queryFn: ({ signal }) => emailApi.teams(signal), staleTime: 300_000 })
export const useCategories = () =>
  useQuery({ queryKey: emailKeys.categories, queryFn: ({ signal }) => emailApi.categories(signal), staleTime: 300_000 })
