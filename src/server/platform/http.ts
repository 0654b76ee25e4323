import { Type, type TSchema } from 'typebox'

/** The success envelope. */
export function ok<T>(data: T): { success: true; data: T } {
  return { success: true, data }
}

export interface ListMeta {
  page?: number
  limit: number
  total?: number
  total_capped?: boolean
  next_cursor?: string | null
}

export function okList<T>(data: T[], meta: ListMeta): { success: true; data: T[]; meta: ListMeta } {
  return { success: true, data, meta }
}

/** An object schema that rejects unknown fields (ajv `removeAdditional` is off, so they 400). */
export function Obj<P extends Record<string, TSchema>>(properties: P, options: object = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options })
}

export const Uuid = Type.String({ format: 'uuid' })
export const IdParams = Obj({ id: Uuid })
export const Email = Type.String({ format: 'email', maxLength: 320 })
export const Password = Type.String({ minLength: 10, maxLength: 200 })
export const Timestamp = Type.String({ format: 'date-time' })

export const ErrorEnvelope = Type.Object({
  success: Type.Literal(false),
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Array(Type.Object({ field: Type.Optional(Type.String()), message: Type.String(), code: Type.Optional(Type.String()) })),
  }),
})

/** `{ success, data }` response schema; the serializer drops any field not in `data`. */
export function Envelope<T extends TSchema>(data: T) {
  return Type.Object({ success: Type.Literal(true), data })
}

export const ListMetaSchema = Type.Object({
  page: Type.Optional(Type.Integer()),
  limit: Type.Integer(),
  total: Type.Optional(Type.Integer()),
  total_capped: Type.Optional(Type.Boolean({ description: 'true when there are more than `total` matches (large lists are counted up to a cap)' })),
  next_cursor: Type.Optional(Type.Union([Type.String(), Type.Null()])),
})

export function ListEnvelope<T extends TSchema>(item: T) {
  return Type.Object({ success: Type.Literal(true), data: Type.Array(item), meta: ListMetaSchema })
}

export const OkEnvelope = Envelope(Type.Object({ ok: Type.Boolean() }))

/** Pagination query: page/limit (limit ≤ 100). */
export const PageQuery = {
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 25 })),
}

/** Standard error responses for the OpenAPI document. */
export function errors(...statuses: number[]): Record<number, typeof ErrorEnvelope> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorEnvelope]))
}
