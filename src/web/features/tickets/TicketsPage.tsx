import { useMutation, useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query'
import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { useMe } from '../../api/queries'
import { Alert } from '../../ui/Alert'
import { errorMessage } from '../../ui/errorMessage'
import { Loading } from '../../ui/Spinner'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import {
  OPEN_CATEGORIES,
  PAGE_SIZE,
  PAGE_SIZES,
  pageSizeFrom,
  PRIORITIES,
  STATUS_CATEGORIES,
  isPriority,
  ticketsApi,
  useTeams,
  useTicketPage,
  type BulkRequest,
  type BulkResult,
  type Priority,
  type SearchHit,
  type Ticket,
} from './api'
import { LiveIndicator } from './bits'
import { viewsQuery, type SavedView } from './shared'
import { categoryLabel, priorityLabel, viewLabel } from './text'
import { TicketTable } from './TicketTable'
import { LoadError } from '../../ui/LoadError'

/** URL keys that are not GET /tickets filters. */
const RESERVED = new Set(['view', 'q', 'page', 'sort', 'limit'])

export const SORTS = [
  ['-updated_at', 'updatedDesc'],
  ['updated_at', 'updatedAsc'],
  ['-created_at', 'createdDesc'],
  ['created_at', 'createdAsc'],
  ['-priority', 'priorityDesc'],
  ['priority', 'priorityAsc'],
  ['due_at', 'dueAsc'],
  ['-due_at', 'dueDesc'],
  ['-number', 'numberDesc'],
  ['number', 'numberAsc'],
] as const
const DEFAULT_SORT = '-updated_at'
const ANY_OPEN = OPEN_CATEGORIES.join(',')
const SHORTCUTS_KEY = 'aidly.shortcuts'

/** A view's stored filters as URL values: lists become comma lists. */
function viewParams(filters: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(filters)) {
    if (value === null || value === undefined || value === '') continue
    out[key] = Array.isArray(value) ? value.map(String).join(',') : String(value)
  }
  return out
}

type Notice = { tone: 'success' | 'error'; text: string; failures?: string[] }

