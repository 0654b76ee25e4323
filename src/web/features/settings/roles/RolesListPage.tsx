import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation, useNavigate } from 'react-router'
import { Alert } from '../../../ui/Alert'
import { ConfirmDialog } from '../../../ui/Dialog'
import { Loading } from '../../../ui/Spinner'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { roleKeys, rolesApi, useRoles, type Role } from './api'
import { deleteRefusal, roleDescription, roleName } from './text'
import { LoadError } from '../../../ui/LoadError'

/** What the form tells this page after saving, for the message shown here. */
export interface RoleFlash {
  flash?: { kind: 'created' | 'saved'; name: string }
}

export function RolesListPage() {
  const { t } = useTranslation()
  const roles = useRoles()
  const queryClient = useQueryClient()
  const location = useLocation()
  const navigate = useNavigate()
  const headingRef = useRef<HTMLHeadingElement>(null)
  const [toDelete, setToDelete] = useState<Role | null>(null)
  const [deleted, setDeleted] = useState<string | null>(null)
  useDocumentTitle(t('adminConfig.roles.title'))
  const flash = (location.state as RoleFlash | null)?.flash

  useEffect(() => {
    if (deleted) headingRef.current?.focus()
  }, [deleted])

  const remove = useMutation({
    mutationFn: (role: Role) => rolesApi.remove(role.id),
    onSuccess: (_data, role) => {
      setToDelete(null)
      setDeleted(roleName(role, t))
      queryClient.setQueryData<Role[]>(roleKeys.list, (list) => list?.filter((r) => r.id !== role.id))
      void queryClient.invalidateQueries({ queryKey: roleKeys.all })
    },
  })

  const builtIn = roles.data?.filter((r) => r.is_system) ?? []
  const custom = roles.data?.filter((r) => !r.is_system) ?? []

  const onDelete = (role: Role) => {
    setDeleted(null)
    if (flash) void navigate('.', { replace: true, state: null })
    remove.reset()
    setToDelete(role)
  }

  return (
    <section aria-labelledby="roles-heading">
      <div className="section-header">
        <div>
          <h2 id="roles-heading" ref={headingRef} tabIndex={-1}>
            {t('adminConfig.roles.listTitle')}
          </h2>
          <p className="muted">{t('adminConfig.roles.intro')}</p>
        </div>
        <Link to="new" className="btn btn-primary">
          {t('adminConfig.roles.add')}
        </Link>
      </div>

      <div aria-live="polite">
        {deleted ? (
          <Alert tone="success">{t('adminConfig.roles.deleted', { name: deleted })}</Alert>
        ) : flash ? (
          <Alert tone="success">
            {t(flash.kind === 'created' ? 'adminConfig.roles.created' : 'adminConfig.roles.saved', { name: flash.name })}
          </Alert>
        ) : null}
      </div>

      {roles.isPending ? (
        <Loading />
      ) : roles.isError ? (
        <LoadError error={roles.error} onRetry={() => void roles.refetch()} />
      ) : (
        <>
          <section className="card config-group" aria-labelledby="custom-roles-heading">
            <h3 id="custom-roles-heading">{t('adminConfig.roles.customHeading')}</h3>
            {custom.length === 0 ? (
              <p className="muted">{t('adminConfig.roles.noCustom')}</p>
            ) : (
              <ul className="list">
                {custom.map((role) => (
                  <RoleRow key={role.id} role={role} onDelete={() => onDelete(role)} />
                ))}
              </ul>
            )}
          </section>
          <section className="card config-group" aria-labelledby="builtin-roles-heading">
            <h3 id="builtin-roles-heading">{t('adminConfig.roles.builtinHeading')}</h3>
            <p className="muted">{t('adminConfig.roles.builtinIntro')}</p>
            <ul className="list">
              {builtIn.map((role) => (
                <RoleRow key={role.id} role={role} />
              ))}
            </ul>
          </section>
        </>
      )}

      <ConfirmDialog
        open={toDelete !== null}
        title={t('adminConfig.roles.deleteTitle')}
        confirmLabel={t('adminConfig.roles.deleteConfirm')}
        pendingLabel={t('adminConfig.common.deleting')}
        pending={remove.isPending}
        error={remove.isError ? deleteRefusal(remove.error, t) : null}
        onConfirm={() => toDelete && remove.mutate(toDelete)}
        onCancel={() => setToDelete(null)}
      >
        <p>{toDelete ? t('adminConfig.roles.deleteBody', { name: toDelete.name }) : null}</p>
      </ConfirmDialog>
    </section>
  )
}

function RoleRow({ role, onDelete }: { role: Role; onDelete?: () => void }) {
  const { t } = useTranslation()
  const name = roleName(role, t)
  const description = roleDescription(role, t)
  return (
    <li className="list-row config-row">
      <div className="list-main">
        <span className="list-title">
          <Link to={role.id}>{name}</Link>
          {role.is_system ? <span className="badge badge-off">{t('adminConfig.roles.builtinBadge')}</span> : null}
          {role.kind === 'customer' ? <span className="badge">{t('adminConfig.roles.kind.customer')}</span> : null}
        </span>
        {description ? <span className="muted">{description}</span> : null}
        <span className="muted">
          {[
            t('adminConfig.roles.permissionCount', { count: role.permissions.length }),
            t(`adminConfig.roles.scopeShort.${role.ticket_scope}`),
            t('adminConfig.roles.memberCount', { count: role.member_count }),
          ].join(' · ')}
        </span>
      </div>
      <div className="actions">
        <Link to={role.id} className="btn btn-small" aria-label={t(role.is_system ? 'adminConfig.roles.viewLabel' : 'adminConfig.roles.editLabel', { name })}>
          {t(role.is_system ? 'adminConfig.common.view' : 'adminConfig.common.edit')}
        </Link>
        {onDelete ? (
          <button type="button" className="btn btn-small btn-danger" aria-label={t('adminConfig.roles.deleteLabel', { name })} onClick={onDelete}>
            {t('adminConfig.common.delete')}
          </button>
        ) : null}
      </div>
    </li>
  )
}
