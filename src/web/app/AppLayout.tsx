import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, NavLink, Outlet } from 'react-router'
import { useMe } from '../api/queries'
import { NotificationBell } from '../features/notifications/NotificationBell'
import { RealtimeBridge } from '../features/tickets/RealtimeBridge'
import { allowedSections } from '../features/settings/sections'
import { PERMISSIONS, useCan, useIsAgent, useIsCustomer } from './permissions'
import { applyPreferences } from './preferences'
import { useSession } from './session'

function isSafeImageUrl(url: string | null | undefined): url is string {
  return !!url && (/^https?:\/\//i.test(url) || (url.startsWith('/') && !url.startsWith('//')))
}

/** The signed-in frame: header with organization and account, then the page. */
export function AppLayout() {
  const { t } = useTranslation()
  const { signOut } = useSession()
  const me = useMe()
  const canReadContacts = useCan(PERMISSIONS.readContacts)
  const isAgent = useIsAgent()
  const isCustomer = useIsCustomer()
  const [signingOut, setSigningOut] = useState(false)

  useEffect(() => {
    if (me.data) applyPreferences(me.data)
  }, [me.data])

  const organization = me.data?.organization
  const hasSettings = !!me.data && allowedSections(me.data.role.permissions).length > 0
  const logo = organization?.branding?.logo_url

  const onSignOut = async () => {
    setSigningOut(true)
    try {
      await signOut()
    } finally {
      setSigningOut(false)
    }
  }

  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <Link to="/" className="brand">
            {isSafeImageUrl(logo) ? (
              <img src={logo} alt="" width={32} height={32} className="brand-logo" />
            ) : (
              <img src="/favicon.svg" alt="" width={32} height={32} />
            )}
            <span>{organization?.name ?? t('app.name')}</span>
          </Link>
          <nav className="app-nav" aria-label={t('nav.label')}>
            <ul>
              <li>
                <NavLink to="/" end>
                  {t('nav.home')}
                </NavLink>
              </li>
              {isAgent ? (
                <li>
                  <NavLink to="/tickets">{t('nav.tickets')}</NavLink>
                </li>
              ) : null}
              {isCustomer ? (
                <li>
                  <NavLink to="/portal">{t('nav.myTickets')}</NavLink>
                </li>
              ) : null}
              {isAgent && canReadContacts ? (
                <>
                  <li>
                    <NavLink to="/contacts">{t('nav.contacts')}</NavLink>
                  </li>
                  <li>
                    <NavLink to="/companies">{t('nav.companies')}</NavLink>
                  </li>
                </>
              ) : null}
              {hasSettings ? (
                <li>
                  <NavLink to="/settings">{t('nav.settings')}</NavLink>
                </li>
              ) : null}
            </ul>
          </nav>
          <div className="header-account">
            {isAgent && me.data ? <NotificationBell /> : null}
            {me.data ? <span className="header-user">{me.data.user.name}</span> : null}
            <button type="button" className="btn" onClick={onSignOut} disabled={signingOut}>
              {signingOut ? t('home.signingOut') : t('home.signOut')}
            </button>
          </div>
        </div>
      </header>
      <main className="app-main" id="main" tabIndex={-1}>
        <Outlet />
      </main>
      {/* Live ticket updates (staff: the tickets they work; customers: their own requests), for as long as they are signed in to this organization. */}
      {(isAgent || isCustomer) && me.data ? <RealtimeBridge identity={`${me.data.user.id}:${me.data.organization.id}`} /> : null}
    </>
  )
}
