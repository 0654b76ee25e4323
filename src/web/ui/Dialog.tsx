import { useEffect, useId, useRef, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Alert } from './Alert'

interface DialogProps {
  open: boolean
  title: ReactNode
  /** Escape, the Cancel button, or the caller closing it. */
  onClose: () => void
  children: ReactNode
  className?: string
}

/**
 * A modal <dialog>: the browser traps focus inside, Escape closes it, and focus goes back to
 * whatever opened it.
 */
export function Dialog({ open, title, onClose, children, className }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) dialog.showModal()
    else if (!open && dialog.open) dialog.close()
  }, [open])

  return (
    <dialog
      ref={ref}
      className={['dialog', className].filter(Boolean).join(' ')}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault()
        onClose()
      }}
    >
      {open ? (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      ) : null}
    </dialog>
  )
}

interface ConfirmDialogProps {
  open: boolean
  title: ReactNode
  children: ReactNode
  confirmLabel: string
  pendingLabel?: string
  pending?: boolean
  /** An error from the confirmed action, shown inside the dialog. */
  error?: string | null
  danger?: boolean
  onConfirm: () => void
  onCancel: () => void
}

/** "Are you sure?" for destructive actions; Cancel has the focus, so Enter does no harm. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  pendingLabel,
  pending = false,
  error,
  danger = true,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const { t } = useTranslation()
  return (
    <Dialog open={open} title={title} onClose={onCancel}>
      <div className="dialog-body">{children}</div>
      {error ? <Alert>{error}</Alert> : null}
      <div className="actions dialog-actions">
        <button type="button" className="btn" onClick={onCancel} autoFocus>
          {t('common.cancel')}
        </button>
        <button type="button" className={danger ? 'btn btn-danger-solid' : 'btn btn-primary'} onClick={onConfirm} disabled={pending}>
          {pending && pendingLabel ? pendingLabel : confirmLabel}
        </button>
      </div>
    </Dialog>
  )
}
