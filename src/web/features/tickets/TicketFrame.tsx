import type { UseQueryResult } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { isApiError } from '../../api/client'
import { Loading } from '../../ui/Spinner'
import type { TicketDetail } from './api'
import { LiveIndicator, RelativeTime, StatusPill } from './bits'
import { LoadError } from '../../ui/LoadError'

/**
 * The frame a ticket page stands in, for agents and customers alike: the way back, loading, not
 * found or failed (with a retry), then the title with the status, any extra badges, when it was
 * opened and the live indicator — and the page's own content below.
 */
export function TicketFrame({ ticket, className, back, backLabel, notFound, badges, children }: {
  ticket: UseQueryResult<TicketDetail>
  className: string
  back: string
  backLabel: string
  notFound: string
  badges?: (data: TicketDetail) => ReactNode
  children: (data: TicketDetail) => ReactNode
}) {
  const { t } = useTranslation()
  const backLink = (
    <p className="back-link">
      <Link to={back}>
        <span aria-hidden="true">← </span>
        {backLabel}
      </Link>
    </p>
  )

  if (ticket.isPending) return <Loading />
  if (ticket.isError) {
    return (
      <div className={className}>
        {backLink}
        {isApiError(ticket.error, 'not_found') ? (
          <>
            <h1>{t('tickets.ticket.notFoundTitle')}</h1>
            <p>{notFound}</p>
          </>
        ) : (
          <LoadError error={ticket.error} onRetry={() => void ticket.refetch()} />
        )}
      </div>
    )
  }

  const data = ticket.data
  return (
    <div className={className}>
      {backLink}
      <header className="ticket-header">
        <h1 className="ticket-title">
          <span className="ticket-title-number">{data.ticket_number}</span> {data.subject}
        </h1>
        <div className="ticket-header-meta">
          <StatusPill status={data.status} />
          {badges?.(data)}
          <span className="muted">
            {t('tickets.ticket.opened')} <RelativeTime iso={data.created_at} />
          </span>
          <LiveIndicator />
        </div>
      </header>
      {children(data)}
    </div>
  )
}
