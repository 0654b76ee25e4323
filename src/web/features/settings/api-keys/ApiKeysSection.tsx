import { RelativeTime } from '../../../ui/RelativeTime'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Route, Routes } from 'react-router'
import { NotFoundPage } from '../../../app/RouteError'
import { compact, focusFirstInvalid, required } from '../../auth/validation'
import { Alert } from '../../../ui/Alert'
import { ConfirmDialog, Dialog } from '../../../ui/Dialog'
import { errorMessage } from '../../../ui/errorMessage'
import { Field } from '../../../ui/Field'
import { formatDateTime } from '../../../ui/format'
import { SelectField } from '../../../ui/SelectField'
import { Loading } from '../../../ui/Spinner'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { useRoles } from '../users/api'
import { CopyButton } from '../users/CopyButton'
import { roleName, RoleOptions } from '../users/roles'
import { otherErrors, serverFieldErrors } from '../users/serverErrors'
import { apiKeysApi, apiKeysKeys, keyState, useApiKeys, type ApiKey, type CreatedApiKey, type NewApiKey } from './api'
import './styles.css'
import { LoadError } from '../../../ui/LoadError'

/** Settings → API keys (/settings/api-keys): list, create (the key shown once) and revoke. */
export function ApiKeysSection() {
  return (
    <Routes>
      <Route index element={<ApiKeysPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  )
}

function ApiKeysPage() {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const keys = useApiKeys()
  const roles = useRoles()
  const [creating, setCreating] = useState(false)
  const [created, setCreated] = useState<CreatedApiKey | null>(null)
  const [revoking, setRevoking] = useState<ApiKey | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  useDocumentTitle(t('adminPeople.apiKeys.title'))

  const revoke = useMutation({
    mutationFn: (key: ApiKey) => apiKeysApi.revoke(key.id),
    onSuccess: (key) => {
      setRevoking(null)
      setNotice(t('adminPeople.apiKeys.revoked', { name: key.name }))
      void queryClient.invalidateQueries({ queryKey: apiKeysKeys.all })
    },
  })

  return (
    <div className="settings api-keys">
      <div className="section-header">
        <div>
          <h1 className="page-title">{t('adminPeople.apiKeys.title')}</h1>
          <p className="muted">{t('adminPeople.apiKeys.intro')}</p>
        </div>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => {
            setNotice(null)
            setCreating(true)
          }}
        >
          {t('adminPeople.apiKeys.create')}
        </button>
      </div>

      {created ? <NewKeyCard created={created} onDone={() => setCreated(null)} /> : null}
      <div aria-live="polite">{notice ? <Alert tone="success">{notice}</Alert> : null}</div>

      {keys.isPending ? (
        <Loading />
      ) : keys.isError ? (
        <LoadError error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data.length === 0 ? (
        <p className="card">{t('adminPeople.apiKeys.empty')}</p>
      ) : (
        <KeyTable
          keys={keys.data}
          roleLabel={(key) => roleName(key, roles.data, t)}
          onRevoke={(key) => {
            setNotice(null)
            revoke.reset()
            setRevoking(key)
          }}
        />
      )}

      <Dialog open={creating} title={t('adminPeople.apiKeys.createTitle')} onClose={() => setCreating(false)}>
        <CreateKeyForm
          onCancel={() => setCreating(false)}
          onCreated={(key) => {
            setCreating(false)
            setCreated(key)
            void queryClient.invalidateQueries({ queryKey: apiKeysKeys.all })
          }}
        />
      </Dialog>

      <ConfirmDialog
        open={revoking !== null}
        title={t('adminPeople.apiKeys.revokeTitle')}
        confirmLabel={t('adminPeople.apiKeys.revoke')}
        pendingLabel={t('adminPeople.common.working')}
        pending={revoke.isPending}
        error={revoke.isError ? errorMessage(revoke.error, t) : null}
        onConfirm={() => revoking && revoke.mutate(revoking)}
        onCancel={() => setRevoking(null)}
      >
        <p>{revoking ? t('adminPeople.apiKeys.revokeBody', { name: revoking.name, prefix: revoking.prefix }) : null}</p>
      </ConfirmDialog>
    </div>
  )
}

/** The new key, this one time: a warning, the key, a copy button, and Done (after which it is gone). */
function NewKeyCard({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  const { t } = useTranslation()
  const headingRef = useRef<HTMLHeadingElement>(null)
  useEffect(() => headingRef.current?.focus(), [])
  return (
    <section className="card new-key" aria-labelledby="new-key-heading">
      <h2 id="new-key-heading" ref={headingRef} tabIndex={-1}>
        {t('adminPeople.apiKeys.newKeyTitle', { name: created.name })}
      </h2>
      <Alert tone="info">
        <p>
          <strong>{t('adminPeople.apiKeys.onceWarning')}</strong> {t('adminPeople.apiKeys.onceDetail')}
        </p>
      </Alert>
      <p className="new-key-value">
        <span className="visually-hidden">{t('adminPeople.apiKeys.keyLabel')} </span>
        <code className="secret break">{created.key}</code>
      </p>
      <div className="actions">
        <CopyButton text={created.key} label={t('adminPeople.apiKeys.copy')} />
        <button type="button" className="btn" onClick={onDone}>
          {t('adminPeople.apiKeys.done')}
        </button>
      </div>
    </section>
  )
}

/** Today as YYYY-MM-DD in the browser's time zone: the earliest expiry date to pick. */
function today(): string {
  const now = new Date()
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`
}

function CreateKeyForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (key: CreatedApiKey) => void }) {
  const { t } = useTranslation()
  const roles = useRoles()
  const formRef = useRef<HTMLFormElement>(null)
  const [values, setValues] = useState({ name: '', role: 'agent', expires: '' })
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({})

  const create = useMutation({
    mutationFn: (input: NewApiKey) => apiKeysApi.create(input),
    onSuccess: onCreated,
    onError: (error) => {
      const server = serverFieldErrors(error, t, { expires_at: t('adminPeople.apiKeys.expiresInvalid') })
      // The date field is named `expires`; the server's field is `expires_at`.
      if (server.expires_at) server.expires = server.expires_at
      delete server.expires_at
      setErrors(server)
      focusFirstInvalid(formRef.current, server)
    },
  })

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    // The key stops working at the end of the chosen day, in the browser's time zone.
    const expiresAt = values.expires ? new Date(`${values.expires}T23:59:59`) : null
    const next = compact<string>({
      name: required(values.name, t),
      expires: expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now()) ? t('adminPeople.apiKeys.expiresInvalid') : undefined,
    })
    setErrors(next)
    if (Object.keys(next).length) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    create.mutate({ name: values.name.trim(), role: values.role, ...(expiresAt ? { expires_at: expiresAt.toISOString() } : {}) })
  }

  const elsewhere = otherErrors(errors, ['name', 'role', 'expires'])
  const problem = create.isError && (elsewhere || !Object.keys(errors).length) ? [errorMessage(create.error, t), elsewhere].filter(Boolean).join(' ') : null

  return (
    <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
      {problem ? <Alert>{problem}</Alert> : null}
      <Field
        label={t('adminPeople.apiKeys.name')}
        name="name"
        value={values.name}
        onChange={(event) => setValues((v) => ({ ...v, name: event.target.value }))}
        hint={t('adminPeople.apiKeys.nameHint')}
        error={errors.name}
        maxLength={100}
        autoComplete="off"
        required
        autoFocus
      />
      <SelectField
        label={t('adminPeople.apiKeys.role')}
        name="role"
        value={values.role}
        onChange={(event) => setValues((v) => ({ ...v, role: event.target.value }))}
        hint={t('adminPeople.apiKeys.roleHint')}
        error={errors.role ?? (roles.isError ? errorMessage(roles.error, t) : undefined)}
      >
        <RoleOptions roles={roles.data} current={values.role} only={(role) => role.kind === 'staff'} />
      </SelectField>
      <Field
        label={t('adminPeople.apiKeys.expires')}
        name="expires"
        type="date"
        min={today()}
        value={values.expires}
        onChange={(event) => setValues((v) => ({ ...v, expires: event.target.value }))}
        hint={t('adminPeople.apiKeys.expiresHint')}
        error={errors.expires}
      />
      <div className="actions dialog-actions">
        <button type="button" className="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn-primary" disabled={create.isPending}>
          {create.isPending ? t('adminPeople.apiKeys.creating') : t('adminPeople.apiKeys.createSubmit')}
        </button>
      </div>
    </form>
  )
}

function KeyTable({ keys, roleLabel, onRevoke }: { keys: ApiKey[]; roleLabel: (key: string) => string; onRevoke: (key: ApiKey) => void }) {
  const { t, i18n } = useTranslation()
  const captionId = useId()
  const when = (iso: string) => <RelativeTime iso={iso} />
  return (
    <div className="table-wrap" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table className="table api-keys-table">
        <caption id={captionId} className="visually-hidden">
          {t('adminPeople.apiKeys.caption')}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('adminPeople.apiKeys.name')}</th>
            <th scope="col">{t('adminPeople.apiKeys.key')}</th>
            <th scope="col">{t('adminPeople.apiKeys.role')}</th>
            <th scope="col">{t('adminPeople.apiKeys.created')}</th>
            <th scope="col">{t('adminPeople.apiKeys.lastUsed')}</th>
            <th scope="col">{t('adminPeople.apiKeys.expires')}</th>
            <th scope="col">{t('adminPeople.users.status')}</th>
            <th scope="col">{t('adminPeople.common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const state = keyState(key)
            return (
              <tr key={key.id} className={state === 'active' ? undefined : 'is-inactive'}>
                <th scope="row">
                  <span className="cell-main">{key.name}</span>
                </th>
                <td>
                  <code>aidly_{key.prefix}_…</code>
                </td>
                <td>{roleLabel(key.role)}</td>
                <td>
                  <span className="cell-main-plain">{when(key.created_at)}</span>
                  {key.created_by?.name ? <span className="cell-sub">{t('adminPeople.apiKeys.by', { name: key.created_by.name })}</span> : null}
                </td>
                <td>{key.last_used_at ? when(key.last_used_at) : <span className="muted">{t('adminPeople.apiKeys.neverUsed')}</span>}</td>
                <td>{key.expires_at ? formatDateTime(key.expires_at, i18n.language) : <span className="muted">{t('adminPeople.apiKeys.noExpiry')}</span>}</td>
                <td>
                  <span className={state === 'active' ? 'badge' : 'badge badge-off'}>{t(`adminPeople.apiKeys.state.${state}`)}</span>
                </td>
                <td>
                  {state === 'revoked' ? (
                    <span className="muted">—</span>
                  ) : (
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      onClick={() => onRevoke(key)}
                      aria-label={t('adminPeople.apiKeys.revokeLabel', { name: key.name })}
                    >
                      {t('adminPeople.apiKeys.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
