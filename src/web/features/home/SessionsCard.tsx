import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useTranslation } from 'react-i18next'
import { authApi } from '../../api/auth'
import { queryKeys, useSessions } from '../../api/queries'
import type { Session } from '../../api/types'
import { useSession } from '../../app/session'
import { Alert } from '../../ui/Alert'
import { errorMessage } from '../../ui/errorMessage'
import { describeUserAgent, formatDateTime } from '../../ui/format'
import { Loading } from '../../ui/Spinner'

export function SessionsCard({ timeZone }: { timeZone: string | null }) {
  const { t, i18n } = useTranslation()
  const sessions = useSessions()
  const queryClient = useQueryClient()
  const { signOut } = useSession()

  const revoke = useMutation({
    mutationFn: async (session: Session) => {
      // Ending the session you are using is signing out.
      if (session.current) return signOut()
      await authApi.revokeSession(session.id)
    },
    onSuccess: (_result, session) => {
      if (!session.current) void queryClient.invalidateQueries({ queryKey: queryKeys.sessions })
    },
  })

  const date = (iso: string | null) => formatDateTime(iso, i18n.language, timeZone)

  return (
    <section className="card card-wide" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">{t('home.sessions.heading')}</h2>
      <p className="muted">{t('home.sessions.intro')}</p>
      {revoke.isError ? <Alert>{errorMessage(revoke.error, t)}</Alert> : null}
      {sessions.isPending ? (
        <Loading />
      ) : sessions.isError ? (
        <Alert>{errorMessage(sessions.error, t)}</Alert>
      ) : sessions.data.length === 0 ? (
        <p>{t('home.sessions.none')}</p>
      ) : (
        <ul className="list">
          {sessions.data.map((session) => {
            const device = describeUserAgent(session.user_agent) ?? t('home.sessions.unknownDevice')
            return (
              <li key={session.id} className="list-row">
                <div className="list-main">
                  <span className="list-title">
                    {device}
                    {session.current ? <span className="badge">{t('home.sessions.thisDevice')}</span> : null}
                  </span>
                  <span className="muted">
                    {[
                      session.ip ? t('home.sessions.ip', { ip: session.ip }) : null,
                      t('home.sessions.created', { date: date(session.created_at) }),
                      session.last_used_at ? t('home.sessions.lastUsed', { date: date(session.last_used_at) }) : null,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </span>
                </div>
                <button
                  type="button"
                  className="btn btn-danger"
                  disabled={revoke.isPending}
                  onClick={() => revoke.mutate(session)}
                  aria-label={
                    session.current
                      ? t('home.sessions.signOutCurrentLabel')
                      : t('home.sessions.signOutSessionLabel', { device })
                  }
                >
                  {revoke.isPending && revoke.variables?.id === session.id
                    ? t('home.sessions.signingOut')
                    : t('home.sessions.signOutSession')}
                </button>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