/** Where focus may be typed into: single-key shortcuts stay out of the way there. */
function isEditable(element: Element | null): boolean {
  if (!element) return false
  if (element instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(element.type)
  return element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement || (element as HTMLElement).isContentEditable
}

/** The agent's ticket list: saved views, filters, search, bulk actions, and keyboard navigation. */
export function TicketsPage() {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const me = useMe()
  const views = useQuery(viewsQuery)
  const teams = useTeams()
  const searchRef = useRef<HTMLInputElement>(null)
  const tableRef = useRef<HTMLDivElement>(null)
  const headingRef = useRef<HTMLHeadingElement>(null)

  const viewId = params.get('view')
  const q = params.get('q')?.trim() ?? ''
  const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1)
  const pageSize = pageSizeFrom(params.get('limit'))
  const view = viewId ? views.data?.find((v) => v.id === viewId) : undefined
  const urlFilters: Record<string, string> = {}
  for (const [key, value] of params) if (!RESERVED.has(key) && value) urlFilters[key] = value
  const filters = view ? viewParams(view.filters) : viewId ? {} : urlFilters
  const sort = view ? view.sort : viewId ? '' : (params.get('sort') ?? '')
  const hasFilters = !viewId && Object.keys(urlFilters).length > 0

  // Searching inside a view needs the view's filters first.
  const list = useTicketPage({ viewId, q, filters, sort, page, limit: pageSize }, !(q && viewId && !view))
  const rows = list.data?.data
  const total = list.data?.meta?.total ?? 0
  const pages = Math.max(1, Math.ceil(total / pageSize))

  const [query, setQuery] = useState(q)
  const [shownQ, setShownQ] = useState(q)
  if (shownQ !== q) {
    // The URL's search changed (back button, a view link): show it in the box.
    setShownQ(q)
    setQuery(q)
  }

  // The selection belongs to one list: another view, filter, search or page starts empty.
  const listKey = JSON.stringify([viewId, q, filters, sort, page, pageSize])
  const [selection, setSelection] = useState<{ key: string; ids: Set<string> }>({ key: listKey, ids: new Set() })
  const selected = selection.key === listKey ? selection.ids : new Set<string>()
  const [notice, setNotice] = useState<Notice | null>(null)
  const [shortcuts, setShortcuts] = useState(() => {
    try {
      return localStorage.getItem(SHORTCUTS_KEY) !== 'off'
    } catch {
      return true
    }
  })

  const heading = q
    ? t('tickets.search.results', { q })
    : view
      ? viewLabel(view, t)
      : viewId
        ? t('tickets.title')
        : hasFilters
          ? t('tickets.views.filtered')
          : t('tickets.views.all')
  useDocumentTitle(`${heading} · ${t('tickets.title')}`)

  const setSelected = (update: (ids: Set<string>) => Set<string>) =>
    setSelection((current) => {
      const base = current.key === listKey ? current.ids : new Set<string>()
      return { key: listKey, ids: update(new Set(base)) }
    })
  const toggle = (id: string) =>
    setSelected((ids) => {
      if (ids.has(id)) ids.delete(id)
      else ids.add(id)
      return ids
    })

  /** New URL parameters: the current filters (a view's, when one is open) with `changes`. */
  const applyFilters = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams()
    for (const [key, value] of Object.entries(filters)) next.set(key, value)
    if (sort && sort !== DEFAULT_SORT) next.set('sort', sort)
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value)
      else next.delete(key)
    }
    if (next.get('sort') === DEFAULT_SORT) next.delete('sort')
    if (q) next.set('q', q)
    setNotice(null)
    setParams(next)
  }

  const onSearch = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next = new URLSearchParams(params)
    const value = query.trim()
    if (value) next.set('q', value)
    else next.delete('q')
    next.delete('page')
    setNotice(null)
    setParams(next)
  }

  const changePageSize = (size: number) => {
    const next = new URLSearchParams(params)
    if (size === PAGE_SIZE) next.delete('limit')
    else next.set('limit', String(size))
    next.delete('page')
    setParams(next)
  }

  const goToPage = (n: number) => {
    const next = new URLSearchParams(params)
    if (n > 1) next.set('page', String(n))
    else next.delete('page')
    setParams(next)
    headingRef.current?.focus()
  }

  // The last ticket of a later page went away (closed, filtered out): show the page before.
  useEffect(() => {
    if (rows && rows.length === 0 && page > 1 && !list.isPlaceholderData) {
      setParams((p) => {
        p.set('page', String(page - 1))
        return p
      })
    }
  }, [rows, page, list.isPlaceholderData, setParams])

  const bulk = useMutation({
    mutationFn: (request: BulkRequest) => ticketsApi.bulk(request),
    onMutate: () => setNotice(null),
    onSuccess: (result: BulkResult, request) => {
      const numberOf = new Map((rows ?? []).map((row) => [row.id, row.ticket_number]))
      const done = result.succeeded
      const text =
        request.action === 'close'
          ? t('tickets.bulk.closed', { count: done })
          : request.action === 'assign'
            ? t('tickets.bulk.assigned', { count: done })
            : t('tickets.bulk.prioritized', { count: done, priority: priorityLabel(request.data?.priority ?? '', t) })
      const failures = result.results.flatMap((r) => (r.ok ? [] : [`${numberOf.get(r.id) ?? r.id}: ${r.error.message}`]))
      setNotice({
        tone: result.failed > 0 ? 'error' : 'success',
        text: result.failed > 0 ? `${text} ${t('tickets.bulk.failed', { count: result.failed })}` : text,
        failures,
      })
      const succeeded = new Set(result.results.filter((r) => r.ok).map((r) => r.id))
      setSelected((ids) => new Set([...ids].filter((id) => !succeeded.has(id))))
      void queryClient.invalidateQueries({
        predicate: (query) => {
          const [root, kind, id] = query.queryKey
          return root === 'tickets' && (kind === 'list' || kind === 'search' || kind === 'views' || (typeof id === 'string' && succeeded.has(id)))
        },
      })
    },
    onError: (error) => setNotice({ tone: 'error', text: errorMessage(error, t) }),
  })

  // Single-key shortcuts: j/k move between tickets, x selects, Enter opens, / searches.
  useEffect(() => {
    if (!shortcuts) return
    const rowsInTable = () => [...(tableRef.current?.querySelectorAll<HTMLTableRowElement>('tbody tr[data-id]') ?? [])]
    const focusRow = (row: HTMLTableRowElement | undefined) => {
      const link = row?.querySelector<HTMLAnchorElement>('a.ticket-link')
      if (!link) return
      link.focus()
      row!.scrollIntoView({ block: 'nearest' })
    }
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return
      const active = document.activeElement
      if (isEditable(active) || document.querySelector('dialog[open]')) return
      const row = active?.closest<HTMLTableRowElement>('tbody tr[data-id]') ?? null
      switch (event.key) {
        case '/':
          event.preventDefault()
          searchRef.current?.focus()
          searchRef.current?.select()
          return
        case 'j':
        case 'k': {
          const all = rowsInTable()
          if (all.length === 0) return
          event.preventDefault()
          const index = row ? all.indexOf(row) : -1
          const next = index === -1 ? 0 : Math.min(all.length - 1, Math.max(0, index + (event.key === 'j' ? 1 : -1)))
          focusRow(all[next])
          return
        }
        case 'x':
          if (!row?.dataset.id) return
          event.preventDefault()
          toggle(row.dataset.id)
          return
        case 'Enter':
          // On a row's checkbox (the link opens by itself).
          if (row?.dataset.id && active instanceof HTMLInputElement) {
            event.preventDefault()
            void navigate(`/tickets/${row.dataset.id}`)
          }
          return
      }
    }
    document.addEventListener('keydown', onKeyDown)
    return () => document.removeEventListener('keydown', onKeyDown)
  })

  const changeShortcuts = (on: boolean) => {
    setShortcuts(on)
    try {
      localStorage.setItem(SHORTCUTS_KEY, on ? 'on' : 'off')
    } catch {
      // Not remembered; still applies to this page.
    }
  }

  const ids = [...selected]
  const myId = me.data?.user.id

  return (
    <div className="tickets-page">
      <div className="tickets-title">
        <h1 className="page-title">{t('tickets.title')}</h1>
        <LiveIndicator />
      </div>
      <div className="tickets-layout">
        <ViewsNav views={views} currentId={viewId} allCurrent={!viewId && !hasFilters && !q} />

        <section className="tickets-main" aria-labelledby="list-heading">
          <form className="ticket-search" role="search" onSubmit={onSearch}>
            <div className="field">
              <label htmlFor="ticket-search">{t('tickets.search.label')}</label>
              <div className="ticket-search-row">
                <input
                  ref={searchRef}
                  id="ticket-search"
                  name="q"
                  type="search"
                  autoComplete="off"
                  value={query}
                  onChange={(e) => setQuery(e.target.value)}
                  aria-describedby="ticket-search-hint"
                />
                <button type="submit" className="btn">
                  {t('tickets.search.submit')}
                </button>
              </div>
              <p className="field-hint" id="ticket-search-hint">
                {t('tickets.search.hint')}
              </p>
            </div>
          </form>

          <Filters
            filters={filters}
            sort={sort || DEFAULT_SORT}
            searching={!!q}
            view={view}
            teams={teams.data ?? []}
            onChange={applyFilters}
            onClear={() => {
              setNotice(null)
              setParams(q ? { q } : {})
            }}
            canClear={hasFilters || !!viewId}
          />

          <div className="list-heading">
            <h2 id="list-heading" ref={headingRef} tabIndex={-1}>
              {heading}
            </h2>
            <p className="muted list-count" role="status">
              {list.data ? t('tickets.pager.total', { count: total }) : ''}
            </p>
          </div>

          <div aria-live="polite">
            {notice ? (
              <Alert tone={notice.tone}>
                <p>{notice.text}</p>
                {notice.failures?.length ? (
                  <ul>
                    {notice.failures.map((failure) => (
                      <li key={failure}>{failure}</li>
                    ))}
                  </ul>
                ) : null}
              </Alert>
            ) : null}
          </div>

          <BulkBar
            count={ids.length}
            pending={bulk.isPending}
            canAssignToMe={!!myId}
            onClose={() => bulk.mutate({ action: 'close', ids })}
            onAssignToMe={() => myId && bulk.mutate({ action: 'assign', ids, data: { assignee_id: myId } })}
            onPriority={(priority) => bulk.mutate({ action: 'update', ids, data: { priority } })}
            onClear={() => setSelected(() => new Set())}
          />

          {list.isPending ? (
            <Loading />
          ) : list.isError ? (
            <LoadError error={list.error} onRetry={() => void list.refetch()} />
          ) : list.data.data.length === 0 ? (
            <p className="card">{q ? t('tickets.table.emptySearch', { q }) : t('tickets.table.empty')}</p>
          ) : (
            <div ref={tableRef}>
              <TicketTable
                caption={heading}
                rows={list.data.data as (Ticket | SearchHit)[]}
                selected={selected}
                busy={list.isPlaceholderData}
                onToggle={toggle}
                onToggleAll={(all) => setSelected(() => (all ? new Set(list.data.data.map((r) => r.id)) : new Set()))}
              />
            </div>
          )}

          {rows && rows.length > 0 ? (
            <nav className="pager" aria-label={t('tickets.pager.label')}>
              {pages > 1 ? (
                <>
                  <button type="button" className="btn" disabled={page <= 1} onClick={() => goToPage(page - 1)}>
                    {t('tickets.pager.previous')}
                  </button>
                  <span>{t('tickets.pager.page', { page, pages })}</span>
                  <button type="button" className="btn" disabled={page >= pages} onClick={() => goToPage(page + 1)}>
                    {t('tickets.pager.next')}
                  </button>
                </>
              ) : null}
              <label className="pager-size">
                <span>{t('tickets.pager.size')}</span>
                <select value={pageSize} onChange={(e) => changePageSize(Number(e.target.value))}>
                  {PAGE_SIZES.map((size) => (
                    <option key={size} value={size}>
                      {size}
                    </option>
                  ))}
                </select>
              </label>
            </nav>
          ) : null}

          <details className="shortcuts">
            <summary>{t('tickets.keys.heading')}</summary>
            <label className="check">
              <input type="checkbox" checked={shortcuts} onChange={(e) => changeShortcuts(e.target.checked)} />
              <span>{t('tickets.keys.enable')}</span>
            </label>
            <dl className="shortcut-list">
              {(
                [
                  ['j', 'next'],
                  ['k', 'previous'],
                  ['x', 'toggle'],
                  ['Enter', 'open'],
                  ['/', 'search'],
                ] as const
              ).map(([key, action]) => (
                <div key={key}>
                  <dt>
                    <kbd>{key}</kbd>
                  </dt>
                  <dd>{t(`tickets.keys.${action}`)}</dd>
                </div>
              ))}
            </dl>
          </details>
        </section>
      </div>
    </div>
  )
}

