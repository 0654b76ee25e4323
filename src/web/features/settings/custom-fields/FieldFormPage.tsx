import type { TFunction } from 'i18next'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router'
import { isApiError } from '../../../api/client'
import { Alert } from '../../../ui/Alert'
import { CheckboxField } from '../../../ui/CheckboxField'
import { errorMessage } from '../../../ui/errorMessage'
import { Field } from '../../../ui/Field'
import { SelectField } from '../../../ui/SelectField'
import { Loading } from '../../../ui/Spinner'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { focusFirstInvalid } from '../../auth/validation'
import {
  CHOICE_TYPES,
  ENTITIES,
  FIELD_TYPES,
  fieldKeys,
  fieldsApi,
  isEntity,
  useAllFields,
  type CustomField,
  type Entity,
  type FieldType,
  type NewField,
} from './api'
import type { FieldFlash } from './FieldsPage'
import { entityLabel, typeLabel } from './text'

const KEY_PATTERN = /^[a-z][a-z0-9_]{0,49}$/

/** New field (/settings/custom-fields/new?entity=…) or a field's form (/settings/custom-fields/:id). */
export function FieldFormPage() {
  const { t } = useTranslation()
  const { id } = useParams()
  const [search] = useSearchParams()
  const all = useAllFields()
  const field = id ? all.data?.find((f) => f.id === id) : undefined
  const entity: Entity = field && isEntity(field.entity) ? field.entity : isEntity(search.get('entity')) ? (search.get('entity') as Entity) : 'ticket'
  const title = !id ? t('adminConfig.fields.newTitle') : field ? t('adminConfig.fields.editTitle', { label: field.label }) : t('adminConfig.fields.title')
  useDocumentTitle(`${title} · ${t('adminConfig.fields.title')}`)

  return (
    <section aria-labelledby="field-form-heading">
      <p className="back-link">
        <Link to={`/settings/custom-fields?entity=${entity}`}>{t('adminConfig.fields.back')}</Link>
      </p>
      <h2 id="field-form-heading">{title}</h2>
      {!id ? (
        <FieldForm entity={entity} />
      ) : all.isPending ? (
        <Loading />
      ) : all.isError ? (
        <Alert>{errorMessage(all.error, t)}</Alert>
      ) : !field ? (
        <Alert>{t('adminConfig.fields.notFound')}</Alert>
      ) : (
        <FieldForm entity={entity} field={field} />
      )}
    </section>
  )
}

interface OptionRow {
  /** A stable React key: values and labels are edited in place. */
  rowId: number
  label: string
  value: string
}

interface Values {
  entity: Entity
  label: string
  key: string
  type: FieldType
  options: OptionRow[]
  required: boolean
  visibleToCustomers: boolean
  active: boolean
}

let nextRow = 1
const row = (label = '', value = ''): OptionRow => ({ rowId: nextRow++, label, value })

/** Server details → messages on the form's fields, by the server's paths (`options.2.value`). */
function formErrors(error: unknown, t: TFunction): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isApiError(error)) return out
  for (const detail of error.details) {
    const field = detail.field?.replace(/^\/?(body[./])?/, '') ?? ''
    if (!field || out[field]) continue
    if (error.code === 'conflict' && field === 'key') out.key = t('adminConfig.fields.keyTaken')
    else if (field === 'key') out.key = t('adminConfig.fields.keyInvalid')
    else if (field === 'label') out.label = t('validation.required')
    else if (detail.code === 'duplicate_option') out[field] = t('adminConfig.fields.duplicateValue')
    else if (/^options\.\d+\.(label|value)$/.test(field) && /blank|minLength/.test(`${detail.message} ${detail.code ?? ''}`)) out[field] = t('validation.required')
    else if (field === 'options') out.options = t('adminConfig.fields.needsOptions')
    else out[field] = detail.message
  }
  return out
}

