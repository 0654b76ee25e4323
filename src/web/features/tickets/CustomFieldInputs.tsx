import { useQuery } from '@tanstack/react-query'
import { useState, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { api } from '../../api/client'
import type { ApiItem } from '../../api/schema'

/** The organization's active ticket fields (cached under ['custom-fields', …], which the settings pages refresh). */
export type TicketField = ApiItem<'/api/v1/custom-fields'>

export function useTicketFields() {
  return useQuery({
    queryKey: ['custom-fields', 'ticket', 'active'],
    queryFn: async ({ signal }) => (await api.get<TicketField[]>('/custom-fields?entity=ticket&active=true', { signal })).data,
    staleTime: 60_000,
  })
}

type Value = string | number | boolean | string[] | null

interface Props {
  field: TicketField
  idPrefix: string
  value: unknown
  disabled: boolean
  /** null clears the field. */
  onSave: (value: Value) => void
}

/**
 * One custom field, edited in place: choices and checkboxes save when changed, text-like fields
 * when they lose focus or Enter is pressed (only if the value changed).
 */
export function CustomFieldInput({ field, idPrefix, value, disabled, onSave }: Props) {
  const { t } = useTranslation()
  const id = `${idPrefix}-cf-${field.key}`
  const label = (
    <>
      {field.label}
      {field.is_required ? <span className="muted"> {t('tickets.fields.required')}</span> : null}
    </>
  )

  if (field.type === 'boolean') {
    return (
      <div className="check">
        <input id={id} type="checkbox" checked={value === true} disabled={disabled} onChange={(e) => onSave(e.target.checked)} />
        <div>
          <label htmlFor={id}>{label}</label>
        </div>
      </div>
    )
  }
  if (field.type === 'select') {
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <select id={id} value={typeof value === 'string' ? value : ''} disabled={disabled} onChange={(e) => onSave(e.target.value || null)}>
          <option value="">{t('tickets.fields.none')}</option>
          {field.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
    )
  }
  if (field.type === 'multiselect') {
    const chosen = Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
    return (
      <fieldset className="field cf-multi">
        <legend>{label}</legend>
        {field.options.map((o) => (
          <label key={o.value} className="cf-option">
            <input
              type="checkbox"
              checked={chosen.includes(o.value)}
              disabled={disabled}
              onChange={(e) => onSave(e.target.checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value))}
            />
            {o.label}
          </label>
        ))}
      </fieldset>
    )
  }
  return <TextLikeInput field={field} id={id} label={label} value={value} disabled={disabled} onSave={onSave} />
}

function TextLikeInput({ field, id, label, value, disabled, onSave }: { field: TicketField; id: string; label: ReactNode; value: unknown; disabled: boolean; onSave: (value: Value) => void }) {
  const saved = value === null || value === undefined ? '' : String(value)
  const [draft, setDraft] = useState<{ base: string; text: string }>({ base: saved, text: saved })
  // A new value from the server (a save, or someone else's change) replaces an untouched draft.
  const text = draft.base === saved ? draft.text : saved
  const type = field.type === 'number' ? 'number' : field.type === 'date' ? 'date' : field.type === 'email' ? 'email' : field.type === 'url' ? 'url' : 'text'
  const commit = () => {
    const trimmed = text.trim()
    if (trimmed === saved) return
    if (!trimmed) return onSave(null)
    onSave(field.type === 'number' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : trimmed)
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={type === 'date' ? text.slice(0, 10) : text}
        disabled={disabled}
        onChange={(e) => setDraft({ base: saved, text: e.target.value })}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault()
            commit()
          }
        }}
      />
    </div>
  )
}
