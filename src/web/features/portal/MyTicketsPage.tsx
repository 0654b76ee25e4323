import { useTranslation } from 'react-i18next'
import { Link, useLocation, useSearchParams } from 'react-router'
import { Alert } from '../../ui/Alert'
import { Loading } from '../../ui/Spinner'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { LiveIndicator, RelativeTime, StatusPill, useNow } from '../tickets/bits'
import { PORTAL_PAGE_SIZE, useMyTickets } from './shared'
import { LoadError } from '../../ui/LoadError'

/** Where "New request" sends the customer after creating one, to say it was received. */
export interface CreatedState {
  created?: string
}

/** The customer's requests: number, subject, status and last update, with a way to open a new one. */
export function MyTicketsPage() {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const page = Math.max(1, Number(params.get('page')) || 1)
  const tickets = useMyTickets(page)
  const now = useNow()
  useDocumentTitle(t('portal.list.title'))
  const total = tickets.data?.meta?.total
  const pages = total === undefined ? undefined : Math.max(1, Math.ceil(total / PORTAL_PAGE_SIZE))
  const hasNext = pages !== undefined ? page < pages : (tickets.data?.data.length ?? 0) === PORTAL_PAGE_SIZE

  return (
    <div className="portal">
      <div className="portal-head">
        <h1 className="page-title">{t('portal.list.title')}</h1>
        <Link to="/portal/new" className="btn btn-primary">
          {t('portal.list.new')}
        </Link>
      </div>
      <CreatedNotice />
      <section className="card card-wide" aria-labelledby="portal-list-heading">
        <div className="portal-list-head">
          <h2 id="portal-list-heading">{t('portal.list.heading')}</h2>
          <LiveIndicator />
        </div>
        {tickets.isPending ? (
          <Loading />
        ) : tickets.isError ? (
          <LoadError error={tickets.error} onRetry={() => void tickets.refetch()} />
        ) : tickets.data.data.length === 0 ? (
          <p className="muted">{t('portal.list.empty')}</p>
        ) : (
          <ul className={tickets.isPlaceholderData ? 'list portal-tickets is-stale' : 'list portal-tickets'} aria-busy={tickets.isFetching || undefined}>
            {tickets.data.data.map((ticket) => (
              <li key={ticket.id} className="list-row" data-id={ticket.id}>
                <div className="list-main">
                  <Link to={`/portal/${ticket.id}`} className="list-title portal-subject">
                    {ticket.subject}
                  </Link>
                  <span className="muted">
                    <span className="visually-hidden">{t('portal.list.number')} </span>
                    {ticket.ticket_number} · {t('portal.list.updated')} <RelativeTime iso={ticket.updated_at} now={now} />
                  </span>
                </div>
                <StatusPill status={ticket.status} />
              </li>
            ))}
          </ul>
        )}
        {page > 1 || hasNext ? (
          <nav className="actions portal-pager" aria-label={t('portal.list.pages')}>
            <button type="button" className="btn" disabled={page <= 1} onClick={() => setParams(page - 1 > 1 ? { page: String(page - 1) } : {})}>
              {t('portal.list.previous')}
            </button>
            <span className="muted">{pages ? t('portal.list.pageOf', { page, pages }) : null}</span>
            <button type="button" className="btn" disabled={!hasNext} onClick={() => setParams({ page: String(page + 1) })}>
              {t('portal.list.next')}
            </button>
          </nav>
        ) : null}
      </section>
    </div>
  )
}

function CreatedNotice() {
  const { t } = useTranslation()
  const created = (useLocation().state as CreatedState | null)?.created
  return created ? <Alert tone="success">{t('portal.list.created', { number: created })}</Alert> : null
}
