import { useQueryClient } from '@tanstack/react-query'
import { useId, useRef, useState, type KeyboardEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation, useParams } from 'react-router'
import { Alert } from '../../ui/Alert'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { useTicket, type TicketDetail } from './api'
import { PriorityLabel } from './bits'
import { Conversation, HistoryList } from './Conversation'
import { PropertiesPanel } from './PropertiesPanel'
import { RelationsCard } from './RelationsCard'
import { ReplyEditor } from './ReplyEditor'
import { RequesterCard } from './RequesterCard'
import { TicketFrame } from './TicketFrame'
import { formatNames } from './text'
import { usePresence, type Viewer } from './usePresence'

/** Where the list sends the agent from, so "back" keeps its view, filters and page. */
export interface FromList {
  fromList?: string
}

type Tab = 'conversation' | 'history'
const TABS: Tab[] = ['conversation', 'history']

/** One ticket: properties, the conversation and its history, the requester, and a reply. */
export function TicketPage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const location = useLocation()
  const ticket = useTicket(id)
  const presence = usePresence(id)
  const fromList = (location.state as FromList | null)?.fromList
  const back = fromList?.startsWith('?') ? `/tickets${fromList}` : '/tickets'
  useDocumentTitle(ticket.data ? `${ticket.data.ticket_number} ${ticket.data.subject}` : t('tickets.title'))

  return (
    <TicketFrame
      ticket={ticket}
      className="ticket-page"
      back={back}
      backLabel={t('tickets.ticket.back')}
      notFound={t('tickets.ticket.notFound')}
      badges={(data) => (
        <>
          <PriorityLabel priority={data.priority} />
          {data.is_overdue ? <span className="badge badge-warn">{t('tickets.table.overdue')}</span> : null}
        </>
      )}
    >
      {(data) => (
        <>
          <PresenceBanner viewers={presence.viewers} />
          {data.merged_into_id ? (
            <Alert tone="info">
              <p>
                {t('tickets.ticket.merged')} <Link to={`/tickets/${data.merged_into_id}`}>{t('tickets.ticket.mergedLink')}</Link>
              </p>
            </Alert>
          ) : null}
          <div className="ticket-layout">
            <PropertiesPanel ticket={data} />
            <Activity ticket={data} onTyped={presence.typed} onStoppedTyping={presence.stoppedTyping} />
            <div className="ticket-side">
              <RequesterCard ticket={data} />
              <RelationsCard ticket={data} />
            </div>
          </div>
        </>
      )}
    </TicketFrame>
  )
}

/** Who else is here: "Ada is viewing this ticket", "Sam is replying…" (announced politely). */
function PresenceBanner({ viewers }: { viewers: Viewer[] }) {
  const { t, i18n } = useTranslation()
  const typing = viewers.filter((v) => v.state === 'typing').map((v) => v.name)
  const viewing = viewers.filter((v) => v.state === 'viewing').map((v) => v.name)
  return (
    <div className="presence" role="status">
      {typing.length > 0 ? (
        <p className="presence-line presence-typing">
          <span className="presence-icon" aria-hidden="true">
            ✎
          </span>
          {t('tickets.presence.typing', { count: typing.length, names: formatNames(typing, i18n.language) })}
        </p>
      ) : null}
      {viewing.length > 0 ? (
        <p className="presence-line">
          <span className="presence-icon" aria-hidden="true">
            ●
          </span>
          {t('tickets.presence.viewing', { count: viewing.length, names: formatNames(viewing, i18n.language) })}
        </p>
      ) : null}
    </div>
  )
}

interface ActivityProps {
  ticket: TicketDetail
  onTyped: () => void
  onStoppedTyping: () => void
}

/** The conversation (with the reply editor) and the history, as two tabs. */
function Activity({ ticket, onTyped, onStoppedTyping }: ActivityProps) {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const [tab, setTab] = useState<Tab>('conversation')
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({ conversation: null, history: null })
  const id = useId()

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    const index = TABS.indexOf(tab)
    const next =
      event.key === 'ArrowRight'
        ? TABS[(index + 1) % TABS.length]
        : event.key === 'ArrowLeft'
          ? TABS[(index - 1 + TABS.length) % TABS.length]
          : event.key === 'Home'
            ? TABS[0]
            : event.key === 'End'
              ? TABS[TABS.length - 1]
              : undefined
    if (!next) return
    event.preventDefault()
    setTab(next)
    tabRefs.current[next]?.focus()
  }

  return (
    <section className="ticket-activity" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`} className="visually-hidden">
        {t('tickets.ticket.tabs.label')}
      </h2>
      <div className="tab-list" role="tablist" aria-label={t('tickets.ticket.tabs.label')}>
        {TABS.map((key) => (
          <button
            key={key}
            ref={(el) => {
              tabRefs.current[key] = el
            }}
            type="button"
            role="tab"
            id={`${id}-tab-${key}`}
            aria-selected={tab === key}
            aria-controls={`${id}-panel-${key}`}
            tabIndex={tab === key ? 0 : -1}
            onClick={() => setTab(key)}
            onKeyDown={onKeyDown}
          >
            {t(`tickets.ticket.tabs.${key}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel-${tab}`} aria-labelledby={`${id}-tab-${tab}`} className="tab-panel">
        {tab === 'conversation' ? (
          <>
            <Conversation ticket={ticket} />
            <ReplyEditor
              ticket={ticket}
              onTyped={onTyped}
              onStoppedTyping={onStoppedTyping}
              onSent={() => {
                void queryClient.invalidateQueries({
                  predicate: (query) => {
                    const [root, kind, ticketId] = query.queryKey
                    return root === 'tickets' && (ticketId === ticket.id || kind === 'list' || kind === 'search' || kind === 'views')
                  },
                })
              }}
            />
          </>
        ) : (
          <HistoryList ticketId={ticket.id} />
        )}
      </div>
    </section>
  )
}