function ViewsNav({
  views,
  currentId,
  allCurrent,
}: {
  views: UseQueryResult<SavedView[]>
  currentId: string | null
  allCurrent: boolean
}) {
  const { t } = useTranslation()
  return (
    <nav className="views-nav" aria-label={t('tickets.views.label')}>
      <ul>
        <li>
          <Link to="/tickets" aria-current={allCurrent ? 'page' : undefined}>
            <span className="view-name">{t('tickets.views.all')}</span>
          </Link>
        </li>
        {views.data?.map((view) => (
          <li key={view.id}>
            <Link to={`/tickets?view=${encodeURIComponent(view.id)}`} aria-current={view.id === currentId ? 'page' : undefined}>
              <span className="view-name">{viewLabel(view, t)}</span>
              {view.count !== null ? (
                <span className="view-count">
                  <span aria-hidden="true">{view.count}</span>
                  <span className="visually-hidden">{t('tickets.views.count', { count: view.count })}</span>
                </span>
              ) : null}
            </Link>
          </li>
        ))}
      </ul>
      {views.isError ? (
        <p className="muted views-error">
          {t('tickets.views.loadFailed')}{' '}
          <button type="button" className="btn-link" onClick={() => void views.refetch()}>
            {t('common.tryAgain')}
          </button>
        </p>
      ) : null}
    </nav>
  )
}

