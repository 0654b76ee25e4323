import type { Static } from 'typebox'
import type { CustomFieldEntity, RowOf, Tx } from '../../platform/db/schema.js'
import type { CustomFieldSchema } from './schemas.js'

export type CustomFieldOut = Static<typeof CustomFieldSchema>

export function selectFields(tx: Tx) {
  return tx.selectFrom('custom_fields')
    .select(['id', 'entity', 'key', 'label', 'type', 'options', 'is_required', 'is_internal', 'position', 'is_active', 'created_at', 'updated_at'])
}

type FieldRow = RowOf<typeof selectFields>

export function presentField(row: FieldRow): CustomFieldOut {
  return {
    id: row.id, entity: row.entity, key: row.key, label: row.label, type: row.type, options: row.options,
    is_required: row.is_required, is_internal: row.is_internal, position: row.position, is_active: row.is_active,
    created_at: row.created_at, updated_at: row.updated_at,
  }
}

/** What a customer learns about a field: enough to fill in a portal form, nothing about internal ones. */
export function presentFieldForCustomer(row: FieldRow): CustomFieldOut {
  return { id: row.id, entity: row.entity, key: row.key, label: row.label, type: row.type, options: row.options, is_required: row.is_required, position: row.position }
}

export interface FieldFilter {
  entities: CustomFieldEntity[]
  active?: boolean | undefined
  customer: boolean
}

/** Definitions in form order (entity, position, label); customers get active, non-internal ticket fields only. */
export async function listFields(tx: Tx, filter: FieldFilter): Promise<CustomFieldOut[]> {
  let q = selectFields(tx).where('entity', 'in', filter.entities)
  if (filter.customer) q = q.where('is_active', '=', true).where('is_internal', '=', false)
  else if (filter.active !== undefined) q = q.where('is_active', '=', filter.active)
  const rows = await q.orderBy('entity').orderBy('position').orderBy('label').orderBy('id').execute()
  return rows.map(filter.customer ? presentFieldForCustomer : presentField)
}
