import { RelativeTime } from '../../../ui/RelativeTime'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router'
import { useMe } from '../../../api/queries'
import { Alert } from '../../../ui/Alert'
import { ConfirmDialog } from '../../../ui/Dialog'
import { errorMessage } from '../../../ui/errorMessage'
import { Field } from '../../../ui/Field'
import { SelectField } from '../../../ui/SelectField'
import { Loading } from '../../../ui/Spinner'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { PAGE_SIZE, usersApi, usersKeys, useRoles, useUsers, type User, type UsersQuery } from './api'
import { roleName, RoleOptions } from './roles'
import { LoadError } from '../../../ui/LoadError'

/** What the add and edit forms hand back to this page, for its message. */
export interface PeopleFlash {
  flash?: { kind: 'added' | 'saved'; name: string }
}

type Status = '' | 'active' | 'deactivated'
type Change = { user: User; activate: boolean }

/** The organization's people: search, role and status filters (kept in the address), pages, and (de)activation. */
export function PeoplePage() {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const location = useLocation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const me = useMe()
  const roles = useRoles()
  useDocumentTitle(`${t('adminPeople.users.tabPeople')} · ${t('adminPeople.users.title')}`)

  const q = params.get('q') ?? ''
  const role = params.get('role') ?? ''
  const status = (['active', 'deactivated'].includes(params.get('status') ?? '') ? params.get('status') : '') as Status
  const page = Math.max(1, Math.floor(Number(params.get('page'))) || 1)
  const query: UsersQuery = {
    ...(q ? { q } : {}),
    ...(role ? { role } : {}),
    ...(status ? { is_active: status === 'active' } : {}),
    page,
    limit: PAGE_SIZE,
  }
  const users = useUsers(query)
  const [search, setSearch] = useState(q)
  const [change, setChange] = useState<Change | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const flash = (location.state as PeopleFlash | null)?.flash

  const clearMessages = () => {
    setNotice(null)
    if (flash) void navigate({ search: location.search }, { replace: true, state: null })
  }

  /** Changes filters in the address; any filter change starts again at page 1. */
  const update = (patch: Record<string, string>) => {
    clearMessages()
    const next = new URLSearchParams(params)
    for (const [key, value] of Object.entries(patch)) {
      if (value) next.set(key, value)
      else next.delete(key)
    }
    if (!('page' in patch)) next.delete('page')
    setParams(next, { replace: !('page' in patch) })
  }

  const toggle = useMutation({
    mutationFn: ({ user, activate }: Change) => usersApi.update(user.id, { is_active: activate }),
    onSuccess: (updated, { activate }) => {
      setChange(null)
      setNotice(activate ? t('adminPeople.users.reactivated', { name: updated.name }) : t('adminPeople.users.deactivated', { name: updated.name }))
      void queryClient.invalidateQueries({ queryKey: usersKeys.all })
    },
  })

  const onSearch = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    update({ q: search.trim() })
  }

  const total = users.data?.meta?.total ?? users.data?.data.length ?? 0
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE))
  const filtered = !!(q || role || status)

  return (
    <section aria-labelledby="people-heading">
      <div className="section-header">
        <div>
          <h2 id="people-heading">{t('adminPeople.users.peopleTitle')}</h2>
          <p className="muted">{t('adminPeople.users.peopleIntro')}</p>
        </div>
        <Link to="new" className="btn btn-primary">
          {t('adminPeople.users.add')}
        </Link>
      </div>

      <div aria-live="polite">
        {notice ? (
          <Alert tone="success">{notice}</Alert>
        ) : flash ? (
          <Alert tone="success">
            {flash.kind === 'added' ? t('adminPeople.users.added', { name: flash.name }) : t('adminPeople.users.saved', { name: flash.name })}
          </Alert>
        ) : null}
      </div>

      <div className="people-filters">
        <form role="search" className="search-row" onSubmit={onSearch}>
          <Field
            label={t('adminPeople.users.search')}
            name="q"
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            hint={t('adminPeople.users.searchHint')}
            maxLength={200}
          />
          <button type="submit" className="btn">
            {t('adminPeople.users.searchButton')}
          </button>
        </form>
        <SelectField label={t('adminPeople.users.roleFilter')} name="role" value={role} onChange={(event) => update({ role: event.target.value })}>
          <option value="">{t('adminPeople.users.anyRole')}</option>
          <RoleOptions roles={roles.data} current={role || undefined} />
        </SelectField>
        <SelectField label={t('adminPeople.users.statusFilter')} name="status" value={status} onChange={(event) => update({ status: event.target.value })}>
          <option value="">{t('adminPeople.users.anyStatus')}</option>
          <option value="active">{t('adminPeople.users.active')}</option>
          <option value="deactivated">{t('adminPeople.users.deactivatedStatus')}</option>
        </SelectField>
      </div>

      {users.isPending ? (
        <Loading />
      ) : users.isError ? (
        <LoadError error={users.error} onRetry={() => void users.refetch()} />
      ) : users.data.data.length === 0 ? (
        <p className="card">{filtered ? t('adminPeople.users.noMatches') : t('adminPeople.users.empty')}</p>
      ) : (
        <>
          <p className="muted people-count" role="status">
            {t('adminPeople.users.count', { count: total })}
          </p>
          <PeopleTable
            users={users.data.data}
            busy={users.isPlaceholderData}
            meId={me.data?.user.id}
            roleLabel={(key) => roleName(key, roles.data, t)}
            onToggle={(user) => {
              clearMessages()
              toggle.reset()
              setChange({ user, activate: !user.is_active })
            }}
            caption={t('adminPeople.users.caption', { page, pages })}
          />
          {pages > 1 ? (
            <nav className="pager" aria-label={t('adminPeople.common.pages')}>
              <button type="button" className="btn" disabled={page <= 1} onClick={() => update({ page: String(page - 1) })}>
                {t('adminPeople.common.previous')}
              </button>
              <span>{t('adminPeople.common.page', { page, pages })}</span>
              <button type="button" className="btn" disabled={page >= pages} onClick={() => update({ page: String(page + 1) })}>
                {t('adminPeople.common.next')}
              </button>
            </nav>
          ) : null}
        </>
      )}

      <ConfirmDialog
        open={change !== null}
        title={change?.activate ? t('adminPeople.users.reactivateTitle') : t('adminPeople.users.deactivateTitle')}
        confirmLabel={change?.activate ? t('adminPeople.users.reactivate') : t('adminPeople.users.deactivate')}
        pendingLabel={t('adminPeople.common.working')}
        pending={toggle.isPending}
        danger={!change?.activate}
        error={toggle.isError ? errorMessage(toggle.error, t) : null}
        onConfirm={() => change && toggle.mutate(change)}
        onCancel={() => setChange(null)}
      >
        <p>
          {change
            ? change.activate
              ? t('adminPeople.users.reactivateBody', { name: change.user.name, email: change.user.email })
              : t('adminPeople.users.deactivateBody', { name: change.user.name, email: change.user.email })
            : null}
        </p>
      </ConfirmDialog>
    </section>
  )
}