interface FiltersProps {
  filters: Record<string, string>
  sort: string
  searching: boolean
  view: SavedView | undefined
  teams: { id: string; name: string }[]
  onChange: (changes: Record<string, string | null>) => void
  onClear: () => void
  canClear: boolean
}

function Filters({ filters, sort, searching, view, teams, onChange, onClear, canClear }: FiltersProps) {
  const { t } = useTranslation()
  const id = useId()
  const status = filters.status_category ?? ''
  const priority = filters.priority ?? ''
  const assignee = filters.assignee ?? ''
  const team = filters.team ?? ''
  const overdue = filters.overdue === 'true'
  const knownStatus = status === '' || status === ANY_OPEN || (STATUS_CATEGORIES as readonly string[]).includes(status)
  const knownPriority = priority === '' || (PRIORITIES as readonly string[]).includes(priority)
  const knownAssignee = ['', 'me', 'none'].includes(assignee)
  const knownTeam = team === '' || team === 'none' || teams.some((tm) => tm.id === team)

  return (
    <div className="filters" role="group" aria-labelledby={`${id}-label`} aria-describedby={view ? `${id}-hint` : undefined}>
      <h2 className="visually-hidden" id={`${id}-label`}>
        {t('tickets.filters.label')}
      </h2>
      <div className="field">
        <label htmlFor={`${id}-status`}>{t('tickets.filters.status')}</label>
        <select id={`${id}-status`} value={status} onChange={(e) => onChange({ status_category: e.target.value || null })}>
          <option value="">{t('tickets.filters.anyStatus')}</option>
          <option value={ANY_OPEN}>{t('tickets.filters.anyOpen')}</option>
          {STATUS_CATEGORIES.map((category) => (
            <option key={category} value={category}>
              {categoryLabel(category, t)}
            </option>
          ))}
          {!knownStatus ? (
            <option value={status}>
              {status
                .split(',')
                .map((c) => categoryLabel(c, t))
                .join(', ')}
            </option>
          ) : null}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-priority`}>{t('tickets.filters.priority')}</label>
        <select id={`${id}-priority`} value={priority} onChange={(e) => onChange({ priority: e.target.value || null })}>
          <option value="">{t('tickets.filters.anyPriority')}</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {priorityLabel(p, t)}
            </option>
          ))}
          {!knownPriority ? (
            <option value={priority}>
              {priority
                .split(',')
                .map((p) => priorityLabel(p, t))
                .join(', ')}
            </option>
          ) : null}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-assignee`}>{t('tickets.filters.assignee')}</label>
        <select id={`${id}-assignee`} value={assignee} onChange={(e) => onChange({ assignee: e.target.value || null })}>
          <option value="">{t('tickets.filters.anyone')}</option>
          <option value="me">{t('tickets.filters.me')}</option>
          <option value="none">{t('tickets.filters.nobody')}</option>
          {!knownAssignee ? <option value={assignee}>{t('tickets.filters.someone')}</option> : null}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-team`}>{t('tickets.filters.team')}</label>
        <select id={`${id}-team`} value={team} onChange={(e) => onChange({ team: e.target.value || null })}>
          <option value="">{t('tickets.filters.anyTeam')}</option>
          <option value="none">{t('tickets.filters.noTeam')}</option>
          {teams.map((tm) => (
            <option key={tm.id} value={tm.id}>
              {tm.name}
            </option>
          ))}
          {!knownTeam ? <option value={team}>{t('tickets.filters.someTeam')}</option> : null}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-sort`}>{t('tickets.filters.sort')}</label>
        <select
          id={`${id}-sort`}
          value={searching ? '' : sort}
          disabled={searching}
          aria-describedby={searching ? `${id}-sort-hint` : undefined}
          onChange={(e) => onChange({ sort: e.target.value })}
        >
          {searching ? <option value="">{t('tickets.filters.relevance')}</option> : null}
          {SORTS.map(([value, key]) => (
            <option key={value} value={value}>
              {t(`tickets.sort.${key}`)}
            </option>
          ))}
        </select>
        {searching ? (
          <p className="field-hint" id={`${id}-sort-hint`}>
            {t('tickets.filters.relevanceHint')}
          </p>
        ) : null}
      </div>
      <div className="filters-end">
        <label className="check">
          <input type="checkbox" checked={overdue} onChange={(e) => onChange({ overdue: e.target.checked ? 'true' : null })} />
          <span>{t('tickets.filters.overdue')}</span>
        </label>
        {canClear ? (
          <button type="button" className="btn btn-small" onClick={onClear}>
            {t('tickets.filters.clear')}
          </button>
        ) : null}
      </div>
      {view ? (
        <p className="field-hint filters-hint" id={`${id}-hint`}>
          {t('tickets.filters.fromView', { name: viewLabel(view, t) })}
        </p>
      ) : null}
    </div>
  )
}

