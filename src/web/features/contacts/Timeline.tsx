import { useId, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { Loading } from '../../ui/Spinner'
import { RelativeTime } from '../tickets/bits'
import { useNotes, useOwnerTickets, type Owner } from './api'

interface Event {
  at: string
  key: string
  text: ReactNode
}

/**
 * What happened with a contact or company, newest first: its newest tickets opened, resolved and
 * closed, the notes written about it, and when it was added — read from the tickets and notes APIs.
 */
export function Timeline({ owner, createdAt, showTickets }: { owner: Owner; createdAt: string; showTickets: boolean }) {
  const { t } = useTranslation()
  const headingId = useId()
  const tickets = useOwnerTickets(owner, 1, showTickets)
  const notes = useNotes(owner)

  const events: Event[] = [{ at: createdAt, key: 'created', text: owner.kind === 'contacts' ? t('crm.timeline.contactAdded') : t('crm.timeline.companyAdded') }]
  for (const ticket of tickets.data?.data ?? []) {
    const link = (
      <Link to={`/tickets/${ticket.id}`}>
        {ticket.ticket_number} {ticket.subject}
      </Link>
    )
    events.push({ at: ticket.created_at, key: `${ticket.id}-opened`, text: <>{t('crm.timeline.opened')} {link}</> })
    if (ticket.resolved_at) events.push({ at: ticket.resolved_at, key: `${ticket.id}-resolved`, text: <>{t('crm.timeline.resolved')} {link}</> })
    if (ticket.closed_at) events.push({ at: ticket.closed_at, key: `${ticket.id}-closed`, text: <>{t('crm.timeline.closed')} {link}</> })
  }
  for (const note of notes.data?.data ?? []) {
    const excerpt = note.body.length > 80 ? `${note.body.slice(0, 80)}…` : note.body
    events.push({
      at: note.created_at,
      key: `${note.id}-note`,
      text: (
        <>
          {t('crm.timeline.note', { author: note.author?.name ?? t('crm.notes.unknownAuthor') })} <q>{excerpt}</q>
        </>
      ),
    })
  }
  events.sort((a, b) => Date.parse(b.at) - Date.parse(a.at))

  return (
    <section className="card crm-timeline" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('crm.timeline.heading')}</h2>
      {(showTickets && tickets.isPending) || notes.isPending ? (
        <Loading />
      ) : (
        <ol className="crm-events">
          {events.map((event) => (
            <li key={event.key}>
              <RelativeTime iso={event.at} />
              <span>{event.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}
