import { useId, type InputHTMLAttributes, type ReactNode } from 'react'

interface CheckboxFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'type'> {
  label: ReactNode
  name: string
  hint?: ReactNode
}

/** A checkbox with its label beside it and an optional hint (aria-describedby). */
export function CheckboxField({ label, name, hint, className, ...input }: CheckboxFieldProps) {
  const id = useId()
  const hintId = hint ? `${id}-hint` : undefined
  return (
    <div className={['check', className].filter(Boolean).join(' ')}>
      <input id={id} name={name} type="checkbox" aria-describedby={hintId} {...input} />
      <div>
        <label htmlFor={id}>{label}</label>
        {hintId ? (
          <p className="field-hint" id={hintId}>
            {hint}
          </p>
        ) : null}
      </div>
    </div>
  )
}
