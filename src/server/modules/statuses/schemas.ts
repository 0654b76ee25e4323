import { Type } from 'typebox'
import { Obj, Uuid } from '../../platform/http.js'

export const STATUS_CATEGORIES = ['new', 'open', 'pending', 'on_hold', 'resolved', 'closed', 'cancelled'] as const

const Category = Type.Enum([...STATUS_CATEGORIES])
const Name = Type.String({ minLength: 1, maxLength: 60 })
const Color = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: 'A hex color such as #3b82f6' })
const Position = Type.Integer({ minimum: 0, maximum: 100000 })

/**
 * A ticket status. Customers get the portal projection: id, name, category, color and position.
 */
export const StatusSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  category: Type.String(),
  color: Type.String(),
  position: Type.Integer(),
  is_default: Type.Optional(Type.Boolean()),
  is_active: Type.Optional(Type.Boolean()),
  transitions: Type.Optional(Type.Array(Type.String(), { description: 'Ids of the statuses a ticket may move to from this one; empty means any' })),
  created_at: Type.Optional(Type.String()),
  updated_at: Type.Optional(Type.String()),
})

export const CreateStatusBody = Obj({
  name: Name,
  category: Category,
  color: Type.Optional(Color),
  position: Type.Optional(Position),
  is_default: Type.Optional(Type.Boolean()),
})

export const UpdateStatusBody = Obj({
  name: Type.Optional(Name),
  category: Type.Optional(Category),
  color: Type.Optional(Color),
  position: Type.Optional(Position),
  is_active: Type.Optional(Type.Boolean()),
  is_default: Type.Optional(Type.Boolean()),
})

export const DeleteStatusQuery = Obj({ replace_with: Type.Optional(Uuid) })
export const DeleteStatusResult = Type.Object({ id: Type.String(), tickets_moved: Type.Integer(), replaced_with: Type.Union([Type.String(), Type.Null()]) })

export const TransitionsBody = Obj({ to: Type.Array(Uuid, { maxItems: 200 }) })
export const ReorderBody = Obj({ ids: Type.Array(Uuid, { minItems: 1, maxItems: 500 }) })
