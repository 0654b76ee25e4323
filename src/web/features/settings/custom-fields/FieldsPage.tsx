import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router'
import { Alert } from '../../../ui/Alert'
import { ConfirmDialog } from '../../../ui/Dialog'
import { errorMessage } from '../../../ui/errorMessage'
import { Loading } from '../../../ui/Spinner'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { byPosition, CHOICE_TYPES, ENTITIES, fieldKeys, fieldsApi, isEntity, useFieldList, type CustomField, type Entity } from './api'
import { entityLabel, typeLabel } from './text'
import { LoadError } from '../../../ui/LoadError'

/** What the form tells this page after saving, for the message shown here. */
export interface FieldFlash {
  flash?: { kind: 'created' | 'saved'; label: string }
}

type Move = { field: CustomField; direction: 'up' | 'down' }
type Toggle = { field: CustomField; active: boolean }

export function FieldsPage() {
  const { t } = useTranslation()
  const [search] = useSearchParams()
  const entity: Entity = isEntity(search.get('entity')) ? (search.get('entity') as Entity) : 'ticket'
  const fields = useFieldList(entity)
  const queryClient = useQueryClient()
  const location = useLocation()
  const navigate = useNavigate()
  const headingRef = useRef<HTMLHeadingElement>(null)
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null)
  const [toDelete, setToDelete] = useState<CustomField | null>(null)
  // After a delete the dialog closes and the row goes: the heading takes the focus instead.
  const [focusHeading, setFocusHeading] = useState(0)
  const [focusAfterMove, setFocusAfterMove] = useState<Move | null>(null)
  useDocumentTitle(`${t(`adminConfig.fields.listTitles.${entity}`)} · ${t('adminConfig.fields.title')}`)
  const flash = (location.state as FieldFlash | null)?.flash
  const ordered = byPosition(fields.data ?? [])

  const clearFlash = () => {
    setNotice(null)
    if (flash) void navigate(`.?entity=${entity}`, { replace: true, state: null })
  }
  const refresh = () => queryClient.invalidateQueries({ queryKey: fieldKeys.all })

  // No reorder route for fields: positions are renumbered 0…n-1 in the new order, changed ones only.
  const move = useMutation({
    mutationFn: async ({ field, direction }: Move) => {
      const order = [...ordered]
      const at = order.findIndex((f) => f.id === field.id)
      const to = direction === 'up' ? at - 1 : at + 1
      if (at < 0 || to < 0 || to >= order.length) return
      order[at] = order[to]!
      order[to] = field
      await Promise.all(order.map((f, position) => (f.position === position ? null : fieldsApi.update(f.id, { position }))))
    },
    onMutate: clearFlash,
    onSuccess: async (_data, m) => {
      await refresh()
      const list = byPosition(queryClient.getQueryData<CustomField[]>(fieldKeys.list(entity)) ?? [])
      setNotice({ tone: 'success', text: t('adminConfig.fields.moved', { label: m.field.label, place: list.findIndex((f) => f.id === m.field.id) + 1, total: list.length }) })
      setFocusAfterMove(m)
    },
    onError: (error) => {
      setNotice({ tone: 'error', text: errorMessage(error, t) })
      void refresh()
    },
  })

  useEffect(() => {
    if (focusHeading) headingRef.current?.focus()
  }, [focusHeading])

  useEffect(() => {
    if (!focusAfterMove) return
    const { field, direction } = focusAfterMove
    const same = document.getElementById(`field-${field.id}-${direction}`) as HTMLButtonElement | null
    const other = document.getElementById(`field-${field.id}-${direction === 'up' ? 'down' : 'up'}`) as HTMLButtonElement | null
    if (same && !same.disabled) same.focus()
    else other?.focus()
  }, [focusAfterMove, fields.data])

  const toggle = useMutation({
    mutationFn: async ({ field, active }: Toggle) => {
      if (active) await fieldsApi.update(field.id, { is_active: true })
      else await fieldsApi.remove(field.id, false)
    },
    onMutate: clearFlash,
    onSuccess: async (_data, { field, active }) => {
      setNotice({ tone: 'success', text: t(active ? 'adminConfig.fields.reactivated' : 'adminConfig.fields.deactivated', { label: field.label }) })
      await refresh()
    },
    onError: (error) => setNotice({ tone: 'error', text: errorMessage(error, t) }),
  })

  const remove = useMutation({
    mutationFn: (field: CustomField) => fieldsApi.remove(field.id, true),
    onSuccess: (result, field) => {
      setToDelete(null)
      setNotice({ tone: 'success', text: t('adminConfig.fields.deleted', { label: field.label, count: result.records_cleared }) })
      setFocusHeading((n) => n + 1)
      void refresh()
    },
  })

  return (
    <section aria-labelledby="fields-heading">
      <div className="section-header">
        <div>
          <h2 id="fields-heading" ref={headingRef} tabIndex={-1}>
            {t(`adminConfig.fields.listTitles.${entity}`)}
          </h2>
          <p className="muted">{t('adminConfig.fields.intro')}</p>
        </div>
        <Link to={`new?entity=${entity}`} className="btn btn-primary">
          {t('adminConfig.fields.add')}
        </Link>
      </div>

      <nav className="tabs" aria-label={t('adminConfig.fields.entitiesLabel')}>
        <ul>
          {ENTITIES.map((e) => (
            <li key={e}>
              <Link to={`?entity=${e}`} aria-current={e === entity ? 'page' : undefined} onClick={() => setNotice(null)}>
                {entityLabel(e, t)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>

      <div aria-live="polite">
        {notice ? (
          <Alert tone={notice.tone}>{notice.text}</Alert>
        ) : flash ? (
          <Alert tone="success">{t(flash.kind === 'created' ? 'adminConfig.fields.created' : 'adminConfig.fields.saved', { label: flash.label })}</Alert>
        ) : null}
      </div>

      {fields.isPending ? (
        <Loading />
      ) : fields.isError ? (
        <LoadError error={fields.error} onRetry={() => void fields.refetch()} />
      ) : ordered.length === 0 ? (
        <p className="card">{t('adminConfig.fields.empty')}</p>
      ) : (
        <div className="card">
          <ol className="list" aria-label={t(`adminConfig.fields.listTitles.${entity}`)}>
            {ordered.map((field, index) => (
              <li key={field.id} className="list-row config-row">
                <div className="list-main">
                  <span className="list-title">
                    <Link to={field.id}>{field.label}</Link>
                    <span className="badge badge-off">{typeLabel(field.type, t)}</span>
                    {field.is_required ? <span className="badge">{t('adminConfig.fields.required')}</span> : null}
                    {field.is_internal && entity === 'ticket' ? <span className="badge">{t('adminConfig.fields.staffOnly')}</span> : null}
                    {field.is_active === false ? <span className="badge badge-off">{t('adminConfig.fields.inactive')}</span> : null}
                  </span>
                  <span className="muted">
                    <code>{field.key}</code>
                    {CHOICE_TYPES.includes(field.type) && field.options.length
                      ? ` · ${t('adminConfig.fields.optionsSummary', { count: field.options.length, list: field.options.map((o) => o.label).join(', ') })}`
                      : ''}
                  </span>
                </div>
                <div className="actions">
                  <span className="move-buttons">
                    <button
                      type="button"
                      id={`field-${field.id}-up`}
                      className="btn btn-small"
                      disabled={index === 0 || move.isPending}
                      aria-label={t('adminConfig.common.moveUpLabel', { name: field.label })}
                      onClick={() => move.mutate({ field, direction: 'up' })}
                    >
                      <span aria-hidden="true">↑</span>
                    </button>
                    <button
                      type="button"
                      id={`field-${field.id}-down`}
                      className="btn btn-small"
                      disabled={index === ordered.length - 1 || move.isPending}
                      aria-label={t('adminConfig.common.moveDownLabel', { name: field.label })}
                      onClick={() => move.mutate({ field, direction: 'down' })}
                    >
                      <span aria-hidden="true">↓</span>
                    </button>
                  </span>
                  <Link to={field.id} className="btn btn-small" aria-label={t('adminConfig.fields.editLabel', { label: field.label })}>
                    {t('adminConfig.common.edit')}
                  </Link>
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={toggle.isPending}
                    aria-label={t(field.is_active === false ? 'adminConfig.fields.reactivateLabel' : 'adminConfig.fields.deactivateLabel', { label: field.label })}
                    onClick={() => toggle.mutate({ field, active: field.is_active === false })}
                  >
                    {t(field.is_active === false ? 'adminConfig.fields.reactivate' : 'adminConfig.fields.deactivate')}
                  </button>
                  <button
                    type="button"
                    className="btn btn-small btn-danger"
                    aria-label={t('adminConfig.fields.deleteLabel', { label: field.label })}
                    onClick={() => {
                      clearFlash()
                      remove.reset()
                      setToDelete(field)
                    }}
                  >
                    {t('adminConfig.common.delete')}
                  </button>
                </div>
              </li>
            ))}
          </ol>
        </div>
      )}

      <ConfirmDialog
        open={toDelete !== null}
        title={t('adminConfig.fields.deleteTitle')}
        confirmLabel={t('adminConfig.fields.deleteConfirm')}
        pendingLabel={t('adminConfig.common.deleting')}
        pending={remove.isPending}
        error={remove.isError ? errorMessage(remove.error, t) : null}
        onConfirm={() => toDelete && remove.mutate(toDelete)}
        onCancel={() => setToDelete(null)}
      >
        {toDelete ? (
          <>
            <p>{t('adminConfig.fields.deleteBody', { label: toDelete.label })}</p>
            <p className="muted">{t('adminConfig.fields.deleteAlternative')}</p>
          </>
        ) : null}
      </ConfirmDialog>
    </section>
  )
}
