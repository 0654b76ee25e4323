import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { CustomFieldEntity, CustomFieldOption, CustomFieldType, Tx } from '../../platform/db/schema.js'
import { AppError, conflict, invalid, isUniqueViolation, notFound, type ErrorDetail } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { presentField, selectFields, type CustomFieldOut } from './present.js'
import { cacheChanged } from '../../platform/shared-cache.js'

const KEY_RE = /^[a-z][a-z0-9_]{0,49}$/
const CHOICE_TYPES: ReadonlySet<CustomFieldType> = new Set(['select', 'multiselect'])

/** The table holding an entity's records (and their `custom_fields`). */
export const ENTITY_TABLE = { ticket: 'tickets', contact: 'contacts', company: 'companies' } as const satisfies Record<CustomFieldEntity, string>

/**
 * A field key from a label: ASCII lowercase, anything else as one underscore. `Plan (tier)` →
 * `plan_tier`; a leading digit gets `field_`. Null when nothing usable is left.
 */
export function deriveFieldKey(label: string): string | null {
  let key = label.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '')
  if (/^[0-9]/.test(key)) key = `field_${key}`
  key = key.slice(0, 50).replace(/_+$/, '')
  return KEY_RE.test(key) ? key : null
}

/** Options are required and non-empty for select/multiselect, forbidden otherwise; values unique. */
function checkOptions(type: CustomFieldType, options: CustomFieldOption[] | undefined): CustomFieldOption[] {
  if (!CHOICE_TYPES.has(type)) {
    if (options !== undefined && options.length) throw invalid('options', `only select and multiselect fields have options, not ${type}`)
    return []
  }
  if (!options?.length) throw invalid('options', `a ${type} field needs at least one option`)
  const details: ErrorDetail[] = []
  const seen = new Set<string>()
  const out = options.map((o, i) => {
    const value = o.value.trim()
    const label = o.label.trim()
    if (!value) details.push({ field: `options.${i}.value`, message: 'must not be blank' })
    if (!label) details.push({ field: `options.${i}.label`, message: 'must not be blank' })
    if (seen.has(value)) details.push({ field: `options.${i}.value`, message: `"${value}" is used by another option`, code: 'duplicate_option' })
    seen.add(value)
    return { value, label }
  })
  if (details.length) throw new AppError('validation_error', `${details[0]!.field}: ${details[0]!.message}`, details)
  return out
}

function blankLabel(label: string): string {
  const trimmed = label.trim()
  if (!trimmed) throw invalid('label', 'must not be blank')
  return trimmed
}

const keyTaken = (entity: string, key: string) =>
  conflict(`A ${entity} field with the key "${key}" already exists (deactivated ones count; purge it to reuse the key).`, [{ field: 'key', message: 'is already taken' }])

export async function getField(tx: Tx, id: string): Promise<CustomFieldOut> {
  const row = await selectFields(tx).where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('Custom field')
  return presentField(row)
}

export interface CreateFieldInput {
  entity: CustomFieldEntity
  key?: string | undefined
  label: string
  type: CustomFieldType
  options?: CustomFieldOption[] | undefined
  is_required?: boolean | undefined
  is_internal?: boolean | undefined
  position?: number | undefined
}

/** Defines a custom field; the key (derived from the label when absent) is unique per entity (409). */
export async function createField(tx: Tx, actor: Actor, input: CreateFieldInput, ip: string | null): Promise<CustomFieldOut> {
  const label = blankLabel(input.label)
  const key = input.key ?? deriveFieldKey(label)
  if (!key) throw invalid('key', 'cannot be derived from this label; give a key such as "plan"')
  const options = checkOptions(input.type, input.options)
  const existing = await tx.selectFrom('custom_fields').select('id').where('entity', '=', input.entity).where('key', '=', key).executeTakeFirst()
  if (existing) throw keyTaken(input.entity, key)
  const position = input.position ?? await nextPosition(tx, input.entity)
  const id = uuidv7()
  try {
    cacheChanged('tenant-config')
    await tx.insertInto('custom_fields').values({
      tenant_id: actor.tenantId, id, entity: input.entity, key, label, type: input.type, options: JSON.stringify(options),
      is_required: input.is_required ?? false, is_internal: input.is_internal ?? false, position,
    }).execute()
  } catch (error) {
    if (isUniqueViolation(error)) throw keyTaken(input.entity, key)
    throw error
  }
  await recordAudit(tx, actor, 'custom_field.created', 'custom_field', id, {
    entity: input.entity, key, label, type: input.type, is_required: input.is_required ?? false, is_internal: input.is_internal ?? false,
  }, ip)
  return getField(tx, id)
}

async function nextPosition(tx: Tx, entity: CustomFieldEntity): Promise<number> {
  const row = await tx.selectFrom('custom_fields').select((eb) => eb.fn.max('position').as('max')).where('entity', '=', entity).executeTakeFirst()
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1
}

export interface UpdateFieldInput {
  entity?: string | undefined
  key?: string | undefined
  type?: string | undefined
  label?: string | undefined
  options?: CustomFieldOption[] | undefined
  is_required?: boolean | undefined
  is_internal?: boolean | undefined
  position?: number | undefined
  is_active?: boolean | undefined
}

