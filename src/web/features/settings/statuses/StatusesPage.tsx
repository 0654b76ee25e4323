import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation, useNavigate } from 'react-router'
import { Alert } from '../../../ui/Alert'
import { ConfirmDialog } from '../../../ui/Dialog'
import { errorMessage } from '../../../ui/errorMessage'
import { SelectField } from '../../../ui/SelectField'
import { Loading } from '../../../ui/Spinner'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { categoryLabel, statusLabel } from '../../tickets/text'
import { byPosition, STATUS_CATEGORIES, statusesApi, statusKeys, useStatusList, type Status } from './api'
import { statusRefusal } from './text'
import { LoadError } from '../../../ui/LoadError'

/** What the form tells this page after saving, for the message shown here. */
export interface StatusFlash {
  flash?: { kind: 'created' | 'saved'; name: string }
}

type Move = { status: Status; direction: 'up' | 'down' }

export function StatusesPage() {
  const { t } = useTranslation()
  const statuses = useStatusList()
  const queryClient = useQueryClient()
  const location = useLocation()
  const navigate = useNavigate()
  const headingRef = useRef<HTMLHeadingElement>(null)
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null)
  const [toDelete, setToDelete] = useState<Status | null>(null)
  const [replaceWith, setReplaceWith] = useState('')
  // After a delete the dialog closes and the row goes: the heading takes the focus instead.
  const [focusHeading, setFocusHeading] = useState(0)
  const [focusAfterMove, setFocusAfterMove] = useState<Move | null>(null)
  useDocumentTitle(t('adminConfig.statuses.title'))
  const flash = (location.state as StatusFlash | null)?.flash

  const ordered = byPosition(statuses.data ?? [])
  const groups = STATUS_CATEGORIES.map((category) => ({ category, items: ordered.filter((s) => s.category === category) }))
  // A category the server has but the client does not know yet still shows, after the known ones.
  const known = new Set<string>(STATUS_CATEGORIES)
  for (const category of new Set(ordered.filter((s) => !known.has(s.category)).map((s) => s.category))) {
    groups.push({ category: category as (typeof STATUS_CATEGORIES)[number], items: ordered.filter((s) => s.category === category) })
  }

  const clearFlash = () => {
    setNotice(null)
    if (flash) void navigate('.', { replace: true, state: null })
  }

  const move = useMutation({
    mutationFn: ({ status, direction }: Move) => {
      const group = ordered.filter((s) => s.category === status.category)
      const at = group.findIndex((s) => s.id === status.id)
      const neighbour = group[direction === 'up' ? at - 1 : at + 1]
      if (!neighbour) return Promise.resolve(ordered)
      // Swap the two in the organization-wide order; every other status keeps its place.
      const ids = ordered.map((s) => s.id)
      const i = ids.indexOf(status.id)
      const j = ids.indexOf(neighbour.id)
      ids[i] = neighbour.id
      ids[j] = status.id
      return statusesApi.reorder(ids)
    },
    onMutate: clearFlash,
    onSuccess: (list, m) => {
      queryClient.setQueryData(statusKeys.list, list)
      void queryClient.invalidateQueries({ queryKey: statusKeys.all, predicate: (q) => q.queryKey[1] !== 'settings' })
      const group = byPosition(list).filter((s) => s.category === m.status.category)
      const place = group.findIndex((s) => s.id === m.status.id) + 1
      setNotice({
        tone: 'success',
        text: t('adminConfig.statuses.moved', { name: statusLabel(m.status, t), place, total: group.length, category: categoryLabel(m.status.category, t) }),
      })
      setFocusAfterMove(m)
    },
    onError: (error) => setNotice({ tone: 'error', text: errorMessage(error, t) }),
  })

  useEffect(() => {
    if (focusHeading) headingRef.current?.focus()
  }, [focusHeading])

  // Reordering moves the row: keep the keyboard on the button just used (or its twin at either end).
  useEffect(() => {
    if (!focusAfterMove) return
    const { status, direction } = focusAfterMove
    const same = document.getElementById(`status-${status.id}-${direction}`) as HTMLButtonElement | null
    const other = document.getElementById(`status-${status.id}-${direction === 'up' ? 'down' : 'up'}`) as HTMLButtonElement | null
    if (same && !same.disabled) same.focus()
    else other?.focus()
  }, [focusAfterMove, statuses.data])

  const remove = useMutation({
    mutationFn: ({ status, replacement }: { status: Status; replacement: string | null }) => statusesApi.remove(status.id, replacement),
    onSuccess: (result, { status }) => {
      setToDelete(null)
      setNotice({
        tone: 'success',
        text: result.tickets_moved
          ? t('adminConfig.statuses.deletedMoved', { name: statusLabel(status, t), count: result.tickets_moved })
          : t('adminConfig.statuses.deleted', { name: statusLabel(status, t) }),
      })
      setFocusHeading((n) => n + 1)
      queryClient.setQueryData<Status[]>(statusKeys.list, (list) => list?.filter((s) => s.id !== status.id))
      void queryClient.invalidateQueries({ queryKey: statusKeys.all })
    },
  })

  const replacements = ordered.filter((s) => s.id !== toDelete?.id && s.is_active !== false)

  return (
    <section aria-labelledby="statuses-heading">
      <div className="section-header">
        <div>
          <h2 id="statuses-heading" ref={headingRef} tabIndex={-1}>
            {t('adminConfig.statuses.listTitle')}
          </h2>
          <p className="muted">{t('adminConfig.statuses.intro')}</p>
        </div>
        <Link to="new" className="btn btn-primary">
          {t('adminConfig.statuses.add')}
        </Link>
      </div>

      <div aria-live="polite">
        {notice ? (
          <Alert tone={notice.tone}>{notice.text}</Alert>
        ) : flash ? (
          <Alert tone="success">{t(flash.kind === 'created' ? 'adminConfig.statuses.created' : 'adminConfig.statuses.saved', { name: flash.name })}</Alert>
        ) : null}
      </div>

      {statuses.isPending ? (
        <Loading />
      ) : statuses.isError ? (
        <LoadError error={statuses.error} onRetry={() => void statuses.refetch()} />
      ) : (
        groups.map(({ category, items }) => (
          <section key={category} className="card config-group" aria-labelledby={`category-${category}`}>
            <div className="status-group-head">
              <h3 id={`category-${category}`}>{categoryLabel(category, t)}</h3>
              <Link to={`new?category=${encodeURIComponent(category)}`} className="btn btn-small" aria-label={t('adminConfig.statuses.addToLabel', { category: categoryLabel(category, t) })}>
                {t('adminConfig.statuses.addTo')}
              </Link>
            </div>
            {items.length === 0 ? (
              <p className="muted">{t('adminConfig.statuses.emptyCategory')}</p>
            ) : (
              <ol className="list">
                {items.map((status, index) => {
                  const name = statusLabel(status, t)
                  return (
                    <li key={status.id} className="list-row config-row">
                      <div className="list-main">
                        <span className="list-title">
                          <span className="swatch" style={{ backgroundColor: status.color }} aria-hidden="true" />
                          <Link to={status.id}>{name}</Link>
                          {status.is_default ? <span className="badge">{t('adminConfig.statuses.default')}</span> : null}
                          {status.is_active === false ? <span className="badge badge-off">{t('adminConfig.statuses.inactive')}</span> : null}
                        </span>
                        <span className="muted">
                          {t('adminConfig.statuses.colorText', { color: status.color })}
                          {status.transitions?.length ? ` · ${t('adminConfig.statuses.limitedMoves', { count: status.transitions.length })}` : ''}
                        </span>
                      </div>
                      <div className="actions">
                        <span className="move-buttons">
                          <button
                            type="button"
                            id={`status-${status.id}-up`}
                            className="btn btn-small"
                            disabled={index === 0 || move.isPending}
                            aria-label={t('adminConfig.common.moveUpLabel', { name })}
                            onClick={() => move.mutate({ status, direction: 'up' })}
                          >
                            <span aria-hidden="true">↑</span>
                          </button>
                          <button
                            type="button"
                            id={`status-${status.id}-down`}
                            className="btn btn-small"
                            disabled={index === items.length - 1 || move.isPending}
                            aria-label={t('adminConfig.common.moveDownLabel', { name })}
                            onClick={() => move.mutate({ status, direction: 'down' })}
                          >
                            <span aria-hidden="true">↓</span>
                          </button>
                        </span>
                        <Link to={status.id} className="btn btn-small" aria-label={t('adminConfig.statuses.editLabel', { name })}>
                          {t('adminConfig.common.edit')}
                        </Link>
                        <button
                          type="button"
                          className="btn btn-small btn-danger"
                          aria-label={t('adminConfig.statuses.deleteLabel', { name })}
                          onClick={() => {
                            clearFlash()
                            remove.reset()
                            setReplaceWith('')
                            setToDelete(status)
                          }}
                        >
                          {t('adminConfig.common.delete')}
                        </button>
                      </div>
                    </li>
                  )
                })}
              </ol>
            )}
          </section>
        ))
      )}

      <ConfirmDialog
        open={toDelete !== null}
        title={t('adminConfig.statuses.deleteTitle')}
        confirmLabel={t('adminConfig.statuses.deleteConfirm')}
        pendingLabel={t('adminConfig.common.deleting')}
        pending={remove.isPending}
        error={remove.isError ? statusRefusal(remove.error, t).message : null}
        onConfirm={() => toDelete && remove.mutate({ status: toDelete, replacement: replaceWith || null })}
        onCancel={() => setToDelete(null)}
      >
        {toDelete ? (
          <>
            <p>{t('adminConfig.statuses.deleteBody', { name: statusLabel(toDelete, t) })}</p>
            <SelectField
              label={t('adminConfig.statuses.replaceWith')}
              name="replace_with"
              value={replaceWith}
              onChange={(e) => setReplaceWith(e.target.value)}
              hint={t('adminConfig.statuses.replaceHint')}
            >
              <option value="">{t('adminConfig.statuses.noReplacement')}</option>
              {replacements.map((s) => (
                <option key={s.id} value={s.id}>
                  {statusLabel(s, t)} ({categoryLabel(s.category, t)})
                </option>
              ))}
            </SelectField>
          </>
        ) : null}
      </ConfirmDialog>
    </section>
  )
}
