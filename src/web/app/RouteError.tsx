import { useTranslation } from 'react-i18next'
import { Link, useRouteError } from 'react-router'
import { useDocumentTitle } from '../ui/useDocumentTitle'

/** Shown when rendering a route throws: a message and a way out, never a blank page. */
export function RouteError() {
  const { t } = useTranslation()
  const error = useRouteError()
  useDocumentTitle(t('routeError.title'))
  if (import.meta.env.DEV) console.error(error)
  return (
    <main className="auth-shell" id="main">
      <section className="card auth-card">
        <h1>{t('routeError.title')}</h1>
        <p>{t('routeError.body')}</p>
        <button type="button" className="btn btn-primary" onClick={() => window.location.reload()}>
          {t('routeError.reload')}
        </button>
      </section>
    </main>
  )
}

export function NotFoundPage() {
  const { t } = useTranslation()
  useDocumentTitle(t('notFound.title'))
  return (
    <>
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </>
  )
}

/** For a page the signed-in user's role does not allow (the server would refuse its data too). */
export function ForbiddenPage() {
  const { t } = useTranslation()
  useDocumentTitle(t('forbidden.title'))
  return (
    <>
      <h1>{t('forbidden.title')}</h1>
      <p>{t('forbidden.body')}</p>
      <p>
        <Link to="/">{t('forbidden.home')}</Link>
      </p>
    </>
  )
}
