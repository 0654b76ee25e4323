import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation, useNavigate } from 'react-router'
import { isApiError } from '../../../api/client'
import { Alert } from '../../../ui/Alert'
import { ConfirmDialog } from '../../../ui/Dialog'
import { errorMessage } from '../../../ui/errorMessage'
import { formatDateTime, formatRelativeTime } from '../../../ui/format'
import { Loading } from '../../../ui/Spinner'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { emailApi, emailKeys, useMailboxes, type ConnectionCheck, type ConnectionTest, type Mailbox, type SyncResult } from './api'
import { StatusBadge } from './StatusBadge'
import { describeOutcome } from './text'
import { LoadError } from '../../../ui/LoadError'

/** Where the form sends the user back with what it did, for the message on this page. */
export interface MailboxFlash {
  flash?: { kind: 'added' | 'saved'; name: string }
}

export function MailboxesPage() {
  const { t } = useTranslation()
  const mailboxes = useMailboxes()
  const queryClient = useQueryClient()
  const location = useLocation()
  const navigate = useNavigate()
  const headingRef = useRef<HTMLHeadingElement>(null)
  const [toDelete, setToDelete] = useState<Mailbox | null>(null)
  const [deleted, setDeleted] = useState<string | null>(null)
  useDocumentTitle(`${t('email.mailboxes.title')} · ${t('email.title')}`)

  const flash = (location.state as MailboxFlash | null)?.flash

  // The deleted row (and its Delete button) goes away: once the dialog has closed and handed focus
  // back, move it to the heading rather than let it fall to the page.
  useEffect(() => {
    if (deleted) headingRef.current?.focus()
  }, [deleted])

  const remove = useMutation({
    mutationFn: (mailbox: Mailbox) => emailApi.deleteMailbox(mailbox.id),
    onSuccess: (_data, mailbox) => {
      setToDelete(null)
      setDeleted(mailbox.name)
      void queryClient.invalidateQueries({ queryKey: emailKeys.mailboxes })
    },
  })

  const clearMessages = () => {
    setDeleted(null)
    if (flash) void navigate('.', { replace: true, state: null })
  }

  return (
    <section aria-labelledby="mailboxes-heading">
      <div className="section-header">
        <div>
          <h2 id="mailboxes-heading" ref={headingRef} tabIndex={-1}>
            {t('email.mailboxes.title')}
          </h2>
          <p className="muted">{t('email.mailboxes.intro')}</p>
        </div>
        <Link to="new" className="btn btn-primary">
          {t('email.mailboxes.add')}
        </Link>
      </div>

      <div aria-live="polite">
        {deleted ? (
          <Alert tone="success">{t('email.mailboxes.deleted', { name: deleted })}</Alert>
        ) : flash ? (
          <Alert tone="success">
            {flash.kind === 'added' ? t('email.mailboxes.added', { name: flash.name }) : t('email.mailboxes.saved', { name: flash.name })}
          </Alert>
        ) : null}
      </div>

      {mailboxes.isPending ? (
        <Loading />
      ) : mailboxes.isError ? (
        <LoadError error={mailboxes.error} onRetry={() => void mailboxes.refetch()} />
      ) : mailboxes.data.length === 0 ? (
        <p className="card">{t('email.mailboxes.empty')}</p>
      ) : (
        <ul className="mailboxes">
          {mailboxes.data.map((mailbox) => (
            <MailboxItem
              key={mailbox.id}
              mailbox={mailbox}
              onDelete={() => {
                clearMessages()
                remove.reset()
                setToDelete(mailbox)
              }}
              onAction={clearMessages}
            />
          ))}
        </ul>
      )}

      <ConfirmDialog
        open={toDelete !== null}
        title={t('email.mailboxes.deleteTitle')}
        confirmLabel={t('email.mailboxes.deleteConfirm')}
        pendingLabel={t('email.mailboxes.deleting')}
        pending={remove.isPending}
        error={remove.isError ? errorMessage(remove.error, t) : null}
        onConfirm={() => toDelete && remove.mutate(toDelete)}
        onCancel={() => setToDelete(null)}
      >
        <p>{toDelete ? t('email.mailboxes.deleteBody', { name: toDelete.name, address: toDelete.address }) : null}</p>
      </ConfirmDialog>
    </section>
  )
}

