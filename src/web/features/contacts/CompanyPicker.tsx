import { useDeferredValue, useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useCompanies } from '../companies/api'

export interface CompanyRef {
  id: string
  name: string
}

interface CompanyPickerProps {
  label: string
  /** The select's name: the server's field, so its errors land here. */
  name: string
  value: CompanyRef | null
  onChange: (company: CompanyRef | null) => void
  error?: string | null
  /** A company that may not be chosen (a company is not its own parent). */
  excludeId?: string
  noneLabel?: string
  disabled?: boolean
}

/**
 * Choose a company: a search box narrows the choices (by name, on the server), and a select holds
 * them, so it works by keyboard and screen reader without a custom combobox.
 */
export function CompanyPicker({ label, name, value, onChange, error, excludeId, noneLabel, disabled }: CompanyPickerProps) {
  const { t } = useTranslation()
  const id = useId()
  const [search, setSearch] = useState('')
  const q = useDeferredValue(search.trim())
  const companies = useCompanies({ q: q || undefined, sort: 'name', limit: 50 })
  const found = (companies.data?.data ?? []).filter((c) => c.id !== excludeId)
  const options = value && !found.some((c) => c.id === value.id) ? [value, ...found] : found
  const errorId = error ? `${id}-error` : undefined

  return (
    <div className="field crm-picker">
      <label htmlFor={`${id}-select`}>{label}</label>
      <div className="crm-picker-row">
        <input
          id={`${id}-search`}
          type="search"
          autoComplete="off"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          aria-label={t('crm.picker.search', { label })}
          placeholder={t('crm.picker.placeholder')}
          disabled={disabled}
        />
        <select
          id={`${id}-select`}
          name={name}
          value={value?.id ?? ''}
          aria-invalid={error ? true : undefined}
          aria-describedby={errorId}
          aria-busy={companies.isFetching || undefined}
          disabled={disabled}
          onChange={(e) => {
            const chosen = options.find((c) => c.id === e.target.value)
            onChange(chosen ? { id: chosen.id, name: chosen.name } : null)
          }}
        >
          <option value="">{noneLabel ?? t('crm.picker.none')}</option>
          {options.map((company) => (
            <option key={company.id} value={company.id}>
              {company.name}
            </option>
          ))}
        </select>
      </div>
      {q && !companies.isFetching && found.length === 0 ? <p className="field-hint">{t('crm.picker.noMatch', { q })}</p> : null}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  )
}
