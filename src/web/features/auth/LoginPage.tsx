import { useMutation } from '@tanstack/react-query'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { authApi } from '../../api/auth'
import { isApiError } from '../../api/client'
import { useSession } from '../../app/session'
import { Alert } from '../../ui/Alert'
import { errorMessage } from '../../ui/errorMessage'
import { Field } from '../../ui/Field'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { backupCode, compact, focusFirstInvalid, required, totpCode, validEmail, type Errors } from './validation'

type FieldName = 'email' | 'password' | 'organization' | 'totp'

export function LoginPage() {
  const { t } = useTranslation()
  const { signIn } = useSession()
  const formRef = useRef<HTMLFormElement>(null)
  const totpRef = useRef<HTMLInputElement>(null)
  const organizationRef = useRef<HTMLInputElement>(null)
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [organization, setOrganization] = useState('')
  const [totp, setTotp] = useState('')
  const [needsTotp, setNeedsTotp] = useState(false)
  const [useBackupCode, setUseBackupCode] = useState(false)
  const [errors, setErrors] = useState<Errors<FieldName>>({})

  useDocumentTitle(t('login.title'))

  const login = useMutation({
    mutationFn: authApi.login,
    onSuccess: signIn,
    onError: (error) => {
      if (isApiError(error, 'totp_required')) {
        setNeedsTotp(true)
      } else if (isApiError(error, 'invalid_totp')) {
        setTotp('')
        totpRef.current?.focus()
      } else if (isApiError(error, 'not_found')) {
        // Not a member of the organization given under "More options": back to the first step.
        setNeedsTotp(false)
        setUseBackupCode(false)
        setTotp('')
        setErrors({ organization: t('login.organizationNotFound') })
      }
    },
  })

  useEffect(() => {
    if (needsTotp) totpRef.current?.focus()
  }, [needsTotp, useBackupCode])

  useEffect(() => {
    if (errors.organization) organizationRef.current?.focus()
  }, [errors.organization])

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next = compact<FieldName>({
      email: validEmail(email, t),
      password: required(password, t),
      organization: undefined,
      totp: needsTotp ? (useBackupCode ? backupCode(totp, t) : totpCode(totp, t)) : undefined,
    })
    setErrors(next)
    if (Object.keys(next).length > 0) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    login.mutate({
      email: email.trim(),
      password,
      ...(organization.trim() ? { organization: organization.trim().toLowerCase() } : {}),
      ...(needsTotp ? { totp: totp.replace(/[\s-]/g, '') } : {}),
    })
  }

  const toggleBackupCode = () => {
    setUseBackupCode((v) => !v)
    setTotp('')
    setErrors({})
    login.reset()
  }

  const startOver = () => {
    setNeedsTotp(false)
    setUseBackupCode(false)
    setTotp('')
    setPassword('')
    login.reset()
  }

  // totp_required is the next step, not an error; a wrong code is shown on the code field.
  // Not being a member of the given organization is shown on that field.
  const showError =
    login.isError &&
    !isApiError(login.error, 'totp_required') &&
    !isApiError(login.error, 'invalid_totp') &&
    !isApiError(login.error, 'not_found')
  const locked = isApiError(login.error, 'account_locked')

  return (
    <>
      <h1>{needsTotp ? t('login.totpTitle') : t('login.title')}</h1>
      {needsTotp ? <p>{t('login.totpIntro')}</p> : null}
      {showError ? (
        <Alert>
          <p>{errorMessage(login.error, t)}</p>
          {locked ? (
            <p>
              <Link to="/forgot-password">{t('login.lockedReset')}</Link>
            </p>
          ) : null}
        </Alert>
      ) : null}
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form">
        <div hidden={needsTotp}>
          <Field
            label={t('common.email')}
            name="email"
            type="email"
            autoComplete="username"
            inputMode="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={errors.email}
            required
          />
          <Field
            label={t('common.password')}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={errors.password}
            required
          />
          <details className="more-options" open={organization ? true : undefined}>
            <summary>{t('login.moreOptions')}</summary>
            <Field
              ref={organizationRef}
              label={t('login.organization')}
              name="organization"
              type="text"
              autoComplete="organization"
              autoCapitalize="none"
              spellCheck={false}
              value={organization}
              onChange={(e) => setOrganization(e.target.value)}
              hint={t('login.organizationHint')}
              error={errors.organization}
            />
          </details>
        </div>
        {needsTotp ? (
          <>
            <Field
              key={useBackupCode ? 'backup' : 'totp'}
              ref={totpRef}
              label={useBackupCode ? t('login.backupLabel') : t('login.totpLabel')}
              name="totp"
              type="text"
              inputMode={useBackupCode ? 'text' : 'numeric'}
              autoComplete="one-time-code"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={useBackupCode ? 24 : 7}
              value={totp}
              onChange={(e) => setTotp(e.target.value)}
              error={errors.totp ?? (isApiError(login.error, 'invalid_totp') ? t('errors.invalid_totp') : undefined)}
              required
            />
            <button type="button" className="btn btn-link" onClick={toggleBackupCode}>
              {useBackupCode ? t('login.useAuthenticator') : t('login.useBackupCode')}
            </button>
          </>
        ) : null}
        <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending}>
          {login.isPending ? t('login.submitting') : needsTotp ? t('login.verify') : t('login.submit')}
        </button>
        {needsTotp ? (
          <button type="button" className="btn btn-link" onClick={startOver}>
            {t('login.startOver')}
          </button>
        ) : null}
      </form>
      <nav className="auth-links" aria-label={t('login.otherActions')}>
        <Link to="/forgot-password">{t('login.forgot')}</Link>
        <span>
          {t('login.noAccount')} <Link to="/signup">{t('login.signUp')}</Link>
        </span>
      </nav>
    </>
  )
}
