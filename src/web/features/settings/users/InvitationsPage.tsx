import { RelativeTime } from '../../../ui/RelativeTime'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { compact, focusFirstInvalid, validEmail } from '../../auth/validation'
import { Alert } from '../../../ui/Alert'
import { ConfirmDialog } from '../../../ui/Dialog'
import { errorMessage } from '../../../ui/errorMessage'
import { Field } from '../../../ui/Field'
import { formatDateTime } from '../../../ui/format'
import { SelectField } from '../../../ui/SelectField'
import { Loading } from '../../../ui/Spinner'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { PAGE_SIZE, usersApi, usersKeys, useInvitations, useRoles, type Invitation, type InvitationsQuery, type IssuedInvitation, type NewInvitation } from './api'
import { CopyButton } from './CopyButton'
import { roleName, RoleOptions } from './roles'
import { otherErrors, serverFieldErrors } from './serverErrors'
import { LoadError } from '../../../ui/LoadError'

type StatusFilter = '' | NonNullable<InvitationsQuery['status']>
const STATUSES: StatusFilter[] = ['pending', '', 'accepted', 'revoked', 'expired']
/** Open invitations: they can be sent again or withdrawn. */
const isOpen = (invitation: Invitation) => invitation.status === 'pending' || invitation.status === 'expired'

/** Invitations (/settings/users/invitations): invite by email with a role, then resend or revoke. */
export function InvitationsPage() {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const roles = useRoles()
  const [status, setStatus] = useState<StatusFilter>('pending')
  const [page, setPage] = useState(1)
  const invitations = useInvitations({ ...(status ? { status } : {}), page, limit: PAGE_SIZE })
  const [issued, setIssued] = useState<{ kind: 'sent' | 'resent'; invitation: IssuedInvitation } | null>(null)
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null)
  const [revoking, setRevoking] = useState<Invitation | null>(null)
  useDocumentTitle(`${t('adminPeople.users.tabInvitations')} · ${t('adminPeople.users.title')}`)

  const refresh = () => queryClient.invalidateQueries({ queryKey: usersKeys.invitations })
  const clearMessages = () => {
    setIssued(null)
    setNotice(null)
  }

  const resend = useMutation({
    mutationFn: (invitation: Invitation) => usersApi.resend(invitation.id),
    onMutate: clearMessages,
    onSuccess: (invitation) => {
      setIssued({ kind: 'resent', invitation })
      void refresh()
    },
    onError: (error) => setNotice({ tone: 'error', text: errorMessage(error, t) }),
  })

  const revoke = useMutation({
    mutationFn: (invitation: Invitation) => usersApi.revoke(invitation.id),
    onSuccess: (invitation) => {
      setRevoking(null)
      setNotice({ tone: 'success', text: t('adminPeople.invitations.revoked', { email: invitation.email }) })
      void refresh()
    },
  })

  const total = invitations.data?.meta?.total ?? invitations.data?.data.length ?? 0
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE))

  return (
    <section aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">{t('adminPeople.invitations.title')}</h2>
      <p className="muted">{t('adminPeople.invitations.intro')}</p>

      <InviteForm
        roles={roles.data}
        rolesError={roles.isError ? errorMessage(roles.error, t) : undefined}
        onStart={clearMessages}
        onInvited={(invitation) => {
          setIssued({ kind: 'sent', invitation })
          void refresh()
        }}
      />

      <div aria-live="polite">
        {issued ? (
          <Alert tone="success">
            <p>
              {issued.kind === 'sent'
                ? t('adminPeople.invitations.sent', { email: issued.invitation.email })
                : t('adminPeople.invitations.resent', { email: issued.invitation.email })}
            </p>
            <p className="invite-link">
              <span>{t('adminPeople.invitations.linkIntro')}</span> <code className="break">{issued.invitation.accept_url}</code>{' '}
              <CopyButton text={issued.invitation.accept_url} label={t('adminPeople.invitations.copyLink')} />
            </p>
          </Alert>
        ) : notice ? (
          <Alert tone={notice.tone}>{notice.text}</Alert>
        ) : null}
      </div>

      <div className="section-header invitations-list-head">
        <h3>{t('adminPeople.invitations.listTitle')}</h3>
        <SelectField
          className="inline-filter"
          label={t('adminPeople.invitations.statusFilter')}
          name="status"
          value={status}
          onChange={(event) => {
            setStatus(event.target.value as StatusFilter)
            setPage(1)
          }}
        >
          {STATUSES.map((s) => (
            <option key={s || 'all'} value={s}>
              {s ? t(`adminPeople.invitations.status.${s}`) : t('adminPeople.invitations.allStatuses')}
            </option>
          ))}
        </SelectField>
      </div>

      {invitations.isPending ? (
        <Loading />
      ) : invitations.isError ? (
        <LoadError error={invitations.error} onRetry={() => void invitations.refetch()} />
      ) : invitations.data.data.length === 0 ? (
        <p className="card">{status === 'pending' ? t('adminPeople.invitations.noPending') : t('adminPeople.invitations.empty')}</p>
      ) : (
        <>
          <InvitationTable
            invitations={invitations.data.data}
            busy={invitations.isPlaceholderData}
            roleLabel={(key) => roleName(key, roles.data, t)}
            resending={resend.isPending ? resend.variables?.id : undefined}
            onResend={(invitation) => resend.mutate(invitation)}
            onRevoke={(invitation) => {
              clearMessages()
              revoke.reset()
              setRevoking(invitation)
            }}
          />
          {pages > 1 ? (
            <nav className="pager" aria-label={t('adminPeople.common.pages')}>
              <button type="button" className="btn" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                {t('adminPeople.common.previous')}
              </button>
              <span>{t('adminPeople.common.page', { page, pages })}</span>
              <button type="button" className="btn" disabled={page >= pages} onClick={() => setPage(page + 1)}>
                {t('adminPeople.common.next')}
              </button>
            </nav>
          ) : null}
        </>
      )}

      <ConfirmDialog
        open={revoking !== null}
        title={t('adminPeople.invitations.revokeTitle')}
        confirmLabel={t('adminPeople.invitations.revoke')}
        pendingLabel={t('adminPeople.common.working')}
        pending={revoke.isPending}
        error={revoke.isError ? errorMessage(revoke.error, t) : null}
        onConfirm={() => revoking && revoke.mutate(revoking)}
        onCancel={() => setRevoking(null)}
      >
        <p>{revoking ? t('adminPeople.invitations.revokeBody', { email: revoking.email }) : null}</p>
      </ConfirmDialog>
    </section>
  )
}

