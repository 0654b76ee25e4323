import { useId } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { Loading } from '../../ui/Spinner'
import { useContact, useContactTickets, type TicketDetail } from './api'
import { StatusPill } from './bits'

/** Who asked: their contact details and their other tickets. */
export function RequesterCard({ ticket }: { ticket: TicketDetail }) {
  const { t } = useTranslation()
  const id = useId()
  const requester = ticket.requester
  // The contact adds phone, company and VIP; without contacts:read the ticket's own facts do.
  const contact = useContact(requester?.id)
  const others = useContactTickets(requester?.id)
  const otherTickets = (others.data ?? []).filter((other) => other.id !== ticket.id).slice(0, 5)
  const company = contact.data?.company ?? ticket.company

  return (
    <aside className="card requester-card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{t('tickets.requester.heading')}</h2>
      {!requester ? (
        <p className="muted">{t('tickets.requester.none')}</p>
      ) : (
        <>
          <p className="requester-name">
            <span className="avatar" aria-hidden="true">
              {requester.name.trim().charAt(0).toUpperCase() || '?'}
            </span>
            <strong>{requester.name}</strong>
            {contact.data?.is_vip ? <span className="badge">{t('tickets.requester.vip')}</span> : null}
          </p>
          <dl className="facts requester-facts">
            {requester.email ? (
              <div>
                <dt>{t('common.email')}</dt>
                <dd>
                  <a href={`mailto:${requester.email}`}>{requester.email}</a>
                </dd>
              </div>
            ) : null}
            {company ? (
              <div>
                <dt>{t('tickets.requester.company')}</dt>
                <dd>{company.name}</dd>
              </div>
            ) : null}
            {contact.data?.phones.map((phone) => (
              <div key={`${phone.type}-${phone.number}`}>
                <dt>{t('tickets.requester.phone')}</dt>
                <dd>
                  <a href={`tel:${phone.number.replace(/[^\d+]/g, '')}`}>{phone.number}</a>
                </dd>
              </div>
            ))}
            {contact.data?.time_zone ? (
              <div>
                <dt>{t('tickets.requester.timeZone')}</dt>
                <dd>{contact.data.time_zone}</dd>
              </div>
            ) : null}
          </dl>

          <h3>{t('tickets.requester.otherTickets')}</h3>
          {others.isPending ? (
            <Loading />
          ) : others.isError ? (
            <p className="muted">{t('tickets.requester.otherFailed')}</p>
          ) : otherTickets.length === 0 ? (
            <p className="muted">{t('tickets.requester.noOther')}</p>
          ) : (
            <ul className="other-tickets">
              {otherTickets.map((other) => (
                <li key={other.id}>
                  <Link to={`/tickets/${other.id}`}>
                    <span className="ticket-title-number">{other.ticket_number}</span> {other.subject}
                  </Link>
                  <StatusPill status={other.status} />
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </aside>
  )
}
