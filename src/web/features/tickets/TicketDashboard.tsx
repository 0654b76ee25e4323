import { useQuery } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { Loading } from '../../ui/Spinner'
import { defaultViewKind, viewsQuery, type DefaultView, type SavedView } from './shared'
import { LoadError } from '../../ui/LoadError'

const CARDS = ['mine', 'unassigned', 'overdue'] as const satisfies readonly DefaultView[]

/**
 * The staff home page's ticket counts — my open, unassigned, overdue — each a link to that list.
 * They are the built-in saved views' live counts (one request), kept fresh by the realtime bridge.
 */
export function TicketDashboard() {
  const { t } = useTranslation()
  const views = useQuery(viewsQuery)

  const found = new Map<DefaultView, SavedView>()
  for (const view of views.data ?? []) {
    const kind = defaultViewKind(view)
    if (kind && !found.has(kind)) found.set(kind, view)
  }

  return (
    <section className="dashboard" aria-labelledby="dashboard-heading">
      <div className="section-header">
        <h2 id="dashboard-heading">{t('tickets.dashboard.heading')}</h2>
        <Link to="/tickets">{t('tickets.dashboard.all')}</Link>
      </div>
      {views.isPending ? (
        <Loading />
      ) : views.isError ? (
        <LoadError error={views.error} onRetry={() => void views.refetch()} />
      ) : (
        <ul className="stat-cards">
          {CARDS.map((kind) => {
            const view = found.get(kind)
            const count = view?.count
            return (
              <li key={kind}>
                <Link
                  className={`stat-card stat-${kind}`}
                  to={view ? `/tickets?view=${encodeURIComponent(view.id)}` : '/tickets'}
                >
                  <span className="stat-count">{count ?? '–'}</span>
                  <span className="stat-label">{t(`tickets.dashboard.${kind}`)}</span>
                </Link>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
