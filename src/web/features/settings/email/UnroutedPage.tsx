import { RelativeTime } from '../../../ui/RelativeTime'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useSearchParams } from 'react-router'
import { isApiError } from '../../../api/client'
import { Alert } from '../../../ui/Alert'
import { ConfirmDialog, Dialog } from '../../../ui/Dialog'
import { errorMessage } from '../../../ui/errorMessage'
import { Field } from '../../../ui/Field'
import { Loading } from '../../../ui/Spinner'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { emailApi, emailKeys, useMessages, type EmailMessage, type InboundResult, type TicketSummary } from './api'
import { describeOutcome, describeReason } from './text'
import { LoadError } from '../../../ui/LoadError'

type View = 'unrouted' | 'dropped'
type Notice = { tone: 'success' | 'error'; text: string }

/** Saves a Blob under a file name: the raw message needs the bearer token, so no plain link. */
function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  link.rel = 'noopener'
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** Unrouted mail (waiting for an admin) and dropped mail, with what an admin can do about each. */
export function UnroutedPage() {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const view: View = params.get('view') === 'dropped' ? 'dropped' : 'unrouted'
  const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1)
  const list = useMessages(view, page)
  const queryClient = useQueryClient()
  const headingRef = useRef<HTMLHeadingElement>(null)
  const [notice, setNotice] = useState<Notice | null>(null)
  const [assigning, setAssigning] = useState<EmailMessage | null>(null)
  const [discarding, setDiscarding] = useState<EmailMessage | null>(null)
  const [downloading, setDownloading] = useState<string | null>(null)
  useDocumentTitle(`${view === 'dropped' ? t('email.unrouted.dropped') : t('email.unrouted.title')} · ${t('email.title')}`)

  const subjectOf = (message: EmailMessage) => message.subject.trim() || t('email.unrouted.noSubject')
  const senderOf = (message: EmailMessage) => message.from ?? t('email.unrouted.unknownSender')

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: emailKeys.messages })
    void queryClient.invalidateQueries({ queryKey: emailKeys.mailboxes })
  }

  // A row that was acted on leaves the list, taking the focused button with it: once any dialog
  // has closed, move focus to the heading, just before the message saying what happened.
  useEffect(() => {
    if (notice) headingRef.current?.focus()
  }, [notice])

  // The last row of a later page went away: show the page before.
  const rows = list.data?.data
  useEffect(() => {
    if (rows && rows.length === 0 && page > 1 && !list.isPlaceholderData) {
      setParams((p) => {
        p.set('page', String(page - 1))
        return p
      })
    }
  }, [rows, page, list.isPlaceholderData, setParams])

  const failed = (error: unknown) => {
    if (isApiError(error, 'conflict') || isApiError(error, 'not_found')) {
      refresh()
      return t('email.unrouted.notWaiting')
    }
    return errorMessage(error, t)
  }

  const retry = useMutation({
    mutationFn: (message: EmailMessage) => emailApi.retry(message.id),
    onMutate: () => setNotice(null),
    onSuccess: (result: InboundResult, message) => {
      const subject = subjectOf(message)
      setNotice({
        tone: 'success',
        text:
          result.status === 'unrouted'
            ? t('email.unrouted.retriedStill', { subject, reason: describeReason(result.reason, t).label })
            : t('email.unrouted.retriedDone', { subject, outcome: describeOutcome(result.outcome, t) }),
      })
      refresh()
    },
    onError: (error) => setNotice({ tone: 'error', text: failed(error) }),
  })

  const discard = useMutation({
    mutationFn: (message: EmailMessage) => emailApi.discard(message.id),
    onSuccess: (_result, message) => {
      setDiscarding(null)
      setNotice({ tone: 'success', text: t('email.unrouted.discarded', { subject: subjectOf(message) }) })
      refresh()
    },
    onError: (error) => {
      if (isApiError(error, 'conflict') || isApiError(error, 'not_found')) {
        setDiscarding(null)
        setNotice({ tone: 'error', text: failed(error) })
      }
    },
  })

  const download = async (message: EmailMessage) => {
    setDownloading(message.id)
    try {
      const file = await emailApi.raw(message.id)
      saveBlob(file.blob, file.filename ?? `message-${message.id}.eml`)
    } catch (error) {
      setNotice({ tone: 'error', text: errorMessage(error, t) })
    } finally {
      setDownloading(null)
    }
  }

  const tab = (to: View, label: string) => (
    <li>
      <Link to={{ search: to === 'dropped' ? '?view=dropped' : '' }} aria-current={view === to ? 'page' : undefined} onClick={() => setNotice(null)}>
        {label}
      </Link>
    </li>
  )

  const total = list.data?.meta?.total ?? 0
  const limit = list.data?.meta?.limit ?? 25
  const pages = Math.max(1, Math.ceil(total / limit))
  const goTo = (n: number) =>
    setParams((p) => {
      p.set('page', String(n))
      return p
    })

  return (
    <section aria-labelledby="unrouted-heading">
      <h2 id="unrouted-heading" ref={headingRef} tabIndex={-1}>
        {t('email.unrouted.title')}
      </h2>
      <nav className="subtabs" aria-label={t('email.unrouted.views')}>
        <ul>
          {tab('unrouted', t('email.unrouted.waiting'))}
          {tab('dropped', t('email.unrouted.dropped'))}
        </ul>
      </nav>
      <p className="muted">{view === 'dropped' ? t('email.unrouted.droppedIntro') : t('email.unrouted.intro')}</p>

      <div aria-live="polite">{notice ? <Alert tone={notice.tone === 'error' ? 'error' : 'success'}>{notice.text}</Alert> : null}</div>

      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <LoadError error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.data.length === 0 ? (
        <p className="card">{view === 'dropped' ? t('email.unrouted.droppedEmpty') : t('email.unrouted.empty')}</p>
      ) : (
        <>
          <MessageTable
            view={view}
            messages={list.data.data}
            subjectOf={subjectOf}
            senderOf={senderOf}
            busy={{ retry: retry.isPending ? retry.variables?.id : undefined, download: downloading ?? undefined }}
            onAssign={(m) => {
              setNotice(null)
              setAssigning(m)
            }}
            onRetry={(m) => retry.mutate(m)}
            onDiscard={(m) => {
              setNotice(null)
              discard.reset()
              setDiscarding(m)
            }}
            onDownload={(m) => void download(m)}
          />
          {pages > 1 ? (
            <nav className="pager" aria-label={t('email.unrouted.pages')}>
              <button type="button" className="btn" disabled={page <= 1} onClick={() => goTo(page - 1)}>
                {t('email.unrouted.previous')}
              </button>
              <span>{t('email.unrouted.page', { page, pages })}</span>
              <button type="button" className="btn" disabled={page >= pages} onClick={() => goTo(page + 1)}>
                {t('email.unrouted.next')}
              </button>
            </nav>
          ) : null}
        </>
      )}

      <Dialog open={assigning !== null} title={t('email.unrouted.assignTitle')} onClose={() => setAssigning(null)}>
        {assigning ? (
          <AssignForm
            key={assigning.id}
            message={assigning}
            subject={subjectOf(assigning)}
            sender={senderOf(assigning)}
            onCancel={() => setAssigning(null)}
            onAssigned={(ticket) => {
              setAssigning(null)
              setNotice({ tone: 'success', text: t('email.unrouted.assigned', { subject: subjectOf(assigning), ticket: ticket.ticket_number }) })
              refresh()
            }}
            onGone={(error) => {
              setAssigning(null)
              setNotice({ tone: 'error', text: failed(error) })
            }}
          />
        ) : null}
      </Dialog>

      <ConfirmDialog
        open={discarding !== null}
        title={t('email.unrouted.discardTitle')}
        confirmLabel={t('email.unrouted.discardConfirm')}
        pendingLabel={t('email.unrouted.discarding')}
        pending={discard.isPending}
        error={discard.isError ? errorMessage(discard.error, t) : null}
        onConfirm={() => discarding && discard.mutate(discarding)}
        onCancel={() => setDiscarding(null)}
      >
        <p>{discarding ? t('email.unrouted.discardBody', { subject: subjectOf(discarding), from: senderOf(discarding) }) : null}</p>
      </ConfirmDialog>
    </section>
  )
}