interface InviteFormProps {
  roles: Parameters<typeof RoleOptions>[0]['roles']
  rolesError: string | undefined
  onStart: () => void
  onInvited: (invitation: IssuedInvitation) => void
}

function InviteForm({ roles, rolesError, onStart, onInvited }: InviteFormProps) {
  const { t } = useTranslation()
  const formRef = useRef<HTMLFormElement>(null)
  const [values, setValues] = useState({ email: '', role: 'agent', name: '' })
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({})

  const invite = useMutation({
    mutationFn: (input: NewInvitation) => usersApi.invite(input),
    onSuccess: (invitation) => {
      setValues((v) => ({ ...v, email: '', name: '' }))
      onInvited(invitation)
    },
    onError: (error) => {
      const server = serverFieldErrors(error, t, {}, {
        pending_invitation: t('adminPeople.invitations.alreadyInvited'),
        already_member: t('adminPeople.userForm.alreadyMember'),
      })
      setErrors(server)
      focusFirstInvalid(formRef.current, server)
    },
  })

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    onStart()
    const next = compact<string>({ email: validEmail(values.email, t) })
    setErrors(next)
    if (Object.keys(next).length) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    invite.mutate({ email: values.email.trim(), role: values.role, ...(values.name.trim() ? { name: values.name.trim() } : {}) })
  }

  const elsewhere = otherErrors(errors, ['email', 'role', 'name'])
  const problem = invite.isError && (elsewhere || !Object.keys(errors).length) ? [errorMessage(invite.error, t), elsewhere].filter(Boolean).join(' ') : null

  return (
    <form ref={formRef} className="card form invite-form" onSubmit={onSubmit} noValidate aria-labelledby="invite-heading">
      <h3 id="invite-heading">{t('adminPeople.invitations.inviteTitle')}</h3>
      {problem ? <Alert>{problem}</Alert> : null}
      <div className="invite-fields">
        <Field
          label={t('common.email')}
          name="email"
          type="email"
          inputMode="email"
          autoComplete="off"
          spellCheck={false}
          value={values.email}
          onChange={(event) => setValues((v) => ({ ...v, email: event.target.value }))}
          error={errors.email}
          required
        />
        <SelectField
          label={t('adminPeople.users.role')}
          name="role"
          value={values.role}
          onChange={(event) => setValues((v) => ({ ...v, role: event.target.value }))}
          error={errors.role ?? rolesError}
        >
          <RoleOptions roles={roles} current={values.role} />
        </SelectField>
        <Field
          label={t('adminPeople.invitations.nameOptional')}
          name="name"
          autoComplete="off"
          value={values.name}
          onChange={(event) => setValues((v) => ({ ...v, name: event.target.value }))}
          error={errors.name}
          maxLength={200}
        />
      </div>
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={invite.isPending}>
          {invite.isPending ? t('adminPeople.invitations.sending') : t('adminPeople.invitations.send')}
        </button>
      </div>
    </form>
  )
}

