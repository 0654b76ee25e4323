import { useTranslation } from 'react-i18next'
import type { Mailbox } from './api'

/** A mailbox's state in words and a symbol, not colour alone. */
export function StatusBadge({ status }: { status: Mailbox['status'] }) {
  const { t } = useTranslation()
  const [tone, icon, label] =
    status === 'ok'
      ? ['ok', '✓', t('email.mailboxes.statusOk')]
      : status === 'error'
        ? ['error', '!', t('email.mailboxes.statusError')]
        : ['new', '○', t('email.mailboxes.statusNew')]
  return (
    <span className={`status status-${tone}`}>
      <span className="visually-hidden">{t('email.mailboxes.status')}: </span>
      <span className="status-icon" aria-hidden="true">
        {icon}
      </span>
      {label}
    </span>
  )
}
