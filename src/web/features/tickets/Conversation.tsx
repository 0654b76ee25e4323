import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useMe } from '../../api/queries'
import { Alert } from '../../ui/Alert'
import { errorMessage } from '../../ui/errorMessage'
import { Loading } from '../../ui/Spinner'
import { ticketsApi, useComments, useHistory, useTicketEmails, type Attachment, type Comment, type HistoryEntry, type TicketDetail, type TicketEmail } from './api'
import { RelativeTime, useNow } from './bits'
import { LockIcon, PaperclipIcon } from './icons'
import { formatBytes, historyEventLabel, historyFieldLabel, historyValue } from './text'
import { LoadError } from '../../ui/LoadError'

/** Saves a Blob under a file name: attachments need the bearer token, so no plain download link. */
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

/**
 * The ticket's conversation, oldest first: the request itself, then replies and internal notes
 * (marked in words and by their frame, not by colour alone), with attachments and, for mail we
 * sent, whether it was delivered.
 */
export function Conversation({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation()
  const comments = useComments(ticket.id)
  const me = useMe()
  // Delivery status is for staff: customers are not asked for it (the server would refuse).
  const emails = useTicketEmails(ticket.id, !!me.data && me.data.role.kind !== 'customer')
  const now = useNow()
  const [downloadError, setDownloadError] = useState<string | null>(null)

  // Messages that arrive while the ticket is open (live) are announced, except one's own.
  const count = comments.data?.length ?? -1
  const [seen, setSeen] = useState<{ count: number; announcement: string }>({ count: -1, announcement: '' })
  if (comments.data && count !== seen.count) {
    const fresh = seen.count >= 0 && count > seen.count ? comments.data.slice(seen.count).filter((c) => c.author?.id !== me.data?.user.id) : []
    const last = fresh.at(-1)
    setSeen({
      count,
      announcement: last
        ? t(last.is_internal ? 'tickets.conversation.newNote' : 'tickets.conversation.newMessage', {
            name: last.author?.name ?? t('tickets.conversation.system'),
          })
        : seen.announcement,
    })
  }

  const outbound = (emails.data ?? []).filter((e) => e.direction === 'outbound')
  const byComment = new Map<string, TicketEmail[]>()
  for (const email of outbound) {
    if (!email.comment_id) continue
    byComment.set(email.comment_id, [...(byComment.get(email.comment_id) ?? []), email])
  }
  // Mail about the ticket rather than a reply (the acknowledgement) goes with the request.
  const aboutTicket = outbound.filter((e) => !e.comment_id)

  const download = async (attachment: Attachment) => {
    setDownloadError(null)
    try {
      const file = await ticketsApi.download(attachment.id)
      saveBlob(file.blob, file.filename ?? attachment.filename)
    } catch (error) {
      setDownloadError(errorMessage(error, t))
    }
  }

  return (
    <div className="conversation">
      <div aria-live="polite">{downloadError ? <Alert>{downloadError}</Alert> : null}</div>
      <p className="visually-hidden" role="status">
        {seen.announcement}
      </p>
      <ol className="timeline">
        <li>
          <article className="message message-customer" aria-labelledby={`request-${ticket.id}`}>
            <header className="message-head" id={`request-${ticket.id}`}>
              <span className="message-author">{ticket.requester?.name ?? t('tickets.conversation.someone')}</span>
              <span className="message-kind">{t('tickets.conversation.opened')}</span>
              <RelativeTime iso={ticket.created_at} now={now} />
            </header>
            {ticket.description ? (
              <div className="prose" dangerouslySetInnerHTML={{ __html: ticket.description }} />
            ) : (
              <p className="muted">{t('tickets.conversation.noDescription')}</p>
            )}
            <Deliveries emails={aboutTicket} />
          </article>
        </li>
        {comments.data?.map((comment) => (
          <li key={comment.id}>
            <CommentItem comment={comment} now={now} emails={byComment.get(comment.id)} onDownload={(a) => void download(a)} />
          </li>
        ))}
      </ol>
      {comments.isPending ? <Loading /> : null}
      {comments.isError ? (
        <LoadError error={comments.error} onRetry={() => void comments.refetch()} />
      ) : null}
      {comments.data?.length === 0 ? <p className="muted">{t('tickets.conversation.noReplies')}</p> : null}
    </div>
  )
}

interface CommentItemProps {
  comment: Comment
  now: number
  emails: TicketEmail[] | undefined
  onDownload: (attachment: Attachment) => void
}

function CommentItem({ comment, now, emails, onDownload }: CommentItemProps) {
  const { t, i18n } = useTranslation()
  const kind = comment.is_internal ? 'internal' : comment.author?.type === 'contact' ? 'customer' : comment.author ? 'reply' : 'system'
  const headId = `comment-${comment.id}`
  return (
    <article className={`message message-${kind}`} aria-labelledby={headId}>
      <header className="message-head" id={headId}>
        <span className="message-author">{comment.author?.name ?? t('tickets.conversation.system')}</span>
        <span className={kind === 'internal' ? 'message-kind note-label' : 'message-kind'}>
          {kind === 'internal' ? <LockIcon /> : null}
          {t(`tickets.conversation.kind.${kind}`)}
        </span>
        <RelativeTime iso={comment.created_at} now={now} />
        {comment.edited_at ? <span className="muted">{t('tickets.conversation.edited')}</span> : null}
      </header>
      <div className="prose" dangerouslySetInnerHTML={{ __html: comment.body }} />
      {comment.attachments.length > 0 ? (
        <ul className="attachments" aria-label={t('tickets.conversation.attachments')}>
          {comment.attachments.map((attachment) => (
            <li key={attachment.id}>
              <PaperclipIcon />
              <a
                href={`/api/v1/attachments/${encodeURIComponent(attachment.id)}`}
                onClick={(event) => {
                  event.preventDefault()
                  onDownload(attachment)
                }}
              >
                {attachment.filename}
              </a>{' '}
              <span className="muted">({formatBytes(attachment.size_bytes, i18n.language)})</span>
            </li>
          ))}
        </ul>
      ) : null}
      <Deliveries emails={emails} />
    </article>
  )
}

const DELIVERY_ICONS: Record<string, string> = { sent: '✓', failed: '✕', queued: '…', discarded: '–' }

/** Whether the mail we sent for a reply went out: in words, with the server's error if it failed. */
function Deliveries({ emails }: { emails: TicketEmail[] | undefined }) {
  const { t } = useTranslation()
  if (!emails?.length) return null
  return (
    <ul className="deliveries" aria-label={t('tickets.email.label')}>
      {emails.map((email) => {
        const to = email.to.join(', ')
        const text =
          email.status === 'sent'
            ? t('tickets.email.sent', { to })
            : email.status === 'queued'
              ? t('tickets.email.queued', { to })
              : email.status === 'failed'
                ? t('tickets.email.failed', { to, error: email.last_error ?? '' })
                : email.status === 'discarded'
                  ? t('tickets.email.discarded', { reason: email.reason ?? '' })
                  : t('tickets.email.other', { status: email.status })
        return (
          <li key={email.id} className={`delivery delivery-${email.status}`}>
            <span className="delivery-icon" aria-hidden="true">
              {DELIVERY_ICONS[email.status] ?? '✉'}
            </span>
            {text}
          </li>
        )
      })}
    </ul>
  )
}

/** The ticket's history, oldest first, each change in a sentence. */
export function HistoryList({ ticketId }: { ticketId: string }) {
  const { t } = useTranslation()
  const history = useHistory(ticketId, true)
  const now = useNow()
  if (history.isPending) return <Loading />
  if (history.isError) {
    return (
      <LoadError error={history.error} onRetry={() => void history.refetch()} />
    )
  }
  if (history.data.length === 0) return <p className="muted">{t('tickets.history.empty')}</p>
  return (
    <ol className="history">
      {history.data.map((entry) => (
        <li key={entry.id}>
          <RelativeTime iso={entry.created_at} now={now} />
          <span>
            <HistoryText entry={entry} />
          </span>
        </li>
      ))}
    </ol>
  )
}

function HistoryText({ entry }: { entry: HistoryEntry }) {
  const { t, i18n } = useTranslation()
  const actor =
    entry.actor?.name ??
    (entry.actor_kind === 'contact' ? t('tickets.history.customer') : entry.actor_kind === 'api_key' ? t('tickets.history.apiKey') : t('tickets.history.system'))
  const event = historyEventLabel(entry.field, t)
  if (event) return <>{t('tickets.history.event', { actor, event })}</>
  const field = historyFieldLabel(entry.field, t)
  if (entry.field === 'description') return <>{t('tickets.history.edited', { actor, field })}</>
  const empty = (value: unknown) => value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)
  const from = historyValue(entry.old_value, t, entry.field, i18n.language)
  const to = historyValue(entry.new_value, t, entry.field, i18n.language)
  if (empty(entry.new_value)) return <>{t('tickets.history.cleared', { actor, field })}</>
  if (empty(entry.old_value)) return <>{t('tickets.history.set', { actor, field, to })}</>
  return <>{t('tickets.history.changed', { actor, field, from, to })}</>
}
