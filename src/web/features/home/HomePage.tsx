import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { useMe } from '../../api/queries'
import { useIsAgent, useIsCustomer } from '../../app/permissions'
import { formatDateTime } from '../../ui/format'
import { Loading } from '../../ui/Spinner'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { RecentActivity } from '../tickets/RecentActivity'
import { TicketDashboard } from '../tickets/TicketDashboard'
import { OrganizationSwitcher } from './OrganizationSwitcher'
import { ProfileCard } from './ProfileCard'
import { SessionsCard } from './SessionsCard'
import { TwoFactorCard } from './TwoFactorCard'
import { LoadError } from '../../ui/LoadError'

/**
 * The signed-in landing page: for staff their ticket counts and recent activity; who you are (and
 * your profile to edit), where you are, and your account's security.
 */
export function HomePage() {
  const { t, i18n } = useTranslation()
  const me = useMe()
  const isAgent = useIsAgent()
  const isCustomer = useIsCustomer()
  useDocumentTitle(t('home.title'))

  if (me.isPending) return <Loading />
  if (me.isError) {
    return (
      <LoadError error={me.error} onRetry={() => void me.refetch()} />
    )
  }

  const { user, organization, role, organizations } = me.data
  const timeZone = user.time_zone ?? organization.time_zone

  return (
    <div className="home">
      <h1 className="page-title">{t('home.welcome', { name: user.name })}</h1>
      {isAgent ? <TicketDashboard /> : null}
      {isCustomer ? (
        <section className="card card-wide portal-home" aria-labelledby="portal-home-heading">
          <h2 id="portal-home-heading">{t('portal.home.heading')}</h2>
          <p className="muted">{t('portal.home.intro')}</p>
          <div className="actions">
            <Link to="/portal" className="btn btn-primary">
              {t('portal.home.myTickets')}
            </Link>
            <Link to="/portal/new" className="btn">
              {t('portal.home.newRequest')}
            </Link>
          </div>
        </section>
      ) : null}
      <div className="grid">
        {isAgent ? <RecentActivity /> : null}
        <section className="card" aria-labelledby="you-heading">
          <h2 id="you-heading">{t('home.you.heading')}</h2>
          <dl className="facts">
            <div>
              <dt>{t('home.you.name')}</dt>
              <dd>{user.name}</dd>
            </div>
            <div>
              <dt>{t('common.email')}</dt>
              <dd>{user.email}</dd>
            </div>
            <div>
              <dt>{t('home.you.role')}</dt>
              <dd>{role.name}</dd>
            </div>
            {user.last_login_at ? (
              <div>
                <dt>{t('home.you.lastLogin')}</dt>
                <dd>{formatDateTime(user.last_login_at, i18n.language, timeZone)}</dd>
              </div>
            ) : null}
          </dl>
        </section>

        <section className="card" aria-labelledby="org-heading">
          <h2 id="org-heading">{t('home.organization.heading')}</h2>
          <dl className="facts">
            <div>
              <dt>{t('home.organization.name')}</dt>
              <dd>{organization.name}</dd>
            </div>
            <div>
              <dt>{t('home.organization.slug')}</dt>
              <dd>
                <code>{organization.slug}</code>
              </dd>
            </div>
            <div>
              <dt>{t('home.organization.timeZone')}</dt>
              <dd>{organization.time_zone}</dd>
            </div>
            <div>
              <dt>{t('home.organization.ticketPrefix')}</dt>
              <dd>
                <code>{organization.ticket_prefix}</code>
              </dd>
            </div>
          </dl>
        </section>

        <ProfileCard me={me.data} />
        <OrganizationSwitcher current={organization.id} organizations={organizations} />
        <TwoFactorCard enabled={user.two_factor_enabled} />
        <SessionsCard timeZone={timeZone} />
      </div>
    </div>
  )
}