function FieldForm({ entity, field }: { entity: Entity; field?: CustomField }) {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const formId = useId()
  const formRef = useRef<HTMLFormElement>(null)
  const editing = !!field
  const [values, setValues] = useState<Values>(() => ({
    entity,
    label: field?.label ?? '',
    key: field?.key ?? '',
    type: (field?.type as FieldType | undefined) ?? 'text',
    options: field?.options.map((o) => row(o.label, o.value)) ?? [row()],
    required: field?.is_required ?? false,
    visibleToCustomers: !(field?.is_internal ?? false),
    active: field?.is_active ?? true,
  }))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const choice = CHOICE_TYPES.includes(values.type)

  const save = useMutation({
    mutationFn: (input: NewField) =>
      field
        ? fieldsApi.update(field.id, {
            label: input.label,
            ...(choice ? { options: input.options } : {}),
            is_required: input.is_required,
            is_internal: input.is_internal,
            is_active: values.active,
          })
        : fieldsApi.create(input),
    onSuccess: async (saved) => {
      // The list is not on screen now: refetch it anyway, so it is current when we go back to it.
      await queryClient.invalidateQueries({ queryKey: fieldKeys.all, refetchType: 'all' })
      const state: FieldFlash = { flash: { kind: editing ? 'saved' : 'created', label: saved.label } }
      await navigate(`/settings/custom-fields?entity=${saved.entity}`, { state })
    },
    onError: (error) => {
      const next = formErrors(error, t)
      setErrors(next)
      focusFirstInvalid(formRef.current, next)
    },
  })

  const setOption = (rowId: number, patch: Partial<OptionRow>) =>
    setValues((v) => ({ ...v, options: v.options.map((o) => (o.rowId === rowId ? { ...o, ...patch } : o)) }))
  const moveOption = (index: number, by: -1 | 1) =>
    setValues((v) => {
      const options = [...v.options]
      const other = options[index + by]
      const self = options[index]
      if (!other || !self) return v
      options[index + by] = self
      options[index] = other
      return { ...v, options }
    })

  /** The options as sent: blank rows dropped, an empty value taking the label. */
  const cleanOptions = () =>
    values.options
      .map((o) => ({ label: o.label.trim(), value: o.value.trim() || o.label.trim() }))
      .filter((o) => o.label || o.value)

  const validate = (): Record<string, string> => {
    const next: Record<string, string> = {}
    if (!values.label.trim()) next.label = t('validation.required')
    if (!editing && values.key.trim() && !KEY_PATTERN.test(values.key.trim())) next.key = t('adminConfig.fields.keyInvalid')
    if (choice) {
      const kept = values.options.filter((o) => o.label.trim() || o.value.trim())
      if (!kept.length) next.options = t('adminConfig.fields.needsOptions')
      const seen = new Set<string>()
      values.options.forEach((o, i) => {
        if (!o.label.trim() && !o.value.trim()) return
        if (!o.label.trim()) next[`options.${i}.label`] = t('validation.required')
        const value = o.value.trim() || o.label.trim()
        if (seen.has(value)) next[`options.${i}.value`] = t('adminConfig.fields.duplicateValue')
        seen.add(value)
      })
    }
    return next
  }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next = validate()
    setErrors(next)
    if (Object.keys(next).length) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    save.mutate({
      entity: values.entity,
      label: values.label.trim(),
      ...(values.key.trim() && !editing ? { key: values.key.trim() } : {}),
      type: values.type,
      ...(choice ? { options: cleanOptions() } : {}),
      is_required: values.required,
      is_internal: values.entity === 'ticket' ? !values.visibleToCustomers : false,
    })
  }

  const problem = !save.isError ? null : Object.keys(errors).length ? t('errors.validation_error') : errorMessage(save.error, t)

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="form settings-form">
      {problem ? <Alert>{problem}</Alert> : null}
      <div className="card form">
        {editing ? (
          <dl className="facts">
            <div>
              <dt>{t('adminConfig.fields.entity')}</dt>
              <dd>{entityLabel(values.entity, t)}</dd>
            </div>
            <div>
              <dt>{t('adminConfig.fields.key')}</dt>
              <dd>
                <code>{field.key}</code>
              </dd>
            </div>
            <div>
              <dt>{t('adminConfig.fields.type')}</dt>
              <dd>{typeLabel(field.type, t)}</dd>
            </div>
          </dl>
        ) : (
          <SelectField
            label={t('adminConfig.fields.entity')}
            name="entity"
            value={values.entity}
            onChange={(e) => setValues((v) => ({ ...v, entity: e.target.value as Entity }))}
          >
            {ENTITIES.map((e) => (
              <option key={e} value={e}>
                {entityLabel(e, t)}
              </option>
            ))}
          </SelectField>
        )}
        <Field
          label={t('adminConfig.fields.label')}
          name="label"
          value={values.label}
          onChange={(e) => setValues((v) => ({ ...v, label: e.target.value }))}
          hint={t('adminConfig.fields.labelHint')}
          error={errors.label}
          maxLength={100}
          required
        />
        {editing ? (
          <p className="field-hint">{t('adminConfig.fields.fixedHint')}</p>
        ) : (
          <>
            <Field
              label={t('adminConfig.fields.key')}
              name="key"
              value={values.key}
              spellCheck={false}
              autoComplete="off"
              onChange={(e) => setValues((v) => ({ ...v, key: e.target.value }))}
              hint={t('adminConfig.fields.keyHint')}
              error={errors.key}
              maxLength={50}
            />
            <SelectField
              label={t('adminConfig.fields.type')}
              name="type"
              value={values.type}
              onChange={(e) => setValues((v) => ({ ...v, type: e.target.value as FieldType }))}
              hint={t(`adminConfig.fields.typeHints.${values.type}`)}
            >
              {FIELD_TYPES.map((type) => (
                <option key={type} value={type}>
                  {typeLabel(type, t)}
                </option>
              ))}
            </SelectField>
          </>
        )}
      </div>

      {choice ? (
        <fieldset className="card fieldset" aria-describedby={`${formId}-options-hint`}>
          <legend>{t('adminConfig.fields.options')}</legend>
          <p className="field-hint" id={`${formId}-options-hint`}>
            {t('adminConfig.fields.optionsHint')}
          </p>
          {errors.options ? (
            <p className="field-error" role="alert">
              {errors.options}
            </p>
          ) : null}
          <ol className="option-rows">
            {values.options.map((option, index) => {
              const n = index + 1
              const labelError = errors[`options.${index}.label`]
              const valueError = errors[`options.${index}.value`]
              return (
                <li key={option.rowId} className="option-row">
                  <Field
                    label={t('adminConfig.fields.optionLabel', { n })}
                    name={`options.${index}.label`}
                    value={option.label}
                    onChange={(e) => setOption(option.rowId, { label: e.target.value })}
                    error={labelError}
                    maxLength={100}
                  />
                  <Field
                    label={t('adminConfig.fields.optionValue', { n })}
                    name={`options.${index}.value`}
                    value={option.value}
                    placeholder={option.label.trim() || undefined}
                    spellCheck={false}
                    onChange={(e) => setOption(option.rowId, { value: e.target.value })}
                    error={valueError}
                    maxLength={100}
                  />
                  <div className="option-actions">
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={index === 0}
                      aria-label={t('adminConfig.fields.optionUp', { n })}
                      onClick={() => moveOption(index, -1)}
                    >
                      <span aria-hidden="true">↑</span>
                    </button>
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={index === values.options.length - 1}
                      aria-label={t('adminConfig.fields.optionDown', { n })}
                      onClick={() => moveOption(index, 1)}
                    >
                      <span aria-hidden="true">↓</span>
                    </button>
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      disabled={values.options.length === 1}
                      aria-label={t('adminConfig.fields.optionRemove', { n })}
                      onClick={() => setValues((v) => ({ ...v, options: v.options.filter((o) => o.rowId !== option.rowId) }))}
                    >
                      {t('adminConfig.fields.remove')}
                    </button>
                  </div>
                </li>
              )
            })}
          </ol>
          <div className="actions">
            <button type="button" className="btn" onClick={() => setValues((v) => ({ ...v, options: [...v.options, row()] }))}>
              {t('adminConfig.fields.addOption')}
            </button>
          </div>
        </fieldset>
      ) : null}

      <div className="card form">
        <CheckboxField
          label={t('adminConfig.fields.isRequired')}
          name="is_required"
          checked={values.required}
          onChange={(e) => setValues((v) => ({ ...v, required: e.target.checked }))}
          hint={t('adminConfig.fields.isRequiredHint')}
        />
        {values.entity === 'ticket' ? (
          <CheckboxField
            label={t('adminConfig.fields.visible')}
            name="is_internal"
            checked={values.visibleToCustomers}
            onChange={(e) => setValues((v) => ({ ...v, visibleToCustomers: e.target.checked }))}
            hint={t('adminConfig.fields.visibleHint')}
          />
        ) : null}
        {editing ? (
          <CheckboxField
            label={t('adminConfig.fields.isActive')}
            name="is_active"
            checked={values.active}
            onChange={(e) => setValues((v) => ({ ...v, active: e.target.checked }))}
            hint={t('adminConfig.fields.isActiveHint')}
          />
        ) : null}
      </div>

      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? t('adminConfig.common.saving') : editing ? t('adminConfig.common.saveChanges') : t('adminConfig.fields.create')}
        </button>
        <Link to={`/settings/custom-fields?entity=${values.entity}`} className="btn">
          {t('common.cancel')}
        </Link>
      </div>
    </form>
  )
}