interface PeopleTableProps {
  users: User[]
  busy: boolean
  meId: string | undefined
  caption: string
  roleLabel: (key: string) => string
  onToggle: (user: User) => void
}

function PeopleTable({ users, busy, meId, caption, roleLabel, onToggle }: PeopleTableProps) {
  const { t } = useTranslation()
  const captionId = useId()
  return (
    // Scrolls sideways on a narrow screen; focusable so that works from the keyboard too.
    <div className="table-wrap" role="region" aria-labelledby={captionId} tabIndex={0} aria-busy={busy || undefined}>
      <table className="table people-table">
        <caption id={captionId} className="visually-hidden">
          {caption}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('adminPeople.users.person')}</th>
            <th scope="col">{t('adminPeople.users.role')}</th>
            <th scope="col">{t('adminPeople.users.status')}</th>
            <th scope="col">{t('adminPeople.users.twoFactor')}</th>
            <th scope="col">{t('adminPeople.users.lastSignIn')}</th>
            <th scope="col">{t('adminPeople.common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id} className={user.is_active ? undefined : 'is-inactive'}>
              <th scope="row">
                <span className="cell-main">
                  {user.name}
                  {user.id === meId ? <span className="muted"> {t('adminPeople.users.you')}</span> : null}
                </span>
                <span className="cell-sub">{user.email}</span>
                {user.title ? <span className="cell-sub">{user.title}</span> : null}
              </th>
              <td>{roleLabel(user.role)}</td>
              <td>
                {user.is_active ? (
                  <span className="badge">{t('adminPeople.users.active')}</span>
                ) : (
                  <span className="badge badge-off">{t('adminPeople.users.deactivatedStatus')}</span>
                )}
              </td>
              <td>{user.two_factor_enabled ? t('adminPeople.users.twoFactorOn') : t('adminPeople.users.twoFactorOff')}</td>
              <td>
                {user.last_login_at ? (
                  <RelativeTime iso={user.last_login_at} />
                ) : (
                  <span className="muted">{t('adminPeople.users.never')}</span>
                )}
              </td>
              <td>
                <div className="row-actions">
                  <Link to={user.id} className="btn btn-small" aria-label={t('adminPeople.users.editLabel', { name: user.name })}>
                    {t('adminPeople.common.edit')}
                  </Link>
                  <button
                    type="button"
                    className={user.is_active ? 'btn btn-small btn-danger' : 'btn btn-small'}
                    onClick={() => onToggle(user)}
                    aria-label={
                      user.is_active
                        ? t('adminPeople.users.deactivateLabel', { name: user.name })
                        : t('adminPeople.users.reactivateLabel', { name: user.name })
                    }
                  >
                    {user.is_active ? t('adminPeople.users.deactivate') : t('adminPeople.users.reactivate')}
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
