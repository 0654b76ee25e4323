import { useTranslation } from 'react-i18next'
import { Navigate, NavLink, Outlet, useLocation } from 'react-router'
import { useMe } from '../../api/queries'
import { ForbiddenPage } from '../../app/RouteError'
import { Loading } from '../../ui/Spinner'
import { allowedSections, SETTINGS_SECTIONS } from './sections'

/**
 * Admin settings: a menu of the sections the user's role opens, then the section. A section the
 * role does not open answers "not allowed" (the server refuses its API calls anyway).
 */
export function SettingsLayout() {
  const { t } = useTranslation()
  const me = useMe()
  const { pathname } = useLocation()
  if (!me.data) return <Loading />
  const sections = allowedSections(me.data.role.permissions)
  const rest = pathname.replace(/^\/settings\/?/, '')
  const first = sections[0]
  if (!rest) return first ? <Navigate to={first.path} replace /> : <ForbiddenPage />
  const current = SETTINGS_SECTIONS.find((section) => rest === section.path || rest.startsWith(`${section.path}/`))
  const allowed = !current || sections.some((section) => section.key === current.key)

  return (
    <div className="settings-shell">
      <nav className="settings-menu" aria-label={t('settings.menuLabel')}>
        <ul>
          {sections.map((section) => (
            <li key={section.key}>
              <NavLink to={section.path}>{t(`settings.sections.${section.key}`)}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="settings-content">{allowed ? <Outlet /> : <ForbiddenPage />}</div>
    </div>
  )
}
