import { useId } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation } from 'react-router'
import type { SearchHit, Ticket } from './api'
import type { FromList } from './TicketPage'
import { PriorityLabel, RelativeTime, StatusPill, useNow } from './bits'
import { highlighted, priorityLabel, statusLabel } from './text'

interface TicketTableProps {
  caption: string
  rows: (Ticket | SearchHit)[]
  selected: ReadonlySet<string>
  /** The rows are the previous list's while the next one loads. */
  busy: boolean
  onToggle: (id: string) => void
  onToggleAll: (all: boolean) => void
}

const isHit = (row: Ticket | SearchHit): row is SearchHit => 'highlight' in row

/**
 * The tickets as a table: a checkbox, the subject (a link: j/k move between them, Enter opens),
 * and the facts an agent scans for. On a phone the facts fold into a line under the subject.
 */
export function TicketTable({ caption, rows, selected, busy, onToggle, onToggleAll }: TicketTableProps) {
  const { t } = useTranslation()
  const captionId = useId()
  const now = useNow()
  const { search } = useLocation()
  const all = rows.length > 0 && rows.every((row) => selected.has(row.id))
  const some = rows.some((row) => selected.has(row.id))

  return (
    <div className="table-wrap ticket-table-wrap" aria-busy={busy || undefined}>
      <table className="table ticket-table" aria-labelledby={captionId}>
        <caption id={captionId} className="visually-hidden">
          {caption}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="col-check">
              <input
                type="checkbox"
                checked={all}
                ref={(input) => {
                  if (input) input.indeterminate = some && !all
                }}
                onChange={(e) => onToggleAll(e.target.checked)}
                aria-label={t('tickets.table.selectAll')}
              />
            </th>
            <th scope="col" className="col-wide">
              {t('tickets.table.number')}
            </th>
            <th scope="col">{t('tickets.table.subject')}</th>
            <th scope="col" className="col-wide">
              {t('tickets.table.requester')}
            </th>
            <th scope="col" className="col-wide">
              {t('tickets.table.status')}
            </th>
            <th scope="col" className="col-wide">
              {t('tickets.table.priority')}
            </th>
            <th scope="col" className="col-wide">
              {t('tickets.table.assignee')}
            </th>
            <th scope="col" className="col-wide">
              {t('tickets.table.updated')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const checked = selected.has(row.id)
            const hit = isHit(row) ? row.highlight : null
            return (
              <tr key={row.id} data-id={row.id} className={checked ? 'is-selected' : undefined}>
                <td className="col-check">
                  <input
                    type="checkbox"
                    checked={checked}
                    onChange={() => onToggle(row.id)}
                    aria-label={t('tickets.table.selectRow', { number: row.ticket_number, subject: row.subject })}
                  />
                </td>
                <td className="col-wide ticket-number">{row.ticket_number}</td>
                <td className="col-subject">
                  <Link to={`/tickets/${row.id}`} state={{ fromList: search } satisfies FromList} className="ticket-link">
                    {hit ? highlighted(hit.subject) : row.subject || t('tickets.table.noSubject')}
                  </Link>
                  {row.is_overdue ? <span className="badge badge-warn">{t('tickets.table.overdue')}</span> : null}
                  {hit?.excerpt ? (
                    <span className="cell-sub search-excerpt">
                      <span className="search-where">
                        {hit.matched_in === 'comment' ? t('tickets.search.inComment') : t('tickets.search.inTicket')}:
                      </span>{' '}
                      {highlighted(hit.excerpt)}
                    </span>
                  ) : null}
                  {/* The other columns, in one line, for narrow screens (where they are hidden). */}
                  <span className="cell-sub ticket-row-meta">
                    {[
                      row.ticket_number,
                      row.requester?.name ?? t('tickets.table.noRequester'),
                      statusLabel(row.status, t),
                      priorityLabel(row.priority, t),
                      row.assignee?.name ?? t('tickets.table.unassigned'),
                    ].join(' · ')}
                    {' · '}
                    <RelativeTime iso={row.updated_at} now={now} />
                  </span>
                </td>
                <td className="col-wide">
                  {row.requester ? (
                    <>
                      <span className="cell-main-plain">{row.requester.name}</span>
                      {row.company ? <span className="cell-sub">{row.company.name}</span> : null}
                    </>
                  ) : (
                    <span className="muted">{t('tickets.table.noRequester')}</span>
                  )}
                </td>
                <td className="col-wide">
                  <StatusPill status={row.status} />
                </td>
                <td className="col-wide">
                  <PriorityLabel priority={row.priority} />
                </td>
                <td className="col-wide">
                  {row.assignee ? row.assignee.name : <span className="muted">{t('tickets.table.unassigned')}</span>}
                  {row.team ? <span className="cell-sub">{row.team.name}</span> : null}
                </td>
                <td className="col-wide">
                  <RelativeTime iso={row.updated_at} now={now} />
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
