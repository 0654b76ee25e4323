import { useTranslation } from 'react-i18next'
import { Link, Navigate, Outlet, useLocation } from 'react-router'
import { useMe } from '../api/queries'
import { Loading } from '../ui/Spinner'
import { useCan, useIsAgent, useIsCustomer } from './permissions'
import { ForbiddenPage } from './RouteError'
import { useSession } from './session'
import { LoadError } from '../ui/LoadError'

export interface FromState {
  from?: string
}

function Offline() {
  const { t } = useTranslation()
  const { retry } = useSession()
  return (
    <main className="auth-shell" id="main">
      <section className="card auth-card">
        <h1>{t('offline.title')}</h1>
        <p>{t('offline.body')}</p>
        <button type="button" className="btn btn-primary" onClick={retry}>
          {t('common.tryAgain')}
        </button>
      </section>
    </main>
  )
}

/** Signed-in area: waits for the start-up refresh, sends anonymous visitors to /login. */
export function RequireSession() {
  const { status } = useSession()
  const location = useLocation()
  if (status === 'loading') return <Loading fullPage />
  if (status === 'offline') return <Offline />
  if (status === 'anonymous') {
    const from = location.pathname + location.search
    return <Navigate to="/login" replace state={{ from: from === '/' ? undefined : from } satisfies FromState} />
  }
  return <Outlet />
}

/** Sign-in and sign-up: a signed-in visitor goes straight to the app. */
export function GuestOnly() {
  const { status } = useSession()
  const location = useLocation()
  if (status === 'loading') return <Loading fullPage />
  if (status === 'authenticated') {
    const from = (location.state as FromState | null)?.from
    return <Navigate to={from && from.startsWith('/') && !from.startsWith('//') ? from : '/'} replace />
  }
  return <Outlet />
}

/** The centred card used by every signed-out page. */
export function AuthLayout() {
  const { t } = useTranslation()
  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <main className="auth-shell" id="main" tabIndex={-1}>
        <Link to="/" className="brand auth-brand">
          <img src="/favicon.svg" alt="" width={32} height={32} />
          <span>{t('app.name')}</span>
        </Link>
        <section className="card auth-card">
          <Outlet />
        </section>
      </main>
    </>
  )
}

/**
 * A part of the app for roles with `permission` (and, with `staff`, only for staff roles: the
 * agent workspace): others get the not-allowed page.
 */
export function RequirePermission({ permission, staff = false }: { permission: string; staff?: boolean }) {
  const me = useMe()
  const can = useCan(permission)
  const agent = useIsAgent()
  const allowed = can === undefined || (staff && agent === undefined) ? undefined : can && (!staff || agent === true)
  if (me.isError && !me.data) {
    // Not knowing the role is not the same as not having it.
    return (
      <LoadError error={me.error} onRetry={() => void me.refetch()} />
    )
  }
  if (allowed === undefined) return <Loading />
  return allowed ? <Outlet /> : <ForbiddenPage />
}

/** The customer portal: customers only (staff have the workspace); others get the not-allowed page. */
export function RequireCustomer() {
  const me = useMe()
  const customer = useIsCustomer()
  if (me.isError && !me.data) {
    return (
      <LoadError error={me.error} onRetry={() => void me.refetch()} />
    )
  }
  if (customer === undefined) return <Loading />
  return customer ? <Outlet /> : <ForbiddenPage />
}
