import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router'
import { Alert } from '../../../ui/Alert'
import { CheckboxField } from '../../../ui/CheckboxField'
import { errorMessage } from '../../../ui/errorMessage'
import { Field } from '../../../ui/Field'
import { SelectField } from '../../../ui/SelectField'
import { Loading } from '../../../ui/Spinner'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { focusFirstInvalid } from '../../auth/validation'
import { categoryLabel, statusLabel } from '../../tickets/text'
import { byPosition, OPEN_KINDS, STATUS_CATEGORIES, statusesApi, statusKeys, useStatusList, type Status, type StatusCategory } from './api'
import type { StatusFlash } from './StatusesPage'
import { statusRefusal } from './text'

const HEX = /^#[0-9a-fA-F]{6}$/
const DEFAULT_COLOR = '#6b7280'

/** New status (/settings/statuses/new?category=…) or an existing one's form (/settings/statuses/:id). */
export function StatusFormPage() {
  const { t } = useTranslation()
  const { id } = useParams()
  const statuses = useStatusList()
  const status = id ? statuses.data?.find((s) => s.id === id) : undefined
  const title = !id ? t('adminConfig.statuses.newTitle') : status ? t('adminConfig.statuses.editTitle', { name: statusLabel(status, t) }) : t('adminConfig.statuses.title')
  useDocumentTitle(`${title} · ${t('adminConfig.statuses.title')}`)

  return (
    <section aria-labelledby="status-form-heading">
      <p className="back-link">
        <Link to="/settings/statuses">{t('adminConfig.statuses.back')}</Link>
      </p>
      <h2 id="status-form-heading">{title}</h2>
      {statuses.isPending ? (
        <Loading />
      ) : statuses.isError ? (
        <Alert>{errorMessage(statuses.error, t)}</Alert>
      ) : id && !status ? (
        <Alert>{t('adminConfig.statuses.notFound')}</Alert>
      ) : (
        <StatusForm status={status} all={statuses.data} />
      )}
    </section>
  )
}

interface Values {
  name: string
  category: StatusCategory
  color: string
  isDefault: boolean
  isActive: boolean
  transitions: Set<string>
}

