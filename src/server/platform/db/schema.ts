import type { ColumnType, Generated, Kysely } from 'kysely'

/** timestamptz: read as ISO string, written as ISO string or Date, defaulted by the database. */
type Timestamp = ColumnType<string, string | Date | undefined, string | Date>
type NullableTimestamp = ColumnType<string | null, string | Date | null | undefined, string | Date | null>
type Json<T> = ColumnType<T, string | undefined, string>

export interface OrganizationBranding {
  primary_color?: string
  accent_color?: string
  logo_url?: string | null
  /** An uploaded logo in the file store; presented as a public URL. */
  logo_file?: { key: string; type: string } | null
}

export interface OrganizationSettings {
  /** How far agents see tickets: their own, team and unassigned (default), or all. */
  agent_ticket_scope?: 'team' | 'all'
  /** Whether customers of a company see their colleagues' tickets. */
  customers_see_company_tickets?: boolean
  /** Whether customers may sign up for the portal themselves (on unless false). */
  portal_signup?: boolean
}

export interface OrganizationsTable {
  id: string
  name: string
  slug: string
  time_zone: Generated<string>
  locale: Generated<string>
  ticket_prefix: Generated<string>
  branding: Json<OrganizationBranding>
  settings: Json<OrganizationSettings>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface UsersTable {
  id: string
  email: string
  name: string
  password_hash: string | null
  avatar_url: string | null
  locale: string | null
  time_zone: string | null
  totp_secret: string | null
  totp_enabled_at: NullableTimestamp
  failed_login_count: Generated<number>
  locked_until: NullableTimestamp
  last_login_at: NullableTimestamp
  last_login_ip: string | null
  password_changed_at: NullableTimestamp
  created_at: Timestamp
  updated_at: Timestamp
}

export interface UserBackupCodesTable {
  user_id: string
  code_hash: string
  used_at: NullableTimestamp
}

export interface PasswordResetsTable {
  token_hash: string
  user_id: string
  expires_at: Timestamp
  used_at: NullableTimestamp
  created_at: Timestamp
}

export interface SessionsTable {
  id: string
  user_id: string
  tenant_id: string
  user_agent: string | null
  ip: string | null
  created_at: Timestamp
  last_used_at: Timestamp
  expires_at: Timestamp
  revoked_at: NullableTimestamp
  revoked_reason: string | null
}

export interface RefreshTokensTable {
  token_hash: string
  session_id: string
  expires_at: Timestamp
  used_at: NullableTimestamp
  created_at: Timestamp
}

export type RoleKind = 'staff' | 'customer'
export type TicketScope = 'all' | 'team' | 'own' | 'requested'

export interface RolesTable {
  tenant_id: string
  id: string
  key: string
  name: string
  description: string | null
  kind: RoleKind
  permissions: ColumnType<string[], string[] | undefined, string[]>
  ticket_scope: TicketScope
  is_system: Generated<boolean>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface MembershipsTable {
  tenant_id: string
  id: string
  user_id: string
  role_id: string
  is_active: Generated<boolean>
  title: string | null
  deactivated_at: NullableTimestamp
  created_at: Timestamp
  updated_at: Timestamp
}

export interface TeamsTable {
  tenant_id: string
  id: string
  name: string
  description: string | null
  parent_id: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface TeamMembersTable {
  tenant_id: string
  team_id: string
  user_id: string
  is_lead: Generated<boolean>
  created_at: Timestamp
}

export interface InvitationsTable {
  tenant_id: string
  id: string
  email: string
  name: string | null
  role_id: string
  team_ids: ColumnType<string[], string[] | undefined, string[]>
  token_hash: string
  invited_by: string | null
  expires_at: Timestamp
  accepted_at: NullableTimestamp
  accepted_user_id: string | null
  revoked_at: NullableTimestamp
  created_at: Timestamp
}

export interface ApiKeysTable {
  tenant_id: string
  id: string
  name: string
  prefix: string
  key_hash: string
  role_id: string
  created_by: string | null
  last_used_at: NullableTimestamp
  expires_at: NullableTimestamp
  revoked_at: NullableTimestamp
  created_at: Timestamp
}

export interface AuditEventsTable {
  tenant_id: string
  id: string
  actor_id: string | null
  action: string
  subject_type: string
  subject_id: string | null
  data: Json<Record<string, unknown>>
  ip: string | null
  created_at: Timestamp
}

export interface OutboxTable {
  tenant_id: string
  id: string
  type: string
  payload: Json<Record<string, unknown>>
  attempts: Generated<number>
  available_at: Timestamp
  dispatched_at: NullableTimestamp
  failed_at: NullableTimestamp
  last_error: string | null
  created_at: Timestamp
}


export type StatusCategory = 'new' | 'open' | 'pending' | 'on_hold' | 'resolved' | 'closed' | 'cancelled'
export type Priority = 'low' | 'medium' | 'high' | 'urgent'
export type TicketSource = 'email' | 'web_form' | 'chat' | 'phone' | 'social_media' | 'api' | 'internal'
export type CustomFieldEntity = 'ticket' | 'contact' | 'company'
export type CustomFieldType = 'text' | 'number' | 'email' | 'url' | 'date' | 'select' | 'multiselect' | 'boolean'
type TextArray = ColumnType<string[], string[] | undefined, string[]>
type UuidArray = ColumnType<string[], string[] | undefined, string[]>

export interface TicketStatusesTable {
  tenant_id: string
  id: string
  name: string
  category: StatusCategory
  color: Generated<string>
  position: Generated<number>
  is_default: Generated<boolean>
  is_active: Generated<boolean>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface StatusTransitionsTable {
  tenant_id: string
  from_status_id: string
  to_status_id: string
}

export interface TicketCategoriesTable {
  tenant_id: string
  id: string
  name: string
  parent_id: string | null
  position: Generated<number>
  is_active: Generated<boolean>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface CustomFieldOption {
  value: string
  label: string
}

export interface CustomFieldsTable {
  tenant_id: string
  id: string
  entity: CustomFieldEntity
  key: string
  label: string
  type: CustomFieldType
  options: Json<CustomFieldOption[]>
  is_required: Generated<boolean>
  is_internal: Generated<boolean>
  position: Generated<number>
  is_active: Generated<boolean>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface CompaniesTable {
  tenant_id: string
  id: string
  name: string
  domains: TextArray
  parent_id: string | null
  phone: string | null
  website: string | null
  tags: TextArray
  custom_fields: Json<Record<string, unknown>>
  created_at: Timestamp
  updated_at: Timestamp
  deleted_at: NullableTimestamp
  merged_into_id: string | null
}

export interface ContactPhone {
  type: string
  number: string
}

export interface ContactsTable {
  tenant_id: string
  id: string
  email: string | null
  name: string
  phones: Json<ContactPhone[]>
  company_id: string | null
  time_zone: string | null
  language: string | null
  address: Json<Record<string, string>>
  tags: TextArray
  custom_fields: Json<Record<string, unknown>>
  is_vip: Generated<boolean>
  is_blocked: Generated<boolean>
  can_see_company_tickets: Generated<boolean>
  user_id: string | null
  email_status: Generated<'ok' | 'bouncing'>
  created_at: Timestamp
  updated_at: Timestamp
  deleted_at: NullableTimestamp
  merged_into_id: string | null
}

export interface NotesTable {
  tenant_id: string
  id: string
  contact_id: string | null
  company_id: string | null
  body: string
  is_pinned: Generated<boolean>
  author_id: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export interface TicketCountersTable {
  tenant_id: string
  last_number: Generated<number>
}

export interface TicketsTable {
  tenant_id: string
  id: string
  number: number
  subject: string
  description_html: Generated<string>
  description_text: Generated<string>
  status_id: string
  priority: Generated<Priority>
  category_id: string | null
  source: Generated<TicketSource>
  requester_id: string | null
  company_id: string | null
  assignee_id: string | null
  team_id: string | null
  due_at: NullableTimestamp
  tags: TextArray
  custom_fields: Json<Record<string, unknown>>
  first_response_at: NullableTimestamp
  resolved_at: NullableTimestamp
  closed_at: NullableTimestamp
  created_by: string | null
  created_at: Timestamp
  updated_at: Timestamp
  last_activity_at: Timestamp
  deleted_at: NullableTimestamp
  deleted_by: string | null
  is_spam: Generated<boolean>
  merged_into_id: string | null
  cc_emails: TextArray
  email_account_id: string | null
  /** Generated by the database from subject and description. */
  search: ColumnType<string, never, never>
}

export interface CommentsTable {
  tenant_id: string
  id: string
  ticket_id: string
  author_user_id: string | null
  author_contact_id: string | null
  body_html: string
  body_text: string
  is_internal: Generated<boolean>
  source: Generated<'web' | 'email' | 'api' | 'chat' | 'phone' | 'system'>
  mentions: UuidArray
  created_at: Timestamp
  updated_at: Timestamp
  edited_at: NullableTimestamp
  deleted_at: NullableTimestamp
  search: ColumnType<string, never, never>
}

export interface CommentRevisionsTable {
  tenant_id: string
  id: string
  comment_id: string
  body_html: string
  edited_by: string | null
  created_at: Timestamp
}

export interface AttachmentsTable {
  tenant_id: string
  id: string
  ticket_id: string
  comment_id: string | null
  file_key: string
  filename: string
  content_type: string
  size_bytes: number
  is_inline: Generated<boolean>
  content_id: string | null
  uploaded_by: string | null
  created_at: Timestamp
}

export interface TicketHistoryTable {
  tenant_id: string
  id: string
  ticket_id: string
  actor_id: string | null
  actor_kind: Generated<'user' | 'api_key' | 'system' | 'contact'>
  field: string
  old_value: Json<unknown>
  new_value: Json<unknown>
  created_at: Timestamp
}

export interface TimeEntriesTable {
  tenant_id: string
  id: string
  ticket_id: string
  user_id: string
  minutes: number
  note: string | null
  spent_on: ColumnType<string, string | undefined, string>
  created_at: Timestamp
}

export interface TicketLinksTable {
  tenant_id: string
  ticket_id: string
  linked_ticket_id: string
  kind: 'related' | 'duplicate'
  created_by: string | null
  created_at: Timestamp
}

export interface SavedViewsTable {
  tenant_id: string
  id: string
  name: string
  owner_id: string | null
  filters: Json<Record<string, unknown>>
  sort: Generated<string>
  position: Generated<number>
  is_default: Generated<boolean>
  created_at: Timestamp
  updated_at: Timestamp
}

export type SmtpSecurity = 'tls' | 'starttls' | 'none'

export interface EmailAccountsTable {
  tenant_id: string
  id: string
  name: string
  address: string
  imap_host: string | null
  imap_port: number | null
  imap_tls: Generated<boolean>
  imap_username: string | null
  /** Ciphertext (encryptSecret). */
  imap_password: string | null
  imap_mailbox: Generated<string>
  smtp_host: string | null
  smtp_port: number | null
  smtp_security: Generated<SmtpSecurity>
  smtp_username: string | null
  /** Ciphertext (encryptSecret). */
  smtp_password: string | null
  /** Ciphertext (encryptSecret). */
  oauth_token: string | null
  default_team_id: string | null
  default_priority: Priority | null
  default_category_id: string | null
  auto_create: Generated<boolean>
  is_active: Generated<boolean>
  status: Generated<'new' | 'ok' | 'error'>
  last_sync_at: NullableTimestamp
  last_error: string | null
  last_error_at: NullableTimestamp
  imap_uidvalidity: ColumnType<string | null, string | number | null | undefined, string | number | null>
  imap_last_uid: ColumnType<string, string | number | undefined, string | number>
  created_at: Timestamp
  updated_at: Timestamp
}

export type EmailStatus = 'received' | 'processed' | 'dropped' | 'unrouted' | 'discarded' | 'queued' | 'sent' | 'failed'
export type EmailOutcome = 'ticket_created' | 'comment_added' | 'duplicate' | 'dropped'
export type EmailChannel = 'imap' | 'smtp' | 'api' | 'reply' | 'acknowledgement' | 'resolved'

export interface EmailMessagesTable {
  tenant_id: string
  id: string
  account_id: string | null
  direction: 'inbound' | 'outbound'
  channel: EmailChannel
  message_id: string
  in_reply_to: string | null
  reference_ids: TextArray
  from_address: string | null
  from_name: string | null
  to_addresses: TextArray
  cc_addresses: TextArray
  subject: Generated<string>
  raw_key: string | null
  raw_size: ColumnType<string, number | undefined, number>
  status: EmailStatus
  outcome: EmailOutcome | null
  reason: string | null
  ticket_id: string | null
  comment_id: string | null
  attempts: Generated<number>
  available_at: Timestamp
  locked_until: NullableTimestamp
  last_error: string | null
  imap_uid: ColumnType<string | null, number | null | undefined, number | null>
  received_at: Timestamp
  processed_at: NullableTimestamp
}

export type EmailTemplateKey = 'ticket_created' | 'agent_reply' | 'ticket_resolved'

export interface EmailTemplatesTable {
  tenant_id: string
  key: EmailTemplateKey
  subject: string
  body: string
  enabled: Generated<boolean>
  updated_by: string | null
  updated_at: Timestamp
}

export type NotificationKind = 'mention' | 'assignment'

export interface NotificationsTable {
  tenant_id: string
  id: string
  user_id: string
  kind: NotificationKind
  ticket_id: string
  comment_id: string | null
  actor_id: string | null
  created_at: Timestamp
  read_at: NullableTimestamp
}

export interface PortalSignupsTable {
  tenant_id: string
  token_hash: string
  email: string
  name: string
  password_hash: string
  locale: string | null
  expires_at: Timestamp
  used_at: NullableTimestamp
  created_at: Timestamp
}

export interface DB {
  organizations: OrganizationsTable
  users: UsersTable
  user_backup_codes: UserBackupCodesTable
  password_resets: PasswordResetsTable
  sessions: SessionsTable
  refresh_tokens: RefreshTokensTable
  roles: RolesTable
  memberships: MembershipsTable
  teams: TeamsTable
  team_members: TeamMembersTable
  invitations: InvitationsTable
  api_keys: ApiKeysTable
  audit_events: AuditEventsTable
  outbox: OutboxTable
  ticket_statuses: TicketStatusesTable
  status_transitions: StatusTransitionsTable
  ticket_categories: TicketCategoriesTable
  custom_fields: CustomFieldsTable
  companies: CompaniesTable
  contacts: ContactsTable
  notes: NotesTable
  ticket_counters: TicketCountersTable
  tickets: TicketsTable
  comments: CommentsTable
  comment_revisions: CommentRevisionsTable
  attachments: AttachmentsTable
  ticket_history: TicketHistoryTable
  time_entries: TimeEntriesTable
  ticket_links: TicketLinksTable
  saved_views: SavedViewsTable
  email_accounts: EmailAccountsTable
  email_messages: EmailMessagesTable
  email_templates: EmailTemplatesTable
  notifications: NotificationsTable
  portal_signups: PortalSignupsTable
}

/** A Kysely handle or an open transaction on the Aidly schema. */
export type Tx = Kysely<DB>

/** The row type a select-query factory produces: `RowOf<typeof selectTeams>`. */
export type RowOf<F extends (...args: never[]) => { executeTakeFirstOrThrow(): Promise<unknown> }> =
  Awaited<ReturnType<ReturnType<F>['executeTakeFirstOrThrow']>>
