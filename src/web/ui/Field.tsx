import { useId, type InputHTMLAttributes, type ReactNode, type Ref } from 'react'

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: ReactNode
  name: string
  hint?: ReactNode
  error?: string | null
  ref?: Ref<HTMLInputElement>
}

/** A labelled input with an optional hint and error, both announced through aria-describedby. */
export function Field({ label, name, hint, error, className, ref, ...input }: FieldProps) {
  const id = useId()
  // An error replaces the hint (it usually says the same thing, more urgently).
  const hintId = hint && !error ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{label}</label>
      <input
        ref={ref}
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...input}
      />
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
