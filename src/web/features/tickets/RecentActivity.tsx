import { useQuery } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { LoadError } from '../../ui/LoadError'
import { RelativeTime } from '../../ui/RelativeTime'
import { Loading } from '../../ui/Spinner'
import { activitySentence, TICKET_MARK } from './activityText'
import { useNow } from './bits'
import { activityQuery, type ActivityItem } from './shared'

/** The sentence with the ticket's link where the translation put it. */
function Sentence({ item }: { item: ActivityItem }) {
  const { t, i18n } = useTranslation()
  const to = `/tickets/${encodeURIComponent(item.ticket.id)}${item.kind === 'comment' ? `#comment-${item.comment.id}` : ''}`
  const parts = activitySentence(item, t, i18n.language).split(TICKET_MARK)
  const out: ReactNode[] = []
  parts.forEach((part, index) => {
    if (index > 0) {
      out.push(
        <Link key={index} to={to} className="activity-ticket">
          {item.ticket.ticket_number} {item.ticket.subject}
        </Link>,
      )
    }
    out.push(part)
  })
  return <p className="activity-text">{out}</p>
}

/**
 * The staff home page's recent activity: the latest changes and replies on the tickets I may see,
 * each a sentence linking to its ticket. The realtime bridge refreshes it like the ticket lists
 * (its key is a list kind), so it updates while it is on screen.
 */
export function RecentActivity() {
  const { t } = useTranslation()
  const activity = useQuery(activityQuery())
  const now = useNow()

  return (
    <section className="card card-wide activity" aria-labelledby="activity-heading">
      <h2 id="activity-heading">{t('activity.heading')}</h2>
      {activity.isPending ? (
        <Loading />
      ) : activity.isError ? (
        <LoadError error={activity.error} onRetry={() => void activity.refetch()} />
      ) : activity.data.length === 0 ? (
        <p className="muted">{t('activity.empty')}</p>
      ) : (
        <ol className="activity-list">
          {activity.data.map((item) => {
            const internal = item.kind === 'comment' && item.comment.is_internal
            return (
              <li key={`${item.kind}-${item.id}`} className={internal ? 'activity-item activity-internal' : 'activity-item'}>
                <div className="activity-main">
                  <Sentence item={item} />
                  {item.kind === 'comment' && item.comment.excerpt ? (
                    <p className="activity-excerpt">
                      {internal ? <span className="note-label">{t('activity.internal')}</span> : null} {item.comment.excerpt}
                    </p>
                  ) : null}
                </div>
                <RelativeTime iso={item.at} now={now} />
              </li>
            )
          })}
        </ol>
      )}
    </section>
  )
}