function MailboxItem({ mailbox, onDelete, onAction }: { mailbox: Mailbox; onDelete: () => void; onAction: () => void }) {
  const { t, i18n } = useTranslation()
  const queryClient = useQueryClient()
  const titleId = `mailbox-${mailbox.id}`
  const refresh = () => queryClient.invalidateQueries({ queryKey: emailKeys.mailboxes })

  const test = useMutation({ mutationFn: () => emailApi.testMailbox(mailbox.id), onSettled: refresh })
  const sync = useMutation({ mutationFn: () => emailApi.syncMailbox(mailbox.id), onSettled: refresh })

  const when = (iso: string | null) => formatRelativeTime(iso, i18n.language)
  const exactly = (iso: string | null) => formatDateTime(iso, i18n.language)

  return (
    <li className="card mailbox">
      <div className="mailbox-head">
        <div className="list-main">
          <h3 className="list-title" id={titleId}>
            {mailbox.name}
            {!mailbox.is_active ? <span className="badge badge-off">{t('email.mailboxes.inactive')}</span> : null}
          </h3>
          <span className="muted">{mailbox.address}</span>
        </div>
        <StatusBadge status={mailbox.status} />
      </div>

      <dl className="facts mailbox-facts">
        <div>
          <dt>{t('email.mailboxes.lastSync')}</dt>
          <dd>
            {mailbox.last_sync_at ? (
              <time dateTime={mailbox.last_sync_at} title={exactly(mailbox.last_sync_at)}>
                {when(mailbox.last_sync_at)}
              </time>
            ) : (
              t('email.mailboxes.never')
            )}
          </dd>
        </div>
        <div>
          <dt>{t('email.mailboxes.backlog')}</dt>
          <dd>{t('email.mailboxes.backlogCount', { count: mailbox.backlog })}</dd>
        </div>
        <div>
          <dt>{t('email.mailboxes.incoming')}</dt>
          <dd>{mailbox.imap ? `${mailbox.imap.host}:${mailbox.imap.port}` : t('email.mailboxes.notConfigured')}</dd>
        </div>
        <div>
          <dt>{t('email.mailboxes.outgoing')}</dt>
          <dd>{mailbox.smtp ? `${mailbox.smtp.host}:${mailbox.smtp.port}` : t('email.mailboxes.notConfigured')}</dd>
        </div>
      </dl>

      {mailbox.status === 'error' && mailbox.last_error ? (
        <p className="mailbox-error">
          {t('email.mailboxes.lastError', { date: when(mailbox.last_error_at), error: mailbox.last_error })}
        </p>
      ) : null}

      <div className="actions">
        <button
          type="button"
          className="btn"
          disabled={test.isPending}
          aria-label={t('email.mailboxes.testLabel', { name: mailbox.name })}
          onClick={() => {
            onAction()
            test.mutate()
          }}
        >
          {test.isPending ? t('email.mailboxes.testing') : t('email.mailboxes.test')}
        </button>
        {mailbox.imap ? (
          <button
            type="button"
            className="btn"
            disabled={sync.isPending}
            aria-label={t('email.mailboxes.syncLabel', { name: mailbox.name })}
            onClick={() => {
              onAction()
              sync.mutate()
            }}
          >
            {sync.isPending ? t('email.mailboxes.syncing') : t('email.mailboxes.sync')}
          </button>
        ) : null}
        <Link to={mailbox.id} className="btn" aria-label={t('email.mailboxes.editLabel', { name: mailbox.name })}>
          {t('email.mailboxes.edit')}
        </Link>
        <button
          type="button"
          className="btn btn-danger"
          aria-label={t('email.mailboxes.deleteLabel', { name: mailbox.name })}
          onClick={onDelete}
        >
          {t('email.mailboxes.delete')}
        </button>
      </div>

      {/* Always in the page, so screen readers announce the results when they arrive. */}
      <div className="mailbox-results" role="status">
        {test.isSuccess ? <TestResults result={test.data} /> : null}
        {test.isError ? <p className="alert alert-error">{errorMessage(test.error, t)}</p> : null}
        {sync.isSuccess ? <SyncSummary result={sync.data} /> : null}
        {sync.isError ? (
          <p className="alert alert-error">
            {isApiError(sync.error, 'bad_gateway')
              ? t('email.mailboxes.syncFailed', { error: sync.error.message })
              : errorMessage(sync.error, t)}
          </p>
        ) : null}
      </div>
    </li>
  )
}

function CheckLine({ label, check }: { label: string; check: ConnectionCheck }) {
  const { t } = useTranslation()
  return (
    <li className={check.ok ? 'check-ok' : 'check-failed'}>
      <span className="check-icon" aria-hidden="true">
        {check.ok ? '✓' : '✕'}
      </span>
      <span>
        <strong>{label}</strong>{' '}
        {check.ok ? t('email.mailboxes.testOk') : t('email.mailboxes.testFailed', { error: check.error ?? '' })}
      </span>
    </li>
  )
}

function TestResults({ result }: { result: ConnectionTest }) {
  const { t } = useTranslation()
  if (!result.imap && !result.smtp) return <p className="check-results">{t('email.mailboxes.testNothing')}</p>
  return (
    <ul className="check-results">
      {result.imap ? <CheckLine label="IMAP" check={result.imap} /> : null}
      {result.smtp ? <CheckLine label="SMTP" check={result.smtp} /> : null}
    </ul>
  )
}

function SyncSummary({ result }: { result: SyncResult }) {
  const { t } = useTranslation()
  const counts = new Map<string, number>()
  for (const r of result.results) {
    const label = describeOutcome(r.outcome, t)
    counts.set(label, (counts.get(label) ?? 0) + 1)
  }
  return (
    <div className="check-results">
      <p>{t('email.mailboxes.synced', { count: result.fetched })}</p>
      {counts.size > 0 ? (
        <ul>
          {[...counts].map(([label, n]) => (
            <li key={label}>
              {label}: {n}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  )
}
