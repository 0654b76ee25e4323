import type { CustomFieldEntity, CustomFieldOption, CustomFieldType, Tx } from '../../platform/db/schema.js'
import { AppError, type ErrorDetail } from '../../platform/errors.js'
import { checkCustomFieldValue, sameJson } from './values.js'
import { currentTenantId } from '../../platform/db/tenant.js'
import { tenantConfigCache } from '../../platform/shared-cache.js'

export type { CustomFieldEntity }

/** An active field definition as the validator sees it. */
export interface ActiveFieldDefinition {
  key: string
  label: string
  type: CustomFieldType
  options: CustomFieldOption[]
  is_required: boolean
  is_internal: boolean
}

export interface ValidateCustomFieldsOptions {
  /** The values stored on the record today (updates); the input is overlaid on them. */
  existing?: Record<string, unknown> | null | undefined
  /**
   * An update: only fields the input clears are checked for being required, so records made
   * before a field became required can still be edited. Without it, every required field must
   * end up with a value.
   */
  partial?: boolean | undefined
  /** The caller is a customer: internal fields are neither writable nor demanded. */
  customer?: boolean | undefined
}

const ENTITY_PLURAL: Record<CustomFieldEntity, string> = { ticket: 'tickets', contact: 'contacts', company: 'companies' }

/** The organization's active field definitions for an entity (row-level security scopes them). */
export async function loadActiveFieldDefinitions(tx: Tx, entity: CustomFieldEntity): Promise<readonly ActiveFieldDefinition[]> {
  const load = () => tx.selectFrom('custom_fields')
    .select(['key', 'label', 'type', 'options', 'is_required', 'is_internal'])
    .where('entity', '=', entity).where('is_active', '=', true)
    .orderBy('position').orderBy('key')
    .execute()
  // Read on every ticket, contact and company write; cached per organization (shared-cache.ts).
  const tenantId = currentTenantId()
  if (!tenantId) return load()
  return tenantConfigCache.get(`${tenantId}:fields:${entity}`, async () => ({ value: Object.freeze(await load()) })) as Promise<readonly ActiveFieldDefinition[]>
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Validates custom field input for a ticket, contact or company and returns the whole object to
 * store: the existing values overlaid by the input, normalized (strings trimmed; `null`, `""`
 * and `[]` remove a key). Runs in the caller's tenant transaction.
 *
 * - A key that is not an active field of the entity (or an internal one, for customers) → 400
 *   `validation_error`, detail `custom_fields.<key>` "is not a custom field of …".
 * - A value of the wrong type or not among the options → 400 on `custom_fields.<key>`.
 * - A value equal to the stored one is kept without re-checking it, so a client that sends the
 *   whole object back is not refused for a value that was valid when written (an option removed
 *   since, a field deactivated since).
 * - A required field missing (create) or cleared (update, `partial`) → 422 `unprocessable`.
 *   Customers are not asked for internal required fields.
 *
 * Every problem is collected into `details`; when any is a 400 kind, the answer is 400 and
 * also lists the missing required fields.
 */
export async function validateCustomFields(
  tx: Tx,
  entity: CustomFieldEntity,
  input: Record<string, unknown> | undefined,
  opts: ValidateCustomFieldsOptions = {},
): Promise<Record<string, unknown>> {
  const definitions = await loadActiveFieldDefinitions(tx, entity)
  return applyCustomFields(definitions, entity, input, opts)
}

/** The pure part of {@link validateCustomFields}, given the definitions. */
export function applyCustomFields(
  definitions: readonly ActiveFieldDefinition[],
  entity: CustomFieldEntity,
  input: Record<string, unknown> | undefined,
  opts: ValidateCustomFieldsOptions = {},
): Record<string, unknown> {
  const existing = isPlainObject(opts.existing) ? opts.existing : {}
  const result: Record<string, unknown> = { ...existing }
  const byKey = new Map(definitions.map((d) => [d.key, d]))
  const invalid: ErrorDetail[] = []
  const missing: ErrorDetail[] = []
  const cleared = new Set<string>()

  if (input !== undefined && input !== null && !isPlainObject(input)) {
    throw new AppError('validation_error', 'custom_fields: must be an object', [{ field: 'custom_fields', message: 'must be an object', code: 'invalid_type' }])
  }

  for (const [key, value] of Object.entries(input ?? {})) {
    const field = `custom_fields.${key}`
    const def = byKey.get(key)
    const writable = def && !(opts.customer && def.is_internal)
    const unchanged = Object.hasOwn(existing, key) && sameJson(existing[key], value)
    if (!writable) {
      // Staff may send back or clear a stored value of a field that is gone; customers never
      // learn that an internal field exists.
      if (!opts.customer && Object.hasOwn(existing, key) && (unchanged || value === null)) {
        if (value === null) delete result[key]
        continue
      }
      invalid.push({ field, message: `is not a custom field of ${ENTITY_PLURAL[entity]}`, code: 'unknown_field' })
      continue
    }
    if (unchanged) continue
    const checked = checkCustomFieldValue(def, value)
    if (!checked.ok) {
      invalid.push({ field, message: checked.message, code: checked.code })
      continue
    }
    if (checked.value === null) {
      delete result[key]
      cleared.add(key)
    } else {
      result[key] = checked.value
    }
  }

  for (const def of definitions) {
    if (!def.is_required || (opts.customer && def.is_internal)) continue
    if (opts.partial && !cleared.has(def.key)) continue
    if (!Object.hasOwn(result, def.key) && !invalid.some((d) => d.field === `custom_fields.${def.key}`)) {
      missing.push({ field: `custom_fields.${def.key}`, message: `is required (${def.label})`, code: 'required' })
    }
  }

  if (invalid.length) {
    const first = invalid[0]!
    throw new AppError('validation_error', `${first.field}: ${first.message}`, [...invalid, ...missing])
  }
  if (missing.length) {
    const first = missing[0]!
    throw new AppError('unprocessable', `${first.field}: ${first.message}`, missing)
  }
  return result
}
