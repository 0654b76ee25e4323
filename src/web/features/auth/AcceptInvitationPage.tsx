import { useMutation, useQuery } from '@tanstack/react-query'
import { useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { invitationsApi } from '../../api/auth'
import { isApiError } from '../../api/client'
import { useSession } from '../../app/session'
import { Alert } from '../../ui/Alert'
import { errorMessage, fieldErrors } from '../../ui/errorMessage'
import { Field } from '../../ui/Field'
import { Loading } from '../../ui/Spinner'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import {
  MIN_PASSWORD_LENGTH,
  compact,
  focusFirstInvalid,
  newPassword,
  required,
  secondFactor,
  type Errors,
} from './validation'

type FieldName = 'name' | 'password' | 'totp'

export function AcceptInvitationPage() {
  const { t } = useTranslation()
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
  const navigate = useNavigate()
  const { signIn } = useSession()
  const formRef = useRef<HTMLFormElement>(null)
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const [totp, setTotp] = useState('')
  const [needsTotp, setNeedsTotp] = useState(false)
  const [errors, setErrors] = useState<Errors<FieldName>>({})

  useDocumentTitle(t('invite.title'))

  const lookup = useQuery({
    queryKey: ['invitations', 'lookup', token],
    queryFn: ({ signal }) => invitationsApi.lookup(token, signal),
    enabled: token !== '',
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  })

  const accept = useMutation({
    mutationFn: invitationsApi.accept,
    onSuccess: (result) => {
      signIn(result)
      void navigate('/', { replace: true })
    },
    onError: (error) => {
      const server: Errors<FieldName> = fieldErrors(error)
      if (isApiError(error, 'invalid_credentials')) server.password = t('invite.wrongPassword')
      if (isApiError(error, 'invalid_totp')) server.totp = t('errors.invalid_totp')
      // An existing account with two-factor sign-in: ask for the code, then send everything again.
      if (isApiError(error, 'totp_required')) setNeedsTotp(true)
      setErrors(server)
      focusFirstInvalid(formRef.current, server)
    },
  })

  if (!token) {
    return (
      <>
        <h1>{t('invite.title')}</h1>
        <Alert>{t('invite.missingToken')}</Alert>
      </>
    )
  }
  if (lookup.isPending) return <Loading label={t('invite.loading')} />
  if (lookup.isError) {
    return (
      <>
        <h1>{t('invite.title')}</h1>
        <Alert>
          {isApiError(lookup.error, 'gone') || isApiError(lookup.error, 'not_found')
            ? t('invite.gone')
            : errorMessage(lookup.error, t)}
        </Alert>
        <p className="auth-links">
          <Link to="/login">{t('common.backToSignIn')}</Link>
        </p>
      </>
    )
  }

  const invitation = lookup.data
  const existing = invitation.existing_user

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next = compact<FieldName>({
      name: existing ? undefined : required(name, t),
      password: existing ? required(password, t) : newPassword(password, t),
      totp: needsTotp ? secondFactor(totp, t) : undefined,
    })
    setErrors(next)
    if (Object.keys(next).length > 0) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    accept.mutate({
      token,
      password,
      ...(existing ? {} : { name: name.trim() }),
      ...(needsTotp ? { totp: totp.replace(/[\s-]/g, '') } : {}),
    })
  }

  const gone = isApiError(accept.error, 'gone')

  return (
    <>
      <h1>{t('invite.heading', { organization: invitation.organization.name })}</h1>
      <p>{t('invite.intro', { organization: invitation.organization.name, role: invitation.role })}</p>
      <dl className="facts">
        <div>
          <dt>{t('invite.organization')}</dt>
          <dd>{invitation.organization.name}</dd>
        </div>
        <div>
          <dt>{t('common.email')}</dt>
          <dd>{invitation.email}</dd>
        </div>
      </dl>
      {existing ? <p>{t('invite.existingIntro')}</p> : null}
      {accept.isError && !errors.password && !errors.name && !errors.totp && !isApiError(accept.error, 'totp_required') ? (
        <Alert>{gone ? t('invite.gone') : errorMessage(accept.error, t)}</Alert>
      ) : null}
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form">
        {/* Lets password managers save the new credentials under the right account. */}
        <input type="email" name="username" value={invitation.email} autoComplete="username" readOnly hidden />
        {existing ? null : (
          <Field
            label={t('invite.name')}
            name="name"
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={errors.name}
            required
          />
        )}
        <Field
          label={existing ? t('invite.existingPassword') : t('invite.newPassword')}
          name="password"
          type="password"
          autoComplete={existing ? 'current-password' : 'new-password'}
          minLength={existing ? undefined : MIN_PASSWORD_LENGTH}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          hint={existing ? undefined : t('common.passwordHint', { min: MIN_PASSWORD_LENGTH })}
          error={errors.password}
          required
        />
        {needsTotp ? (
          <Field
            label={t('invite.totpLabel')}
            name="totp"
            inputMode="text"
            autoComplete="one-time-code"
            autoCapitalize="none"
            spellCheck={false}
            maxLength={24}
            value={totp}
            onChange={(e) => setTotp(e.target.value)}
            hint={t('invite.totpHint')}
            error={errors.totp}
            autoFocus
            required
          />
        ) : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={accept.isPending || gone}>
          {accept.isPending ? t('invite.submitting') : t('invite.submit')}
        </button>
      </form>
    </>
  )
}
