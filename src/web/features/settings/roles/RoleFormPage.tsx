import type { TFunction } from 'i18next'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation, useNavigate, useParams } from 'react-router'
import { isApiError } from '../../../api/client'
import { useMe } from '../../../api/queries'
import { Alert } from '../../../ui/Alert'
import { CheckboxField } from '../../../ui/CheckboxField'
import { errorMessage } from '../../../ui/errorMessage'
import { Field } from '../../../ui/Field'
import { Loading } from '../../../ui/Spinner'
import { TextAreaField } from '../../../ui/TextAreaField'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { focusFirstInvalid } from '../../auth/validation'
import { roleKeys, rolesApi, useRole, type NewRole, type Role, type RoleKind, type TicketScope } from './api'
import { isCustomerPermission, permissionDescription, permissionsByArea } from './permissionAreas'
import type { RoleFlash } from './RolesListPage'
import { roleDescription, roleName } from './text'

/** Where "Copy into a new role" sends the user: the role to start from. */
interface CopyState {
  copyFrom?: Pick<Role, 'kind' | 'ticket_scope' | 'permissions'>
}

const STAFF_SCOPES: TicketScope[] = ['all', 'team', 'own']
const KEY_PATTERN = /^[a-z][a-z0-9_]{0,49}$/

/** New role (/settings/roles/new), a custom role's form, or a built-in role shown read-only. */
export function RoleFormPage() {
  const { t } = useTranslation()
  const { id } = useParams()
  const role = useRole(id)
  const title = !id
    ? t('adminConfig.roles.newTitle')
    : role.data
      ? t(role.data.is_system ? 'adminConfig.roles.viewTitle' : 'adminConfig.roles.editTitle', { name: roleName(role.data, t) })
      : t('adminConfig.roles.title')
  useDocumentTitle(`${title} · ${t('adminConfig.roles.title')}`)

  return (
    <section aria-labelledby="role-form-heading">
      <p className="back-link">
        <Link to="/settings/roles">{t('adminConfig.roles.back')}</Link>
      </p>
      <h2 id="role-form-heading">{title}</h2>
      {!id ? (
        <RoleForm />
      ) : role.isPending ? (
        <Loading />
      ) : role.isError ? (
        <Alert>
          {isApiError(role.error, 'not_found') || isApiError(role.error, 'validation_error')
            ? t('adminConfig.roles.notFound')
            : errorMessage(role.error, t)}
        </Alert>
      ) : role.data.is_system ? (
        <BuiltinRole role={role.data} />
      ) : (
        <RoleForm role={role.data} />
      )}
    </section>
  )
}

