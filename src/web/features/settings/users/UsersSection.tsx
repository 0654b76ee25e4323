import { useTranslation } from 'react-i18next'
import { Link, Route, Routes, useLocation } from 'react-router'
import { NotFoundPage } from '../../../app/RouteError'
import { useCan } from '../../../app/permissions'
import { InvitationsPage } from './InvitationsPage'
import { PeoplePage } from './PeoplePage'
import { NewUserPage, EditUserPage } from './UserFormPages'
import './styles.css'

const BASE = '/settings/users'

/**
 * Settings → Users (/settings/users/*): the people of the organization (list, add, edit,
 * deactivate) and, for roles that may invite, the invitations tab.
 */
export function UsersSection() {
  const { t } = useTranslation()
  const { pathname } = useLocation()
  const canInvite = useCan('invitations:manage')
  const onInvitations = pathname.replace(/\/+$/, '').startsWith(`${BASE}/invitations`)
  const exact = pathname.replace(/\/+$/, '')
  const tabs = [
    { key: 'people', to: BASE, current: !onInvitations, label: t('adminPeople.users.tabPeople') },
    ...(canInvite ? [{ key: 'invitations', to: `${BASE}/invitations`, current: onInvitations, label: t('adminPeople.users.tabInvitations') }] : []),
  ]

  return (
    <div className="settings users-settings">
      <h1 className="page-title">{t('adminPeople.users.title')}</h1>
      {tabs.length > 1 ? (
        <nav className="tabs" aria-label={t('adminPeople.users.tabsLabel')}>
          <ul>
            {tabs.map((tab) => (
              <li key={tab.key}>
                {/* "page" on the tab's own page; "true" on a page inside it (a person's form). */}
                <Link to={tab.to} aria-current={tab.current ? (exact === tab.to ? 'page' : 'true') : undefined}>
                  {tab.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <Routes>
        <Route index element={<PeoplePage />} />
        <Route path="new" element={<NewUserPage />} />
        <Route path="invitations" element={canInvite === false ? <NotFoundPage /> : <InvitationsPage />} />
        <Route path=":id" element={<EditUserPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </div>
  )
}