/**
 * Edits a definition. `entity`, `key` and `type` are fixed (400 when sent with another value).
 * Removing an option is allowed even when records hold it: their stored values stay as they are
 * (shown and filterable as before), a write that sends them back unchanged is accepted, but a
 * new value must be one of the current options. The audit event counts the records affected.
 * Making a field required does not touch existing records: creates must fill it, and updates may
 * not clear it.
 */
export async function updateField(tx: Tx, actor: Actor, id: string, input: UpdateFieldInput, ip: string | null): Promise<CustomFieldOut> {
  const current = await selectFields(tx).where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('Custom field')
  const immutable: ErrorDetail[] = []
  for (const name of ['entity', 'key', 'type'] as const) {
    if (input[name] !== undefined && input[name] !== current[name]) immutable.push({ field: name, message: 'cannot be changed once the field exists', code: 'immutable' })
  }
  if (immutable.length) throw new AppError('validation_error', `${immutable[0]!.field}: ${immutable[0]!.message}`, immutable)
  const label = input.label !== undefined ? blankLabel(input.label) : undefined
  const options = input.options !== undefined ? checkOptions(current.type, input.options) : undefined

  let removedOptions: string[] = []
  let recordsWithRemoved = 0
  if (options && CHOICE_TYPES.has(current.type)) {
    const kept = new Set(options.map((o) => o.value))
    removedOptions = current.options.map((o) => o.value).filter((v) => !kept.has(v))
    if (removedOptions.length) recordsWithRemoved = await countRecordsHolding(tx, current.entity, current.key, current.type, removedOptions)
  }

  cacheChanged('tenant-config')
  await tx.updateTable('custom_fields').set({
    ...(label !== undefined ? { label } : {}),
    ...(options !== undefined ? { options: JSON.stringify(options) } : {}),
    ...(input.is_required !== undefined ? { is_required: input.is_required } : {}),
    ...(input.is_internal !== undefined ? { is_internal: input.is_internal } : {}),
    ...(input.position !== undefined ? { position: input.position } : {}),
    ...(input.is_active !== undefined ? { is_active: input.is_active } : {}),
    updated_at: sql`now()`,
  }).where('id', '=', id).execute()
  await recordAudit(tx, actor, 'custom_field.updated', 'custom_field', id, {
    entity: current.entity, key: current.key, fields: Object.keys(input).filter((k) => !['entity', 'key', 'type'].includes(k)),
    ...(removedOptions.length ? { removed_options: removedOptions, records_with_removed_options: recordsWithRemoved } : {}),
  }, ip)
  return getField(tx, id)
}

/** Records of the entity whose value of `key` is (or, for multiselect, contains) one of `values`; served by the jsonb_path_ops index on tickets. */
async function countRecordsHolding(tx: Tx, entity: CustomFieldEntity, key: string, type: CustomFieldType, values: string[]): Promise<number> {
  const probes = values.map((v) => sql`custom_fields @> ${JSON.stringify({ [key]: type === 'multiselect' ? [v] : v })}::jsonb`)
  const result = await sql<{ n: string | number }>`SELECT count(*) AS n FROM ${sql.table(ENTITY_TABLE[entity])} WHERE ${sql.join(probes, sql` OR `)}`.execute(tx)
  return Number(result.rows[0]?.n ?? 0)
}

/**
 * Retires a field. By default it is deactivated: it leaves forms and validation, stored values
 * stay (reactivate with PATCH is_active). With `purge` the key is removed from every record of
 * the entity in one statement and the definition is deleted, freeing its key.
 */
export async function deleteField(tx: Tx, actor: Actor, id: string, purge: boolean, ip: string | null): Promise<{ id: string; purged: boolean; records_cleared: number }> {
  const current = await tx.selectFrom('custom_fields').select(['id', 'entity', 'key', 'is_active']).where('id', '=', id).forUpdate().executeTakeFirst()
  if (!current) throw notFound('Custom field')
  let cleared = 0
  if (purge) {
    const table = ENTITY_TABLE[current.entity]
    // `?` (has key) is not served by jsonb_path_ops; a purge is a rare, deliberate scan.
    const result = await sql<{ n: string | number }>`WITH cleared AS (
        UPDATE ${sql.table(table)} SET custom_fields = custom_fields - ${current.key}::text
        WHERE tenant_id = ${actor.tenantId} AND jsonb_exists(custom_fields, ${current.key}::text)
        RETURNING 1
      ) SELECT count(*) AS n FROM cleared`.execute(tx)
    cleared = Number(result.rows[0]?.n ?? 0)
    cacheChanged('tenant-config')
    await tx.deleteFrom('custom_fields').where('id', '=', id).execute()
  } else if (current.is_active) {
    cacheChanged('tenant-config')
    await tx.updateTable('custom_fields').set({ is_active: false, updated_at: sql`now()` }).where('id', '=', id).execute()
  }
  await recordAudit(tx, actor, purge ? 'custom_field.purged' : 'custom_field.deactivated', 'custom_field', id, {
    entity: current.entity, key: current.key, ...(purge ? { records_cleared: cleared } : {}),
  }, ip)
  return { id, purged: purge, records_cleared: cleared }
}
