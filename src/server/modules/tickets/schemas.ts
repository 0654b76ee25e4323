import { Type, type Static, type TSchema } from 'typebox'
import { Email, Obj, PageQuery, Timestamp, Uuid } from '../../platform/http.js'
import { PRIORITIES, SOURCES, TicketSchema } from './present.js'

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

export const PrioritySchema = Type.Enum([...PRIORITIES])
export const SourceSchema = Type.Enum([...SOURCES])

/** What the actor may do with the ticket, so the UI does not re-derive permissions. */
export const AbilitiesSchema = Type.Object({
  update: Type.Boolean(),
  assign: Type.Boolean(),
  delete: Type.Boolean(),
  close: Type.Boolean(),
  comment: Type.Boolean(),
  comment_internal: Type.Boolean(),
})
export type Abilities = Static<typeof AbilitiesSchema>

export const TicketDetailSchema = Type.Object({ ...TicketSchema.properties, abilities: AbilitiesSchema })

const Subject = Type.String({ minLength: 1, maxLength: 500 })
const Description = Type.String({ maxLength: 200_000, description: 'Rich text (HTML); stored sanitized' })
const DescriptionText = Type.String({ maxLength: 200_000, description: 'Plain text, turned into paragraphs; instead of description' })
const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 30, description: 'Trimmed, lowercased and de-duplicated' })
const CustomFields = Type.Record(Type.String({ maxLength: 50 }), Type.Unknown(), { description: 'Values keyed by the custom field key; validated against the organization’s ticket fields' })
const StatusName = Type.String({ minLength: 1, maxLength: 60, description: 'A status name or category key (e.g. "open"), instead of status_id' })

export const CreateTicketBody = Obj({
  subject: Subject,
  description: Type.Optional(Description),
  description_text: Type.Optional(DescriptionText),
  priority: Type.Optional(PrioritySchema),
  status_id: Type.Optional(Uuid),
  status: Type.Optional(StatusName),
  category_id: Type.Optional(Nullable(Uuid)),
  source: Type.Optional(SourceSchema),
  tags: Type.Optional(Tags),
  custom_fields: Type.Optional(CustomFields),
  due_at: Type.Optional(Nullable(Timestamp)),
  requester: Type.Optional(Obj({ email: Email, name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) })),
  requester_id: Type.Optional(Uuid),
  company_id: Type.Optional(Nullable(Uuid)),
  assignee_id: Type.Optional(Nullable(Uuid)),
  team_id: Type.Optional(Nullable(Uuid)),
})
export type CreateTicketBodyIn = Static<typeof CreateTicketBody>

export const UpdateTicketBody = Obj({
  subject: Type.Optional(Subject),
  description: Type.Optional(Description),
  description_text: Type.Optional(DescriptionText),
  priority: Type.Optional(PrioritySchema),
  status_id: Type.Optional(Uuid),
  status: Type.Optional(StatusName),
  category_id: Type.Optional(Nullable(Uuid)),
  tags: Type.Optional(Tags),
  custom_fields: Type.Optional(CustomFields),
  due_at: Type.Optional(Nullable(Timestamp)),
  requester_id: Type.Optional(Nullable(Uuid)),
  company_id: Type.Optional(Nullable(Uuid)),
})
export type UpdateTicketBodyIn = Static<typeof UpdateTicketBody>

export const AssignTicketBody = Obj({
  assignee_id: Type.Optional(Nullable(Uuid)),
  team_id: Type.Optional(Nullable(Uuid)),
}, { minProperties: 1 })

export const TakeTicketQuery = Obj({
  force: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('true'), Type.Literal('0'), Type.Literal('false')], { description: 'Take it even when someone else holds it' })),
})

export const SpamBody = Obj({ is_spam: Type.Boolean() })

export const HistoryQuery = Obj({
  ...PageQuery,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100 })),
})

export const HistoryEntrySchema = Type.Object({
  id: Type.String(),
  field: Type.String({ description: 'A ticket field (status, priority, custom_fields.plan…) or an event (created, deleted, restored, merged, split, linked)' }),
  old_value: Type.Unknown(),
  new_value: Type.Unknown(),
  actor: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  actor_kind: Type.String(),
  created_at: Type.String(),
})
export type HistoryEntryOut = Static<typeof HistoryEntrySchema>
