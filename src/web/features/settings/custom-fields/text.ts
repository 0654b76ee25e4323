import type { TFunction } from 'i18next'
import { FIELD_TYPES, type Entity, type FieldType } from './api'

const isType = (value: string): value is FieldType => (FIELD_TYPES as readonly string[]).includes(value)

export function typeLabel(type: string, t: TFunction): string {
  return isType(type) ? t(`adminConfig.fields.types.${type}`) : type
}

export function entityLabel(entity: Entity, t: TFunction): string {
  return t(`adminConfig.fields.entities.${entity}`)
}
