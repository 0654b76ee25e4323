import { useQuery } from '@tanstack/react-query'
import { api } from '../../../api/client'
import type { ApiBody, ApiData, ApiItem } from '../../../api/schema'

/** Custom field definitions (GET/POST/PATCH/DELETE /custom-fields). */

export type CustomField = ApiItem<'/api/v1/custom-fields'>
export type NewField = ApiBody<'/api/v1/custom-fields', 'post'>
export type FieldChanges = ApiBody<'/api/v1/custom-fields/{id}', 'patch'>
export type DeleteResult = ApiData<'/api/v1/custom-fields/{id}', 'delete'>
export type Entity = NewField['entity']
export type FieldType = NewField['type']
export type FieldOption = CustomField['options'][number]

export const ENTITIES: readonly Entity[] = ['ticket', 'contact', 'company']
export const FIELD_TYPES: readonly FieldType[] = ['text', 'number', 'email', 'url', 'date', 'select', 'multiselect', 'boolean']
export const CHOICE_TYPES: readonly string[] = ['select', 'multiselect']

export const isEntity = (value: string | null): value is Entity => !!value && (ENTITIES as readonly string[]).includes(value)

const id = encodeURIComponent

export const fieldsApi = {
  /** Every definition the caller may read, all entities. */
  all: async (signal?: AbortSignal) => (await api.get<CustomField[]>('/custom-fields', { signal })).data,
  list: async (entity: Entity, signal?: AbortSignal) => (await api.get<CustomField[]>(`/custom-fields?entity=${id(entity)}`, { signal })).data,
  create: async (input: NewField) => (await api.post<CustomField>('/custom-fields', input)).data,
  update: async (fieldId: string, input: FieldChanges) => (await api.patch<CustomField>(`/custom-fields/${id(fieldId)}`, input)).data,
  remove: async (fieldId: string, purge: boolean) =>
    (await api.delete<DeleteResult>(`/custom-fields/${id(fieldId)}${purge ? '?purge=1' : ''}`)).data,
}

/** Under one root, so the ticket and contact pages' field lists refresh after a change here. */
export const fieldKeys = {
  all: ['custom-fields'] as const,
  list: (entity: Entity) => ['custom-fields', 'settings', entity] as const,
  every: ['custom-fields', 'settings', 'all'] as const,
}

export const useFieldList = (entity: Entity) =>
  useQuery({ queryKey: fieldKeys.list(entity), queryFn: ({ signal }) => fieldsApi.list(entity, signal) })

export const useAllFields = () => useQuery({ queryKey: fieldKeys.every, queryFn: ({ signal }) => fieldsApi.all(signal) })

/** Definitions in form order, as the server sorts them. */
export const byPosition = (fields: readonly CustomField[]): CustomField[] =>
  [...fields].sort((a, b) => a.position - b.position || a.label.localeCompare(b.label) || a.id.localeCompare(b.id))
