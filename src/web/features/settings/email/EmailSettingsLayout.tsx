import { useTranslation } from 'react-i18next'
import { Link, Outlet, useLocation } from 'react-router'

type Section = 'mailboxes' | 'unrouted' | 'templates'

const BASE = '/settings/email'
const SECTIONS: { key: Section; to: string }[] = [
  { key: 'mailboxes', to: BASE },
  { key: 'unrouted', to: `${BASE}/unrouted` },
  { key: 'templates', to: `${BASE}/templates` },
]

function sectionOf(pathname: string): Section {
  const rest = pathname.replace(/\/+$/, '').slice(BASE.length)
  if (rest.startsWith('/unrouted')) return 'unrouted'
  if (rest.startsWith('/templates')) return 'templates'
  return 'mailboxes' // the list, /new and /:id
}

/** Email settings: the page title and the links between its three parts. */
export function EmailSettingsLayout() {
  const { t } = useTranslation()
  const { pathname } = useLocation()
  const current = sectionOf(pathname)
  const exact = pathname.replace(/\/+$/, '')

  return (
    <div className="settings">
      <h1 className="page-title">{t('email.title')}</h1>
      <nav className="tabs" aria-label={t('email.sections.label')}>
        <ul>
          {SECTIONS.map((section) => (
            <li key={section.key}>
              <Link
                to={section.to}
                // "page" on the section's own page; "true" on a page inside it (a mailbox's form).
                aria-current={current === section.key ? (exact === section.to ? 'page' : 'true') : undefined}
              >
                {t(`email.sections.${section.key}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </div>
  )
}
