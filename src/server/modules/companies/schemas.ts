import { Type, type TSchema } from 'typebox'
import { Obj, PageQuery, Uuid } from '../../platform/http.js'
import { CUSTOM_FIELD_FILTER, CustomFieldsInput, QueryFlag, Tags } from '../contacts/schemas.js'

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
const Ref = Type.Object({ id: Type.String(), name: Type.String() })

export const CompanySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  domains: Type.Array(Type.String()),
  parent_id: Nullable(Type.String()),
  parent: Nullable(Ref),
  phone: Nullable(Type.String()),
  website: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  custom_fields: Type.Record(Type.String(), Type.Unknown()),
  contact_count: Type.Integer(),
  open_ticket_count: Type.Integer(),
  /** Present after a write with `?assign_contacts=1`: contacts moved to this company by domain. */
  assigned_contacts: Type.Optional(Type.Integer()),
  created_at: Type.String(),
  updated_at: Type.String(),
})

const Domains = Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 50 })
const Name = Type.String({ minLength: 1, maxLength: 200 })
const Phone = Nullable(Type.String({ maxLength: 40 }))
const Website = Nullable(Type.String({ maxLength: 2048 }))

export const CreateCompanyBody = Obj({
  name: Name,
  domains: Type.Optional(Domains),
  parent_id: Type.Optional(Nullable(Uuid)),
  phone: Type.Optional(Phone),
  website: Type.Optional(Website),
  tags: Type.Optional(Tags),
  custom_fields: Type.Optional(CustomFieldsInput),
})

export const UpdateCompanyBody = Obj({
  name: Type.Optional(Name),
  domains: Type.Optional(Domains),
  parent_id: Type.Optional(Nullable(Uuid)),
  phone: Type.Optional(Phone),
  website: Type.Optional(Website),
  tags: Type.Optional(Tags),
  custom_fields: Type.Optional(CustomFieldsInput),
})

/** `?assign_contacts=1`: contacts whose email domain was just added move to the company. */
export const AssignQuery = Obj({ assign_contacts: Type.Optional(QueryFlag) })

export const COMPANY_SORTS = ['name', '-name', 'created_at', '-created_at'] as const

export const ListCompaniesQuery = Type.Object({
  ...PageQuery,
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  domain: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  parent_id: Type.Optional(Uuid),
  sort: Type.Optional(Type.Union(COMPANY_SORTS.map((s) => Type.Literal(s)))),
}, { additionalProperties: false, patternProperties: { [CUSTOM_FIELD_FILTER]: Type.String({ maxLength: 200 }) } })

export const CompanyMergeBody = Obj({ source_ids: Type.Array(Uuid, { minItems: 1, maxItems: 20 }) })

export const CompanyMergeResultSchema = Type.Object({
  company: CompanySchema,
  merged_ids: Type.Array(Type.String()),
  moved: Type.Object({ contacts: Type.Integer(), tickets: Type.Integer(), notes: Type.Integer(), child_companies: Type.Integer() }),
})
