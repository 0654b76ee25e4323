import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useParams } from 'react-router'
import { Alert } from '../../ui/Alert'
import { errorMessage } from '../../ui/errorMessage'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { ticketsApi, useTicket, type TicketDetail } from '../tickets/api'
import { TicketFrame } from '../tickets/TicketFrame'
import { Conversation } from '../tickets/Conversation'
import { ReplyEditor } from '../tickets/ReplyEditor'
import { ticketKeys } from '../tickets/shared'

const noop = () => {}

/** One of the customer's requests: its status, the conversation (never internal notes), a reply, and closing it. */
export function PortalTicketPage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const ticket = useTicket(id)
  useDocumentTitle(ticket.data ? `${ticket.data.ticket_number} ${ticket.data.subject}` : t('portal.list.title'))

  return (
    <TicketFrame
      ticket={ticket}
      className="portal ticket-page"
      back="/portal"
      backLabel={t('portal.back')}
      notFound={t('portal.ticket.notFound')}
    >
      {(data) => (
        <>
          <CloseTicket ticket={data} />
          <section className="card card-wide portal-conversation" aria-labelledby="portal-conversation-heading">
            <h2 id="portal-conversation-heading">{t('portal.ticket.conversation')}</h2>
            <Conversation ticket={data} />
            <Reply ticket={data} />
          </section>
        </>
      )}
    </TicketFrame>
  )
}

function Reply({ ticket }: { ticket: TicketDetail }) {
  const queryClient = useQueryClient()
  const { t } = useTranslation()
  if (!ticket.abilities.comment) return <p className="muted reply-none">{t('portal.ticket.noReply')}</p>
  return (
    <ReplyEditor
      ticket={ticket}
      audience="customer"
      onTyped={noop}
      onStoppedTyping={noop}
      onSent={() => {
        void queryClient.invalidateQueries({
          predicate: (query) => {
            const [root, kind, ticketId] = query.queryKey
            return root === 'tickets' && (ticketId === ticket.id || kind === 'list')
          },
        })
      }}
    />
  )
}

/** "Close my ticket", when the server says the customer may (their own, still open, request). */
function CloseTicket({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const [closed, setClosed] = useState(false)
  const close = useMutation({
    mutationFn: () => ticketsApi.close(ticket.id),
    onSuccess: (updated) => {
      queryClient.setQueryData(ticketKeys.detail(ticket.id), updated)
      setClosed(true)
      void queryClient.invalidateQueries({
        predicate: (query) => {
          const [root, kind, ticketId] = query.queryKey
          return root === 'tickets' && (ticketId === ticket.id || kind === 'list')
        },
      })
    },
  })
  const isClosed = ticket.status.category === 'closed' || ticket.status.category === 'cancelled'
  return (
    <div className="portal-close" aria-live="polite">
      {closed && isClosed ? <Alert tone="success">{t('portal.ticket.closed')}</Alert> : null}
      {close.isError ? <Alert>{errorMessage(close.error, t)}</Alert> : null}
      {ticket.abilities.close && !isClosed ? (
        <div className="actions">
          <button type="button" className="btn" disabled={close.isPending} onClick={() => close.mutate()}>
            {close.isPending ? t('portal.ticket.closing') : t('portal.ticket.close')}
          </button>
          <span className="muted">{t('portal.ticket.closeHint')}</span>
        </div>
      ) : null}
    </div>
  )
}
