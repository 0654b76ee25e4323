import { Type, type Static } from 'typebox'
import { Email, Obj, PageQuery, Uuid } from '../../platform/http.js'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])
const Host = Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:\\[\\]_-]+$' })
const Port = Type.Integer({ minimum: 1, maximum: 65535 })
const Secret = Nullable(Type.String({ minLength: 1, maxLength: 4000, description: 'Write-only: stored encrypted, never returned. null clears it.' }))
const PriorityIn = Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high'), Type.Literal('urgent')])

const ImapIn = Obj({
  host: Host,
  port: Type.Optional(Port),
  tls: Type.Optional(Type.Boolean({ description: 'Implicit TLS (port 993); false uses plain IMAP upgraded with STARTTLS when offered' })),
  username: Type.String({ minLength: 1, maxLength: 320 }),
  password: Type.Optional(Secret),
  mailbox: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
})
const SmtpIn = Obj({
  host: Host,
  port: Type.Optional(Port),
  security: Type.Optional(Type.Union([Type.Literal('tls'), Type.Literal('starttls'), Type.Literal('none')])),
  username: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 320 }))),
  password: Type.Optional(Secret),
})

const accountFields = {
  name: Type.String({ minLength: 1, maxLength: 120 }),
  address: Email,
  imap: Type.Optional(Nullable(ImapIn)),
  smtp: Type.Optional(Nullable(SmtpIn)),
  oauth_token: Type.Optional(Secret),
  default_team_id: Type.Optional(Nullable(Uuid)),
  default_priority: Type.Optional(Nullable(PriorityIn)),
  default_category_id: Type.Optional(Nullable(Uuid)),
  auto_create: Type.Optional(Type.Boolean({ description: 'Open tickets for new conversations; when off they wait in the unrouted queue' })),
  is_active: Type.Optional(Type.Boolean()),
}

export const CreateAccountBody = Obj(accountFields)
export type CreateAccountInput = Static<typeof CreateAccountBody>
export const UpdateAccountBody = Obj({ ...accountFields, name: Type.Optional(accountFields.name), address: Type.Optional(Email) }, { minProperties: 1 })
export type UpdateAccountInput = Static<typeof UpdateAccountBody>

export const AccountSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  address: Type.String(),
  imap: Nullable(Type.Object({ host: Type.String(), port: Type.Integer(), tls: Type.Boolean(), username: Type.String(), mailbox: Type.String(), has_password: Type.Boolean() })),
  smtp: Nullable(Type.Object({ host: Type.String(), port: Type.Integer(), security: Type.String(), username: Nullable(Type.String()), has_password: Type.Boolean() })),
  has_oauth_token: Type.Boolean(),
  default_team_id: Nullable(Type.String()),
  default_priority: Nullable(Type.String()),
  default_category_id: Nullable(Type.String()),
  auto_create: Type.Boolean(),
  is_active: Type.Boolean(),
  status: Type.String({ description: 'new (never synced), ok, or error (see last_error)' }),
  last_sync_at: Nullable(Type.String()),
  last_error: Nullable(Type.String()),
  last_error_at: Nullable(Type.String()),
  backlog: Type.Integer({ description: 'Messages received and not processed yet' }),
  created_at: Type.String(),
  updated_at: Type.String(),
})
export type AccountOut = Static<typeof AccountSchema>

const Check = Type.Object({ ok: Type.Boolean(), error: Nullable(Type.String()) })
export const ConnectionTestSchema = Type.Object({ imap: Nullable(Check), smtp: Nullable(Check) })
export const SyncResultSchema = Type.Object({
  fetched: Type.Integer(),
  results: Type.Array(Type.Object({ id: Type.String(), outcome: Type.String(), reason: Nullable(Type.String()), ticket_id: Nullable(Type.String()) })),
})

export const InboundResultSchema = Type.Object({
  id: Type.String({ description: 'The stored message (GET /email/messages/{id})' }),
  status: Type.String(),
  outcome: Type.String({ description: 'ticket_created, comment_added, duplicate, dropped, unrouted, or queued when processing is retried later' }),
  reason: Nullable(Type.String()),
  ticket_id: Nullable(Type.String()),
  comment_id: Nullable(Type.String()),
})
export const InboundQuery = Obj({ account_id: Type.Optional(Uuid) })

export const MessageSchema = Type.Object({
  id: Type.String(),
  account_id: Nullable(Type.String()),
  direction: Type.String(),
  channel: Type.String(),
  message_id: Type.String(),
  in_reply_to: Nullable(Type.String()),
  from: Nullable(Type.String()),
  from_name: Nullable(Type.String()),
  to: Type.Array(Type.String()),
  cc: Type.Array(Type.String()),
  subject: Type.String(),
  size_bytes: Type.Integer(),
  status: Type.String(),
  outcome: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  ticket_id: Nullable(Type.String()),
  comment_id: Nullable(Type.String()),
  attempts: Type.Integer(),
  last_error: Nullable(Type.String()),
  received_at: Type.String(),
  processed_at: Nullable(Type.String()),
})
export type MessageOut = Static<typeof MessageSchema>

const StatusFilter = Type.Union([
  Type.Literal('received'), Type.Literal('processed'), Type.Literal('dropped'), Type.Literal('unrouted'),
  Type.Literal('discarded'), Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed'),
])
export const MessagesQuery = Obj({
  ...PageQuery,
  status: Type.Optional(StatusFilter),
  direction: Type.Optional(Type.Union([Type.Literal('inbound'), Type.Literal('outbound')])),
  account_id: Type.Optional(Uuid),
  ticket_id: Type.Optional(Uuid),
})
export type MessagesQueryIn = Static<typeof MessagesQuery>
export const UnroutedQuery = Obj({ ...PageQuery })
export const AssignUnroutedBody = Obj({ ticket_id: Uuid })

export const TemplateKeyParams = Obj({ key: Type.Union([Type.Literal('ticket_created'), Type.Literal('agent_reply'), Type.Literal('ticket_resolved')]) })
export const TemplateSchema = Type.Object({
  key: Type.String(),
  subject: Type.String(),
  body: Type.String(),
  enabled: Type.Boolean(),
  customized: Type.Boolean({ description: 'false while the built-in wording is in use' }),
  variables: Type.Array(Type.String()),
})
export const UpdateTemplateBody = Obj({
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  body: Type.Optional(Type.String({ minLength: 1, maxLength: 20000 })),
  enabled: Type.Optional(Type.Boolean()),
}, { minProperties: 1 })
