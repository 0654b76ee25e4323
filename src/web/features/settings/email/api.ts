import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { api, type ApiResponse } from '../../../api/client'

/** The email channel's API (docs/email.md): mailboxes, unrouted and dropped mail, templates. */

export type MailboxStatus = 'new' | 'ok' | 'error'
export type SmtpSecurity = 'tls' | 'starttls' | 'none'
export type Priority = 'low' | 'medium' | 'high' | 'urgent'
export const PRIORITIES: readonly Priority[] = ['low', 'medium', 'high', 'urgent']

export interface Mailbox {
  id: string
  name: string
  address: string
  imap: { host: string; port: number; tls: boolean; username: string; mailbox: string; has_password: boolean } | null
  smtp: { host: string; port: number; security: SmtpSecurity; username: string | null; has_password: boolean } | null
  has_oauth_token: boolean
  default_team_id: string | null
  default_priority: Priority | null
  default_category_id: string | null
  auto_create: boolean
  is_active: boolean
  /** Any other string the server may add later is shown like `new`. */
  status: MailboxStatus | (string & {})
  last_sync_at: string | null
  last_error: string | null
  last_error_at: string | null
  backlog: number
  created_at: string
  updated_at: string
}

/** Write-only secrets: a string sets, null clears, left out keeps. */
export interface MailboxInput {
  name?: string
  address?: string
  imap?: { host: string; port?: number; tls?: boolean; username: string; password?: string | null; mailbox?: string } | null
  smtp?: { host: string; port?: number; security?: SmtpSecurity; username?: string | null; password?: string | null } | null
  oauth_token?: string | null
  default_team_id?: string | null
  default_priority?: Priority | null
  default_category_id?: string | null
  auto_create?: boolean
  is_active?: boolean
}

export interface ConnectionCheck {
  ok: boolean
  error: string | null
}
export interface ConnectionTest {
  imap: ConnectionCheck | null
  smtp: ConnectionCheck | null
}
export interface SyncResult {
  fetched: number
  results: { id: string; outcome: string; reason: string | null; ticket_id: string | null }[]
}

export interface EmailMessage {
  id: string
  account_id: string | null
  direction: string
  channel: string
  message_id: string
  in_reply_to: string | null
  from: string | null
  from_name: string | null
  to: string[]
  cc: string[]
  subject: string
  size_bytes: number
  status: string
  outcome: string | null
  reason: string | null
  ticket_id: string | null
  comment_id: string | null
  attempts: number
  last_error: string | null
  received_at: string
  processed_at: string | null
}

export interface InboundResult {
  id: string
  status: string
  outcome: string
  reason: string | null
  ticket_id: string | null
  comment_id: string | null
}

export type TemplateKey = 'ticket_created' | 'agent_reply' | 'ticket_resolved'
export interface EmailTemplate {
  key: TemplateKey
  subject: string
  body: string
  enabled: boolean
  customized: boolean
  variables: string[]
}

export interface Team {
  id: string
  name: string
  parent_id: string | null
}
export interface Category {
  id: string
  name: string
  parent_id: string | null
  depth: number
  is_active?: boolean
}
export interface TicketSummary {
  id: string
  ticket_number: string
  subject: string
  status: { name: string }
  requester: { name: string; email: string | null } | null
}

export type MessageList = ApiResponse<EmailMessage[]>

const data = async <T>(promise: Promise<{ data: T }>): Promise<T> => (await promise).data
const id = encodeURIComponent

export const emailApi = {
  mailboxes: (signal?: AbortSignal) => data(api.get<Mailbox[]>('/email/accounts', { signal })),
  mailbox: (mailboxId: string, signal?: AbortSignal) => data(api.get<Mailbox>(`/email/accounts/${id(mailboxId)}`, { signal })),
  createMailbox: (input: MailboxInput) => data(api.post<Mailbox>('/email/accounts', input)),
  updateMailbox: (mailboxId: string, input: MailboxInput) => data(api.patch<Mailbox>(`/email/accounts/${id(mailboxId)}`, input)),
  deleteMailbox: (mailboxId: string) => data(api.delete<unknown>(`/email/accounts/${id(mailboxId)}`)),
  testMailbox: (mailboxId: string) => data(api.post<ConnectionTest>(`/email/accounts/${id(mailboxId)}/test`)),
  syncMailbox: (mailboxId: string) => data(api.post<SyncResult>(`/email/accounts/${id(mailboxId)}/sync`)),

  unrouted: (page: number, limit: number, signal?: AbortSignal) =>
    api.get<EmailMessage[]>(`/email/unrouted?page=${page}&limit=${limit}`, { signal }),
  dropped: (page: number, limit: number, signal?: AbortSignal) =>
    api.get<EmailMessage[]>(`/email/messages?status=dropped&direction=inbound&page=${page}&limit=${limit}`, { signal }),
  assign: (messageId: string, ticketId: string) =>
    data(api.post<InboundResult>(`/email/unrouted/${id(messageId)}/assign`, { ticket_id: ticketId })),
  // The server wants a JSON object here even though the body is optional (an empty POST is a 400).
  retry: (messageId: string) => data(api.post<InboundResult>(`/email/unrouted/${id(messageId)}/retry`, {})),
  discard: (messageId: string) => data(api.post<EmailMessage>(`/email/unrouted/${id(messageId)}/discard`, {})),
  raw: (messageId: string) => api.download(`/email/messages/${id(messageId)}/raw`),

  templates: (signal?: AbortSignal) => data(api.get<EmailTemplate[]>('/email/templates', { signal })),
  saveTemplate: (key: TemplateKey, input: { subject?: string; body?: string; enabled?: boolean }) =>
    data(api.put<EmailTemplate>(`/email/templates/${id(key)}`, input)),
  resetTemplate: (key: TemplateKey) => data(api.delete<EmailTemplate>(`/email/templates/${id(key)}`)),

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
