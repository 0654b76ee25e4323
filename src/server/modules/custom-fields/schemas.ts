import { Type } from 'typebox'
import { Obj } from '../../platform/http.js'

export const ENTITIES = ['ticket', 'contact', 'company'] as const
export const FIELD_TYPES = ['text', 'number', 'email', 'url', 'date', 'select', 'multiselect', 'boolean'] as const
export const FIELD_KEY_PATTERN = '^[a-z][a-z0-9_]{0,49}$'

const Entity = Type.Enum([...ENTITIES])
const FieldType = Type.Enum([...FIELD_TYPES])
const Option = Obj({
  value: Type.String({ minLength: 1, maxLength: 100 }),
  label: Type.String({ minLength: 1, maxLength: 100 }),
})
const Options = Type.Array(Option, { maxItems: 200 })
const Label = Type.String({ minLength: 1, maxLength: 100 })
const Position = Type.Integer({ minimum: 0, maximum: 100000 })

/**
 * A field definition. Customers get the portal projection: active, non-internal fields without
 * is_internal, is_active and the timestamps.
 */
export const CustomFieldSchema = Type.Object({
  id: Type.String(),
  entity: Type.String(),
  key: Type.String(),
  label: Type.String(),
  type: Type.String(),
  options: Type.Array(Type.Object({ value: Type.String(), label: Type.String() })),
  is_required: Type.Boolean(),
  is_internal: Type.Optional(Type.Boolean()),
  position: Type.Integer(),
  is_active: Type.Optional(Type.Boolean()),
  created_at: Type.Optional(Type.String()),
  updated_at: Type.Optional(Type.String()),
})

/** A yes/no query flag: `?purge=1`, `?purge=true`. */
export const Flag = Type.Enum(['1', '0', 'true', 'false'])
export const isOn = (flag: string | undefined): boolean => flag === '1' || flag === 'true'

export const ListFieldsQuery = Obj({
  entity: Type.Optional(Entity),
  /** Only active (true) or only deactivated (false) definitions; staff get both by default. */
  active: Type.Optional(Flag),
})

export const CreateFieldBody = Obj({
  entity: Entity,
  key: Type.Optional(Type.String({ pattern: FIELD_KEY_PATTERN, description: 'Derived from the label when absent' })),
  label: Label,
  type: FieldType,
  options: Type.Optional(Options),
  is_required: Type.Optional(Type.Boolean()),
  is_internal: Type.Optional(Type.Boolean()),
  position: Type.Optional(Position),
})

/**
 * `entity`, `key` and `type` are accepted only to say clearly that they cannot change (400 when
 * they differ from the stored ones): stored values and filters depend on them.
 */
export const UpdateFieldBody = Obj({
  entity: Type.Optional(Type.String()),
  key: Type.Optional(Type.String()),
  type: Type.Optional(Type.String()),
  label: Type.Optional(Label),
  options: Type.Optional(Options),
  is_required: Type.Optional(Type.Boolean()),
  is_internal: Type.Optional(Type.Boolean()),
  position: Type.Optional(Position),
  is_active: Type.Optional(Type.Boolean()),
})

export const DeleteFieldQuery = Obj({
  purge: Type.Optional(Type.Enum(['1', '0', 'true', 'false'], { description: 'Also remove the key from every record and delete the definition' })),
})

export const DeleteFieldResult = Type.Object({
  id: Type.String(),
  /** True when the definition was deleted and the values removed; false when it was only deactivated. */
  purged: Type.Boolean(),
  /** Records whose custom_fields lost the key (purge only). */
  records_cleared: Type.Integer(),
})