function StatusForm({ status, all }: { status?: Status; all: Status[] }) {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const [search] = useSearchParams()
  const formId = useId()
  const formRef = useRef<HTMLFormElement>(null)
  const fromUrl = search.get('category')
  const [values, setValues] = useState<Values>(() => ({
    name: status?.name ?? '',
    category: (status?.category ?? (fromUrl && (STATUS_CATEGORIES as readonly string[]).includes(fromUrl) ? fromUrl : 'open')) as StatusCategory,
    color: status?.color ?? DEFAULT_COLOR,
    isDefault: status?.is_default ?? false,
    isActive: status?.is_active ?? true,
    transitions: new Set(status?.transitions ?? []),
  }))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const editing = !!status
  const wasDefault = !!status?.is_default

  const save = useMutation({
    mutationFn: async (v: Values): Promise<Status> => {
      const common = { name: v.name.trim(), category: v.category, color: v.color.toLowerCase() }
      if (!status) return statusesApi.create({ ...common, ...(v.isDefault ? { is_default: true } : {}) })
      let saved = await statusesApi.update(status.id, {
        ...common,
        is_active: v.isActive,
        ...(v.isDefault && !status.is_default ? { is_default: true } : {}),
      })
      const before = [...(status.transitions ?? [])].sort().join()
      const after = [...v.transitions].sort().join()
      if (before !== after) saved = await statusesApi.setTransitions(status.id, [...v.transitions])
      return saved
    },
    onSuccess: async (saved) => {
      // The list is not on screen now: refetch it anyway, so it is current when we go back to it.
      await queryClient.invalidateQueries({ queryKey: statusKeys.all, refetchType: 'all' })
      const state: StatusFlash = { flash: { kind: editing ? 'saved' : 'created', name: statusLabel(saved, t) } }
      await navigate('/settings/statuses', { state })
    },
    onError: (error) => {
      const refusal = statusRefusal(error, t)
      const field = refusal.field === 'is_default' || refusal.field === 'is_active' || refusal.field === 'category' || refusal.field === 'name' || refusal.field === 'color' ? refusal.field : null
      const next = field ? { [field]: refusal.message } : {}
      setErrors(next)
      focusFirstInvalid(formRef.current, next)
    },
  })

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next: Record<string, string> = {}
    if (!values.name.trim()) next.name = t('validation.required')
    if (!HEX.test(values.color)) next.color = t('adminConfig.statuses.colorInvalid')
    setErrors(next)
    if (Object.keys(next).length) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    save.mutate(values)
  }

  const canBeDefault = OPEN_KINDS.includes(values.category) && values.isActive
  const problem = save.isError ? (Object.keys(errors).length ? t('errors.validation_error') : statusRefusal(save.error, t).message) : null
  const others = byPosition(all).filter((s) => s.id !== status?.id)

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="form settings-form">
      {problem ? <Alert>{problem}</Alert> : null}
      <div className="card form">
        <Field
          label={t('adminConfig.statuses.name')}
          name="name"
          value={values.name}
          onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))}
          error={errors.name}
          maxLength={60}
          required
        />
        <SelectField
          label={t('adminConfig.statuses.category')}
          name="category"
          value={values.category}
          onChange={(e) => setValues((v) => ({ ...v, category: e.target.value as StatusCategory }))}
          hint={t('adminConfig.statuses.categoryHint')}
          error={errors.category}
        >
          {STATUS_CATEGORIES.map((category) => (
            <option key={category} value={category}>
              {categoryLabel(category, t)}
            </option>
          ))}
        </SelectField>
        <div className="color-row">
          <Field
            label={t('adminConfig.statuses.color')}
            name="color"
            value={values.color}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setValues((v) => ({ ...v, color: e.target.value.trim() }))}
            hint={t('adminConfig.statuses.colorHint')}
            error={errors.color}
            maxLength={7}
          />
          <div className="field">
            <label htmlFor={`${formId}-picker`} className="visually-hidden">
              {t('adminConfig.statuses.pickColor')}
            </label>
            <input
              id={`${formId}-picker`}
              type="color"
              value={HEX.test(values.color) ? values.color.toLowerCase() : DEFAULT_COLOR}
              onChange={(e) => setValues((v) => ({ ...v, color: e.target.value }))}
              title={t('adminConfig.statuses.pickColor')}
            />
          </div>
        </div>
        <CheckboxField
          label={t('adminConfig.statuses.isDefault')}
          name="is_default"
          checked={values.isDefault}
          disabled={wasDefault || (!values.isDefault && !canBeDefault)}
          onChange={(e) => setValues((v) => ({ ...v, isDefault: e.target.checked }))}
          hint={wasDefault ? t('adminConfig.statuses.isDefaultFixed') : errors.is_default ?? t('adminConfig.statuses.isDefaultHint')}
        />
        {editing ? (
          <CheckboxField
            label={t('adminConfig.statuses.isActive')}
            name="is_active"
            checked={values.isActive}
            disabled={wasDefault}
            onChange={(e) => setValues((v) => ({ ...v, isActive: e.target.checked, isDefault: e.target.checked ? v.isDefault : false }))}
            hint={errors.is_active ?? t(wasDefault ? 'adminConfig.statuses.defaultStaysActive' : 'adminConfig.statuses.isActiveHint')}
          />
        ) : null}
      </div>

      {editing ? (
        <fieldset className="card fieldset">
          <legend>{t('adminConfig.statuses.transitions')}</legend>
          <p className="field-hint">{t('adminConfig.statuses.transitionsHint')}</p>
          <div className="transition-list">
            {others.map((other) => (
              <CheckboxField
                key={other.id}
                name={`transition.${other.id}`}
                label={`${statusLabel(other, t)} (${categoryLabel(other.category, t)})`}
                checked={values.transitions.has(other.id)}
                onChange={(e) =>
                  setValues((v) => {
                    const transitions = new Set(v.transitions)
                    if (e.target.checked) transitions.add(other.id)
                    else transitions.delete(other.id)
                    return { ...v, transitions }
                  })
                }
              />
            ))}
          </div>
        </fieldset>
      ) : null}

      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? t('adminConfig.common.saving') : editing ? t('adminConfig.common.saveChanges') : t('adminConfig.statuses.create')}
        </button>
        <Link to="/settings/statuses" className="btn">
          {t('common.cancel')}
        </Link>
      </div>
    </form>
  )
}