/** A built-in role: what it may do, and a way to start a custom role from it. */
function BuiltinRole({ role }: { role: Role }) {
  const { t } = useTranslation()
  const held = new Set(role.permissions)
  const copy: CopyState = { copyFrom: { kind: role.kind, ticket_scope: role.ticket_scope, permissions: role.permissions } }
  return (
    <div className="settings-form config-stack">
      <Alert tone="info">{t('adminConfig.roles.builtinReadOnly')}</Alert>
      <div className="card">
        <p>{roleDescription(role, t)}</p>
        <dl className="facts">
          <div>
            <dt>{t('adminConfig.roles.kindLabel')}</dt>
            <dd>{t(`adminConfig.roles.kind.${role.kind}`)}</dd>
          </div>
          <div>
            <dt>{t('adminConfig.roles.scopeLabel')}</dt>
            <dd>{t(`adminConfig.roles.scope.${role.ticket_scope}`)}</dd>
          </div>
          <div>
            <dt>{t('adminConfig.roles.membersLabel')}</dt>
            <dd>{t('adminConfig.roles.memberCount', { count: role.member_count })}</dd>
          </div>
        </dl>
      </div>
      <div className="card">
        <h3>{t('adminConfig.roles.permissions')}</h3>
        {permissionsByArea().map(({ area, permissions }) => {
          const mine = permissions.filter((p) => held.has(p))
          return (
            <div key={area} className="perm-readonly">
              <h4>{t(`adminConfig.roles.areas.${area}`)}</h4>
              {mine.length ? (
                <ul>
                  {mine.map((p) => (
                    <li key={p}>
                      <span aria-hidden="true">✓ </span>
                      {permissionDescription(p, t)} <code>{p}</code>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted">{t('adminConfig.roles.noneInArea')}</p>
              )}
            </div>
          )
        })}
      </div>
      <div className="actions">
        <Link to="/settings/roles/new" state={copy} className="btn">
          {t('adminConfig.roles.copy')}
        </Link>
      </div>
    </div>
  )
}

interface Values {
  name: string
  key: string
  description: string
  kind: RoleKind
  scope: TicketScope
  permissions: Set<string>
}

function initialValues(role: Role | undefined, copy: CopyState['copyFrom']): Values {
  const from = role ?? copy
  return {
    name: role?.name ?? '',
    key: role?.key ?? '',
    description: role?.description ?? '',
    kind: from?.kind ?? 'staff',
    scope: from?.ticket_scope ?? 'team',
    permissions: new Set(from?.permissions ?? []),
  }
}

/** Server details → messages on the form's fields (`permissions.3` → `permissions`). */
function formErrors(error: unknown, t: TFunction): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isApiError(error)) return out
  for (const detail of error.details) {
    const raw = detail.field?.replace(/^\/?(body[./])?/, '') ?? ''
    const field = raw.startsWith('permissions') ? 'permissions' : raw
    if (!field || out[field]) continue
    if (error.code === 'conflict' && field === 'name') out.name = t('adminConfig.roles.nameTaken')
    else if (error.code === 'conflict' && field === 'key') out.key = t('adminConfig.roles.keyTaken')
    else if (field === 'name' && (detail.code === 'minLength' || detail.code === 'required' || /blank/.test(detail.message))) out.name = t('validation.required')
    else if (field === 'key') out.key = t('adminConfig.roles.keyInvalid')
    else out[field] = detail.message
  }
  return out
}

function RoleForm({ role }: { role?: Role }) {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const location = useLocation()
  const queryClient = useQueryClient()
  const me = useMe()
  const formId = useId()
  const formRef = useRef<HTMLFormElement>(null)
  const [values, setValues] = useState<Values>(() => initialValues(role, (location.state as CopyState | null)?.copyFrom))
  const [errors, setErrors] = useState<Record<string, string>>({})
  const editing = !!role
  const mine = new Set(me.data?.role.permissions ?? [])

  const save = useMutation({
    mutationFn: (input: NewRole) =>
      role
        ? rolesApi.update(role.id, { name: input.name, description: input.description, permissions: input.permissions, ticket_scope: input.ticket_scope })
        : rolesApi.create(input),
    onSuccess: async (saved) => {
      // The list is not on screen now: refetch it anyway, so it is current when we go back to it.
      await queryClient.invalidateQueries({ queryKey: roleKeys.all, refetchType: 'all' })
      const state: RoleFlash = { flash: { kind: editing ? 'saved' : 'created', name: saved.name } }
      await navigate('/settings/roles', { state })
    },
    onError: (error) => {
      const next = formErrors(error, t)
      setErrors(next)
      focusFirstInvalid(formRef.current, next)
    },
  })

  const setKind = (kind: RoleKind) =>
    setValues((v) => ({
      ...v,
      kind,
      scope: kind === 'customer' ? 'requested' : v.scope === 'requested' ? 'team' : v.scope,
      permissions: kind === 'customer' ? new Set([...v.permissions].filter(isCustomerPermission)) : v.permissions,
    }))

  const toggle = (permission: string, on: boolean) =>
    setValues((v) => {
      const permissions = new Set(v.permissions)
      if (on) permissions.add(permission)
      else permissions.delete(permission)
      return { ...v, permissions }
    })

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next: Record<string, string> = {}
    if (!values.name.trim()) next.name = t('validation.required')
    if (!editing && values.key.trim() && !KEY_PATTERN.test(values.key.trim())) next.key = t('adminConfig.roles.keyInvalid')
    setErrors(next)
    if (Object.keys(next).length) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    save.mutate({
      name: values.name.trim(),
      ...(values.key.trim() && !editing ? { key: values.key.trim() } : {}),
      description: values.description.trim() || null,
      kind: values.kind,
      ticket_scope: values.scope,
      permissions: [...values.permissions],
    })
  }

  const known = new Set(['name', 'key', 'description', 'ticket_scope', 'permissions'])
  const elsewhere = Object.entries(errors).filter(([field]) => !known.has(field))
  const problem = !save.isError
    ? null
    : isApiError(save.error, 'forbidden')
      ? t('adminConfig.roles.cannotGrant', { list: save.error.details.map((d) => d.message.replace(/^you do not hold /, '')).join(', ') || save.error.message })
      : Object.keys(errors).length && !elsewhere.length
        ? t('errors.validation_error')
        : errorMessage(save.error, t)

  const scopes: TicketScope[] = values.kind === 'customer' ? ['requested'] : STAFF_SCOPES

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="form settings-form">
      {problem ? <Alert>{problem}</Alert> : null}

      <fieldset className="card fieldset">
        <legend>{t('adminConfig.roles.about')}</legend>
        <Field
          label={t('adminConfig.roles.name')}
          name="name"
          value={values.name}
          onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))}
          error={errors.name}
          maxLength={100}
          required
        />
        {editing ? (
          <p className="muted">{t('adminConfig.roles.keyFixed', { key: role.key })}</p>
        ) : (
          <Field
            label={t('adminConfig.roles.key')}
            name="key"
            value={values.key}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => setValues((v) => ({ ...v, key: e.target.value }))}
            hint={t('adminConfig.roles.keyHint')}
            error={errors.key}
            maxLength={50}
          />
        )}
        <TextAreaField
          label={t('adminConfig.roles.description')}
          name="description"
          rows={2}
          value={values.description}
          onChange={(e) => setValues((v) => ({ ...v, description: e.target.value }))}
          error={errors.description}
          maxLength={500}
        />
      </fieldset>

      <fieldset className="card fieldset">
        <legend>{t('adminConfig.roles.kindLabel')}</legend>
        {editing ? (
          <p>
            {t(`adminConfig.roles.kind.${values.kind}`)} — <span className="muted">{t('adminConfig.roles.kindFixed')}</span>
          </p>
        ) : (
          <div className="radio-list">
            {(['staff', 'customer'] as const).map((kind) => (
              <div className="check" key={kind}>
                <input
                  type="radio"
                  id={`${formId}-kind-${kind}`}
                  name="kind"
                  value={kind}
                  checked={values.kind === kind}
                  onChange={() => setKind(kind)}
                  aria-describedby={`${formId}-kind-${kind}-hint`}
                />
                <div>
                  <label htmlFor={`${formId}-kind-${kind}`}>{t(`adminConfig.roles.kind.${kind}`)}</label>
                  <p className="field-hint" id={`${formId}-kind-${kind}-hint`}>
                    {t(`adminConfig.roles.kindHint.${kind}`)}
                  </p>
                </div>
              </div>
            ))}
          </div>
        )}
      </fieldset>

      <fieldset className="card fieldset" aria-describedby={errors.ticket_scope ? `${formId}-scope-error` : undefined}>
        <legend>{t('adminConfig.roles.scopeLabel')}</legend>
        <div className="radio-list">
          {scopes.map((scope) => (
            <div className="check" key={scope}>
              <input
                type="radio"
                id={`${formId}-scope-${scope}`}
                name="ticket_scope"
                value={scope}
                checked={values.scope === scope}
                onChange={() => setValues((v) => ({ ...v, scope }))}
              />
              <label htmlFor={`${formId}-scope-${scope}`}>{t(`adminConfig.roles.scope.${scope}`)}</label>
            </div>
          ))}
        </div>
        {errors.ticket_scope ? (
          <p className="field-error" id={`${formId}-scope-error`}>
            {errors.ticket_scope}
          </p>
        ) : null}
      </fieldset>

      <fieldset className="card fieldset" aria-describedby={errors.permissions ? `${formId}-perm-error` : `${formId}-perm-hint`}>
        <legend>{t('adminConfig.roles.permissions')}</legend>
        <p className="field-hint" id={`${formId}-perm-hint`}>
          {t('adminConfig.roles.permissionsHint', { count: values.permissions.size })}
        </p>
        {errors.permissions ? (
          <p className="field-error" id={`${formId}-perm-error`}>
            {errors.permissions}
          </p>
        ) : null}
        <div className="perm-groups">
          {permissionsByArea().map(({ area, permissions }) => (
            <fieldset key={area} className="perm-group">
              <legend>{t(`adminConfig.roles.areas.${area}`)}</legend>
              {permissions.map((p) => {
                const checked = values.permissions.has(p)
                const notForCustomers = values.kind === 'customer' && !isCustomerPermission(p)
                const notMine = !checked && me.data !== undefined && !mine.has(p)
                return (
                  <CheckboxField
                    key={p}
                    name={`permission.${p}`}
                    label={permissionDescription(p, t)}
                    hint={
                      <>
                        <code>{p}</code>
                        {notForCustomers ? ` — ${t('adminConfig.roles.notForCustomers')}` : notMine ? ` — ${t('adminConfig.roles.notYours')}` : ''}
                      </>
                    }
                    checked={checked}
                    disabled={notForCustomers || notMine}
                    onChange={(e) => toggle(p, e.target.checked)}
                  />
                )
              })}
            </fieldset>
          ))}
        </div>
      </fieldset>

      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? t('adminConfig.common.saving') : editing ? t('adminConfig.common.saveChanges') : t('adminConfig.roles.create')}
        </button>
        <Link to="/settings/roles" className="btn">
          {t('common.cancel')}
        </Link>
      </div>
    </form>
  )
}
