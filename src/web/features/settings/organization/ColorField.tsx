import { useId } from 'react'
import { useTranslation } from 'react-i18next'
import { HEX_COLOR } from './colors'

interface ColorFieldProps {
  label: string
  name: string
  value: string
  /** What the picker shows while the text is empty or not a colour. */
  fallback: string
  onChange: (value: string) => void
  hint?: string
  error?: string | undefined
}

/**
 * A colour as `#RRGGBB` text (labelled, so it can be typed and read out) with the browser's
 * colour picker beside it; both edit the same value.
 */
export function ColorField({ label, name, value, fallback, onChange, hint, error }: ColorFieldProps) {
  const { t } = useTranslation()
  const id = useId()
  const hintId = hint && !error ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="color-input">
        <input
          type="color"
          className="color-picker"
          value={HEX_COLOR.test(value) ? value.toLowerCase() : fallback}
          onChange={(event) => onChange(event.target.value)}
          aria-label={t('adminPeople.branding.picker', { label })}
        />
        <input
          id={id}
          name={name}
          value={value}
          onChange={(event) => onChange(event.target.value.trim())}
          placeholder={fallback}
          autoComplete="off"
          spellCheck={false}
          maxLength={7}
          aria-invalid={error ? true : undefined}
          aria-describedby={[hintId, errorId].filter(Boolean).join(' ') || undefined}
        />
      </div>
      {hintId ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </div>
  )
}
