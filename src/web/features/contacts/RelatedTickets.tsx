import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { Loading } from '../../ui/Spinner'
import { PriorityLabel, RelativeTime, StatusPill } from '../tickets/bits'
import { pageCount, useOwnerTickets, type Owner } from './api'
import { Pager } from './Pager'
import { LoadError } from '../../ui/LoadError'

/** The tickets of a contact (as requester) or of a company that the user may see, newest first, a page at a time. */
export function RelatedTickets({ owner, heading, empty }: { owner: Owner; heading: string; empty: string }) {
  const { t } = useTranslation()
  const headingId = useId()
  const [page, setPage] = useState(1)
  const tickets = useOwnerTickets(owner, page)
  const rows = tickets.data?.data ?? []
  const total = tickets.data?.meta?.total ?? rows.length

  return (
    <section className="card crm-tickets" aria-labelledby={headingId}>
      <div className="list-heading">
        <h2 id={headingId}>{heading}</h2>
        {tickets.data ? <p className="muted list-count">{t('crm.tickets.count', { count: total })}</p> : null}
      </div>
      {tickets.isPending ? (
        <Loading />
      ) : tickets.isError ? (
        <LoadError error={tickets.error} onRetry={() => void tickets.refetch()} />
      ) : rows.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <div className="table-wrap" aria-busy={tickets.isPlaceholderData || undefined}>
          <table className="table crm-table">
            <caption className="visually-hidden">{heading}</caption>
            <thead>
              <tr>
                <th scope="col">{t('crm.tickets.subject')}</th>
                <th scope="col" className="crm-col-wide">{t('crm.tickets.status')}</th>
                <th scope="col" className="crm-col-wide">{t('crm.tickets.priority')}</th>
                <th scope="col" className="crm-col-wide">{t('crm.tickets.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((ticket) => (
                <tr key={ticket.id}>
                  <td>
                    <Link to={`/tickets/${ticket.id}`} className="ticket-link">
                      <span className="ticket-number">{ticket.ticket_number}</span> {ticket.subject || t('crm.tickets.noSubject')}
                    </Link>
                    {owner.kind === 'companies' && ticket.requester ? <span className="cell-sub">{ticket.requester.name}</span> : null}
                    <span className="cell-sub crm-row-meta">
                      <StatusPill status={ticket.status} /> · <RelativeTime iso={ticket.updated_at} />
                    </span>
                  </td>
                  <td className="crm-col-wide">
                    <StatusPill status={ticket.status} />
                  </td>
                  <td className="crm-col-wide">
                    <PriorityLabel priority={ticket.priority} />
                  </td>
                  <td className="crm-col-wide">
                    <RelativeTime iso={ticket.updated_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={page} pages={pageCount(tickets.data?.meta)} label={t('crm.tickets.pages', { heading })} onPage={setPage} />
    </section>
  )
}