interface MessageTableProps {
  view: View
  messages: EmailMessage[]
  subjectOf: (m: EmailMessage) => string
  senderOf: (m: EmailMessage) => string
  busy: { retry?: string; download?: string }
  onAssign: (m: EmailMessage) => void
  onRetry: (m: EmailMessage) => void
  onDiscard: (m: EmailMessage) => void
  onDownload: (m: EmailMessage) => void
}

function MessageTable({ view, messages, subjectOf, senderOf, busy, onAssign, onRetry, onDiscard, onDownload }: MessageTableProps) {
  const { t } = useTranslation()
  const captionId = useId()
  return (
    // Scrolls sideways on a narrow screen; focusable so that works from the keyboard too.
    <div className="table-wrap" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table className="table">
        <caption id={captionId} className="visually-hidden">
          {view === 'dropped' ? t('email.unrouted.droppedCaption') : t('email.unrouted.caption')}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('email.unrouted.from')}</th>
            <th scope="col">{t('email.unrouted.subject')}</th>
            <th scope="col">{t('email.unrouted.reason')}</th>
            <th scope="col">{t('email.unrouted.received')}</th>
            <th scope="col">{t('email.unrouted.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {messages.map((message) => {
            const subject = subjectOf(message)
            const reason = describeReason(message.reason, t)
            return (
              <tr key={message.id}>
                <td>
                  {message.from_name ? <span className="cell-main">{message.from_name}</span> : null}
                  <span className={message.from_name ? 'cell-sub' : 'cell-main'}>{senderOf(message)}</span>
                </td>
                <td>
                  <span className="cell-main">{subject}</span>
                  {message.to.length > 0 ? (
                    <span className="cell-sub">
                      {t('email.unrouted.to')}: {message.to.join(', ')}
                    </span>
                  ) : null}
                </td>
                <td>
                  <span className="cell-main">{reason.label}</span>
                  {reason.detail ? <span className="cell-sub">{reason.detail}</span> : null}
                </td>
                <td>
                  <RelativeTime iso={message.received_at} />
                </td>
                <td>
                  <div className="row-actions">
                    {view === 'unrouted' ? (
                      <>
                        <button type="button" className="btn btn-small" onClick={() => onAssign(message)} aria-label={t('email.unrouted.assignLabel', { subject })}>
                          {t('email.unrouted.assign')}
                        </button>
                        <button
                          type="button"
                          className="btn btn-small"
                          onClick={() => onRetry(message)}
                          disabled={busy.retry === message.id}
                          aria-label={t('email.unrouted.retryLabel', { subject })}
                        >
                          {busy.retry === message.id ? t('email.unrouted.retrying') : t('email.unrouted.retry')}
                        </button>
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          onClick={() => onDiscard(message)}
                          aria-label={t('email.unrouted.discardLabel', { subject })}
                        >
                          {t('email.unrouted.discard')}
                        </button>
                      </>
                    ) : null}
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => onDownload(message)}
                      disabled={busy.download === message.id}
                      aria-label={t('email.unrouted.downloadLabel', { subject })}
                    >
                      {t('email.unrouted.download')}
                    </button>
                  </div>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

interface AssignFormProps {
  message: EmailMessage
  subject: string
  sender: string
  onCancel: () => void
  onAssigned: (ticket: TicketSummary) => void
  /** The message left the queue meanwhile (409/404). */
  onGone: (error: unknown) => void
}

/** Find the ticket by number or subject, pick it, assign. */
function AssignForm({ message, subject, sender, onCancel, onAssigned, onGone }: AssignFormProps) {
  const { t } = useTranslation()
  const [query, setQuery] = useState('')
  const [searched, setSearched] = useState('')
  const [selected, setSelected] = useState<TicketSummary | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const resultsId = useId()

  const search = useQuery({
    queryKey: ['tickets', 'search', searched],
    queryFn: ({ signal }) => emailApi.searchTickets(searched, signal),
    enabled: searched.length > 0,
    staleTime: 10_000,
  })

  const assign = useMutation({
    mutationFn: (ticket: TicketSummary) => emailApi.assign(message.id, ticket.id),
    onSuccess: (_result, ticket) => onAssigned(ticket),
    onError: (error) => {
      if (isApiError(error, 'conflict') && !/merged/i.test(error.message)) onGone(error)
      else setProblem(errorMessage(error, t))
    },
  })

  const onSearch = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const q = query.trim()
    setProblem(null)
    setSelected(null)
    if (!q) {
      setProblem(t('validation.required'))
      return
    }
    setSearched(q)
  }

  const onAssign = () => {
    if (!selected) {
      setProblem(t('email.unrouted.chooseTicket'))
      return
    }
    setProblem(null)
    assign.mutate(selected)
  }

  return (
    <>
      <p>{t('email.unrouted.assignIntro')}</p>
      <p className="muted">
        <strong>{subject}</strong> — {sender}
      </p>
      <form className="search-row" onSubmit={onSearch} noValidate role="search">
        <Field
          label={t('email.unrouted.search')}
          name="q"
          type="search"
          autoComplete="off"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          hint={t('email.unrouted.searchHint')}
          aria-controls={resultsId}
        />
        <button type="submit" className="btn" disabled={search.isFetching}>
          {search.isFetching ? t('email.unrouted.searching') : t('email.unrouted.searchButton')}
        </button>
      </form>

      <div id={resultsId} aria-live="polite">
        {search.isError ? (
          <Alert>{errorMessage(search.error, t)}</Alert>
        ) : search.data && searched ? (
          search.data.length === 0 ? (
            <p>{t('email.unrouted.noMatches')}</p>
          ) : (
            <fieldset className="ticket-choices">
              <legend>{t('email.unrouted.matches')}</legend>
              {search.data.map((ticket) => (
                <label key={ticket.id} className="choice">
                  <input
                    type="radio"
                    name="ticket"
                    value={ticket.id}
                    checked={selected?.id === ticket.id}
                    onChange={() => {
                      setSelected(ticket)
                      setProblem(null)
                    }}
                  />
                  <span>
                    <strong>{ticket.ticket_number}</strong> {ticket.subject}
                    <span className="cell-sub">
                      {[ticket.status?.name, ticket.requester?.name].filter(Boolean).join(' · ')}
                    </span>
                  </span>
                </label>
              ))}
            </fieldset>
          )
        ) : null}
      </div>

      {problem ? <Alert>{problem}</Alert> : null}
      <div className="actions dialog-actions">
        <button type="button" className="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="button" className="btn btn-primary" onClick={onAssign} disabled={assign.isPending}>
          {assign.isPending ? t('email.unrouted.assigning') : t('email.unrouted.assignButton')}
        </button>
      </div>
    </>
  )
}
