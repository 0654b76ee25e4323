import { Type } from 'typebox'
import { Obj, Uuid } from '../../platform/http.js'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

/** A ticket category. Customers get active categories (under active parents) without is_active and the timestamps. */
export const CategorySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  parent_id: Nullable(Type.String()),
  /** 0 at the top level. */
  depth: Type.Integer(),
  position: Type.Integer(),
  is_active: Type.Optional(Type.Boolean()),
  created_at: Type.Optional(Type.String()),
  updated_at: Type.Optional(Type.String()),
  /** With ?tree=1: the sub-categories, each of this same shape. */
  children: Type.Optional(Type.Array(Type.Unknown())),
})

const Name = Type.String({ minLength: 1, maxLength: 100 })
const Position = Type.Integer({ minimum: 0, maximum: 100000 })
const Flag = Type.Enum(['1', '0', 'true', 'false'])
export const isOn = (flag: string | undefined): boolean => flag === '1' || flag === 'true'

export const ListCategoriesQuery = Obj({
  tree: Type.Optional(Flag),
})

export const CreateCategoryBody = Obj({
  name: Name,
  parent_id: Type.Optional(Nullable(Uuid)),
  position: Type.Optional(Position),
})

export const UpdateCategoryBody = Obj({
  name: Type.Optional(Name),
  parent_id: Type.Optional(Nullable(Uuid)),
  position: Type.Optional(Position),
  is_active: Type.Optional(Type.Boolean()),
})

export const DeleteCategoryQuery = Obj({ replace_with: Type.Optional(Uuid) })
export const DeleteCategoryResult = Type.Object({ id: Type.String(), tickets_moved: Type.Integer(), children_moved: Type.Integer() })