interface BulkBarProps {
  count: number
  pending: boolean
  canAssignToMe: boolean
  onClose: () => void
  onAssignToMe: () => void
  onPriority: (priority: Priority) => void
  onClear: () => void
}

/** What can be done to the selected tickets at once; the count is announced as it changes. */
function BulkBar({ count, pending, canAssignToMe, onClose, onAssignToMe, onPriority, onClear }: BulkBarProps) {
  const { t } = useTranslation()
  const id = useId()
  const [priority, setPriority] = useState<Priority>('high')
  return (
    <div className={count > 0 ? 'bulk-bar' : 'bulk-bar bulk-bar-empty'}>
      {/* Always in the page, so the count is announced as tickets are selected (x included). */}
      <p className="bulk-count" role="status">
        {count > 0 ? t('tickets.bulk.selected', { count }) : ''}
      </p>
      {count > 0 ? (
        <div className="actions" role="group" aria-label={t('tickets.bulk.label')}>
          <button type="button" className="btn btn-small" disabled={pending} onClick={onClose}>
            {t('tickets.bulk.close')}
          </button>
          {canAssignToMe ? (
            <button type="button" className="btn btn-small" disabled={pending} onClick={onAssignToMe}>
              {t('tickets.bulk.assignToMe')}
            </button>
          ) : null}
          <span className="bulk-priority">
            <label htmlFor={`${id}-priority`} className="visually-hidden">
              {t('tickets.bulk.priority')}
            </label>
            <select id={`${id}-priority`} value={priority} onChange={(e) => isPriority(e.target.value) && setPriority(e.target.value)}>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {priorityLabel(p, t)}
                </option>
              ))}
            </select>
            <button type="button" className="btn btn-small" disabled={pending} onClick={() => onPriority(priority)}>
              {t('tickets.bulk.setPriority')}
            </button>
          </span>
          <button type="button" className="btn btn-small" onClick={onClear}>
            {t('tickets.bulk.clear')}
          </button>
          {pending ? <span className="muted">{t('tickets.bulk.working')}</span> : null}
        </div>
      ) : null}
    </div>
  )
}
