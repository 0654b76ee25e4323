import { Type, type TSchema } from 'typebox'
import { Email, Obj, PageQuery, Uuid } from '../../platform/http.js'

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

export const PHONE_TYPES = ['work', 'mobile', 'home', 'fax', 'other'] as const
export const MERGE_STRATEGIES = ['keep_primary', 'prefer_newest', 'prefer_complete'] as const
export type MergeStrategy = (typeof MERGE_STRATEGIES)[number]

export const Phone = Obj({
  type: Type.Union(PHONE_TYPES.map((t) => Type.Literal(t))),
  number: Type.String({ minLength: 3, maxLength: 40, pattern: '^\\+?[0-9][0-9 ()./#*x-]*$' }),
})

export const Address = Obj({
  street: Type.Optional(Type.String({ maxLength: 300 })),
  city: Type.Optional(Type.String({ maxLength: 100 })),
  region: Type.Optional(Type.String({ maxLength: 100 })),
  postal_code: Type.Optional(Type.String({ maxLength: 20 })),
  country: Type.Optional(Type.String({ maxLength: 100 })),
})
export const ADDRESS_KEYS = ['street', 'city', 'region', 'postal_code', 'country'] as const

export const Tags = Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 50 })
export const CustomFieldsInput = Type.Record(Type.String(), Type.Unknown())

const Ref = Type.Object({ id: Type.String(), name: Type.String() })

export const ContactSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Nullable(Type.String()),
  phones: Type.Array(Type.Object({ type: Type.String(), number: Type.String() })),
  company_id: Nullable(Type.String()),
  company: Nullable(Ref),
  time_zone: Nullable(Type.String()),
  language: Nullable(Type.String()),
  address: Type.Record(Type.String(), Type.String()),
  tags: Type.Array(Type.String()),
  custom_fields: Type.Record(Type.String(), Type.Unknown()),
  is_vip: Type.Boolean(),
  is_blocked: Type.Boolean(),
  can_see_company_tickets: Type.Boolean(),
  /** The customer user this contact signs in as, when it has portal access. */
  user_id: Nullable(Type.String()),
  has_portal_access: Type.Boolean(),
  email_status: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
})

const ContactFields = {
  email: Type.Optional(Nullable(Email)),
  phones: Type.Optional(Type.Array(Phone, { maxItems: 20 })),
  company_id: Type.Optional(Nullable(Uuid)),
  time_zone: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
  language: Type.Optional(Nullable(Type.String({ minLength: 2, maxLength: 35 }))),
  address: Type.Optional(Address),
  tags: Type.Optional(Tags),
  custom_fields: Type.Optional(CustomFieldsInput),
  is_vip: Type.Optional(Type.Boolean()),
  is_blocked: Type.Optional(Type.Boolean()),
  can_see_company_tickets: Type.Optional(Type.Boolean()),
}

const Name = Type.String({ minLength: 1, maxLength: 200 })

export const CreateContactBody = Obj({ name: Name, ...ContactFields })
export const UpdateContactBody = Obj({ name: Type.Optional(Name), ...ContactFields })

export const CONTACT_SORTS = ['name', '-name', 'email', '-email', 'created_at', '-created_at'] as const

/** `custom_fields.<key>=value` filters ride along as extra query keys of this shape. */
export const CUSTOM_FIELD_FILTER = '^custom_fields\\.[a-z][a-z0-9_]{0,49}$'

/** A yes/no query parameter: `true`, `false`, `1` or `0`. */
export const QueryFlag = Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')])
export const flag = (v: string | undefined): boolean | undefined => (v === undefined ? undefined : v === 'true' || v === '1')
const Bool = QueryFlag

export const ListContactsQuery = Type.Object({
  ...PageQuery,
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  company_id: Type.Optional(Uuid),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  is_vip: Type.Optional(Bool),
  is_blocked: Type.Optional(Bool),
  created_after: Type.Optional(Type.String({ format: 'date-time' })),
  created_before: Type.Optional(Type.String({ format: 'date-time' })),
  sort: Type.Optional(Type.Union(CONTACT_SORTS.map((s) => Type.Literal(s)))),
}, { additionalProperties: false, patternProperties: { [CUSTOM_FIELD_FILTER]: Type.String({ maxLength: 200 }) } })

export const NoteSchema = Type.Object({
  id: Type.String(),
  body: Type.String(),
  is_pinned: Type.Boolean(),
  author: Nullable(Ref),
  created_at: Type.String(),
  updated_at: Type.String(),
})
export const CreateNoteBody = Obj({ body: Type.String({ minLength: 1, maxLength: 20000 }), is_pinned: Type.Optional(Type.Boolean()) })
export const UpdateNoteBody = Obj({ body: Type.Optional(Type.String({ minLength: 1, maxLength: 20000 })), is_pinned: Type.Optional(Type.Boolean()) })
export const NoteParams = Obj({ id: Uuid, note_id: Uuid })
export const PageOnlyQuery = Obj({ ...PageQuery })

export const MergeBody = Obj({
  source_ids: Type.Array(Uuid, { minItems: 1, maxItems: 20 }),
  strategy: Type.Union(MERGE_STRATEGIES.map((s) => Type.Literal(s))),
})

const UUID_RE = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'

/** `source_ids` is optional in the schema so that an unknown contact answers 404 before 400. */
export const MergePreviewQuery = Obj({
  source_ids: Type.Optional(Type.String({ pattern: `^${UUID_RE}(,${UUID_RE}){0,19}$` })),
})

const MergedFields = Type.Object({
  name: Type.String(),
  email: Nullable(Type.String()),
  phones: Type.Array(Type.Object({ type: Type.String(), number: Type.String() })),
  company_id: Nullable(Type.String()),
  time_zone: Nullable(Type.String()),
  language: Nullable(Type.String()),
  address: Type.Record(Type.String(), Type.String()),
  tags: Type.Array(Type.String()),
  custom_fields: Type.Record(Type.String(), Type.Unknown()),
  is_vip: Type.Boolean(),
  is_blocked: Type.Boolean(),
  can_see_company_tickets: Type.Boolean(),
  user_id: Nullable(Type.String()),
})

export const MergePreviewSchema = Type.Object({
  target: ContactSchema,
  sources: Type.Array(ContactSchema),
  results: Type.Object({ keep_primary: MergedFields, prefer_newest: MergedFields, prefer_complete: MergedFields }),
  moves: Type.Object({ tickets: Type.Integer(), notes: Type.Integer() }),
})

export const MergeResultSchema = Type.Object({
  contact: ContactSchema,
  merged_ids: Type.Array(Type.String()),
  moved: Type.Object({ tickets: Type.Integer(), notes: Type.Integer() }),
})

export const DuplicatesQuery = Obj({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })) })

const ContactSummary = Type.Object({
  id: Type.String(), name: Type.String(), email: Nullable(Type.String()), company: Nullable(Ref), created_at: Type.String(),
})
export const DuplicateGroupSchema = Type.Object({
  reason: Type.Union([Type.Literal('phone'), Type.Literal('name_and_company'), Type.Literal('similar_name')]),
  /** The shared phone digits, the shared name, or the similarity of the two names (0–1). */
  key: Type.String(),
  similarity: Type.Optional(Type.Number()),
  contacts: Type.Array(ContactSummary),
})

export const ImportResultSchema = Type.Object({
  imported: Type.Integer(),
  updated: Type.Integer(),
  failed: Type.Integer(),
  errors: Type.Array(Type.Object({ line: Type.Integer(), field: Type.Optional(Type.String()), message: Type.String() })),
  errors_truncated: Type.Optional(Type.Boolean()),
})