interface InvitationTableProps {
  invitations: Invitation[]
  busy: boolean
  resending: string | undefined
  roleLabel: (key: string) => string
  onResend: (invitation: Invitation) => void
  onRevoke: (invitation: Invitation) => void
}

function InvitationTable({ invitations, busy, resending, roleLabel, onResend, onRevoke }: InvitationTableProps) {
  const { t, i18n } = useTranslation()
  const captionId = useId()
  const when = (iso: string) => <RelativeTime iso={iso} />
  return (
    <div className="table-wrap" role="region" aria-labelledby={captionId} tabIndex={0} aria-busy={busy || undefined}>
      <table className="table invitations-table">
        <caption id={captionId} className="visually-hidden">
          {t('adminPeople.invitations.caption')}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('common.email')}</th>
            <th scope="col">{t('adminPeople.users.role')}</th>
            <th scope="col">{t('adminPeople.users.status')}</th>
            <th scope="col">{t('adminPeople.invitations.invitedBy')}</th>
            <th scope="col">{t('adminPeople.invitations.expires')}</th>
            <th scope="col">{t('adminPeople.common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {invitations.map((invitation) => (
            <tr key={invitation.id}>
              <th scope="row">
                <span className="cell-main">{invitation.email}</span>
                {invitation.name ? <span className="cell-sub">{invitation.name}</span> : null}
              </th>
              <td>{roleLabel(invitation.role)}</td>
              <td>
                <span className={invitation.status === 'pending' ? 'badge' : 'badge badge-off'}>{t(`adminPeople.invitations.status.${invitation.status}`)}</span>
              </td>
              <td>
                {invitation.invited_by ? <span className="cell-main-plain">{invitation.invited_by.name}</span> : null}
                <span className="cell-sub">{when(invitation.created_at)}</span>
              </td>
              <td>
                {invitation.status === 'accepted' && invitation.accepted_at
                  ? t('adminPeople.invitations.acceptedOn', { date: formatDateTime(invitation.accepted_at, i18n.language) })
                  : invitation.status === 'revoked'
                    ? '—'
                    : when(invitation.expires_at)}
              </td>
              <td>
                {isOpen(invitation) ? (
                  <div className="row-actions">
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={resending === invitation.id}
                      onClick={() => onResend(invitation)}
                      aria-label={t('adminPeople.invitations.resendLabel', { email: invitation.email })}
                    >
                      {resending === invitation.id ? t('adminPeople.invitations.sending') : t('adminPeople.invitations.resend')}
                    </button>
                    <button
                      type="button"
                      className="btn btn-small btn-danger"
                      onClick={() => onRevoke(invitation)}
                      aria-label={t('adminPeople.invitations.revokeLabel', { email: invitation.email })}
                    >
                      {t('adminPeople.invitations.revoke')}
                    </button>
                  </div>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
