import { useMutation } from '@tanstack/react-query'
import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams } from 'react-router'
import { authApi } from '../../api/auth'
import { isApiError } from '../../api/client'
import { applyBranding } from '../../app/preferences'
import { useSession } from '../../app/session'
import { Alert } from '../../ui/Alert'
import { errorMessage, fieldErrors } from '../../ui/errorMessage'
import { Field } from '../../ui/Field'
import { Loading } from '../../ui/Spinner'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { MIN_PASSWORD_LENGTH, compact, focusFirstInvalid, newPassword, required, validEmail, type Errors } from '../auth/validation'
import { portalApi, usePortalInfo, type PortalInfo } from './api'

type Mode = 'signin' | 'signup'

function isSafeImageUrl(url: string | null | undefined): url is string {
  return !!url && (/^https?:\/\//i.test(url) || (url.startsWith('/') && !url.startsWith('//')))
}

/**
 * An organization's support portal for signed-out customers, in its name, logo and colour:
 * sign in, or (when the organization allows it) create an account, confirmed by a mailed link.
 */
export function PortalEntryPage() {
  const { t } = useTranslation()
  const { slug = '' } = useParams()
  const info = usePortalInfo(slug)
  const [mode, setMode] = useState<Mode>('signin')

  useDocumentTitle(info.data ? t('portalPublic.title', { name: info.data.name }) : t('portalPublic.loading'))
  useEffect(() => {
    if (!info.data) return
    applyBranding({ branding: info.data.branding })
    return () => applyBranding(null)
  }, [info.data])

  if (info.isPending) return <Loading fullPage />
  if (info.isError || !info.data) {
    return (
      <main className="auth-shell" id="main" tabIndex={-1}>
        <section className="card auth-card">
          <h1>{isApiError(info.error, 'not_found') ? t('portalPublic.notFound') : t('common.genericError')}</h1>
          <p>
            <Link to="/login">{t('portalPublic.genericSignIn')}</Link>
          </p>
        </section>
      </main>
    )
  }
  const org = info.data
  const canSignUp = org.signup_open

  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <main className="auth-shell portal-entry" id="main" tabIndex={-1}>
        <div className="brand auth-brand">
          {isSafeImageUrl(org.branding.logo_url) ? <img src={org.branding.logo_url} alt="" width={40} height={40} className="brand-logo" /> : null}
          <span>{org.name}</span>
        </div>
        <section className="card auth-card">
          <h1>{t('portalPublic.heading', { name: org.name })}</h1>
          <p>{t('portalPublic.intro')}</p>
          {canSignUp ? (
            <div className="mode-switch" role="group" aria-label={t('portalPublic.modeLabel')}>
              <button type="button" className="btn" aria-pressed={mode === 'signin'} onClick={() => setMode('signin')}>
                {t('portalPublic.signInTab')}
              </button>
              <button type="button" className="btn" aria-pressed={mode === 'signup'} onClick={() => setMode('signup')}>
                {t('portalPublic.signUpTab')}
              </button>
            </div>
          ) : null}
          {mode === 'signup' && canSignUp ? <SignUpForm org={org} /> : <SignInForm org={org} />}
        </section>
      </main>
    </>
  )
}

function SignInForm({ org }: { org: PortalInfo }) {
  const { t } = useTranslation()
  const { signIn } = useSession()
  const navigate = useNavigate()
  const formRef = useRef<HTMLFormElement>(null)
  const [values, setValues] = useState({ email: '', password: '' })
  const [errors, setErrors] = useState<Errors<'email' | 'password'>>({})
  const login = useMutation({
    mutationFn: () => authApi.login({ email: values.email.trim(), password: values.password, organization: org.slug }),
    onSuccess: (result) => {
      signIn(result)
      void navigate(result.user.role === 'customer' ? '/portal' : '/', { replace: true })
    },
  })
  const set = (name: 'email' | 'password') => (event: ChangeEvent<HTMLInputElement>) => setValues((v) => ({ ...v, [name]: event.target.value }))
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next = compact<'email' | 'password'>({ email: validEmail(values.email, t), password: required(values.password, t) })
    setErrors(next)
    if (Object.keys(next).length) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    login.mutate()
  }
  // A second factor, or an account in several organizations, is handled by the full sign-in page.
  const needsFullSignIn = isApiError(login.error, 'totp_required')
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="form" aria-label={t('portalPublic.signInTab')}>
      {login.isError ? (
        <Alert>
          <p>{needsFullSignIn ? t('portalPublic.needsFullSignIn') : errorMessage(login.error, t)}</p>
          {needsFullSignIn ? <Link to="/login">{t('portalPublic.genericSignIn')}</Link> : null}
        </Alert>
      ) : null}
      <Field label={t('common.email')} name="email" type="email" inputMode="email" autoComplete="email" value={values.email} onChange={set('email')} error={errors.email} required />
      <Field label={t('common.password')} name="password" type="password" autoComplete="current-password" value={values.password} onChange={set('password')} error={errors.password} required />
      <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending}>
        {login.isPending ? t('portalPublic.signingIn') : t('portalPublic.signIn')}
      </button>
      <p className="auth-links">
        <Link to="/forgot-password">{t('portalPublic.forgot')}</Link>
      </p>
    </form>
  )
}

type SignUpField = 'name' | 'email' | 'password'

function SignUpForm({ org }: { org: PortalInfo }) {
  const { t, i18n } = useTranslation()
  const formRef = useRef<HTMLFormElement>(null)
  const [values, setValues] = useState<Record<SignUpField, string>>({ name: '', email: '', password: '' })
  const [errors, setErrors] = useState<Errors<SignUpField>>({})
  const signup = useMutation({
    mutationFn: () => {
      const language = i18n.language
      const locale = language === 'en' || language === 'es' || language === 'fr' || language === 'de' ? language : undefined
      return portalApi.signup(org.slug, { name: values.name.trim(), email: values.email.trim(), password: values.password, ...(locale ? { locale } : {}) })
    },
    onError: (error) => {
      const server: Errors<SignUpField> = fieldErrors(error)
      setErrors(server)
      focusFirstInvalid(formRef.current, server)
    },
  })
  const set = (name: SignUpField) => (event: ChangeEvent<HTMLInputElement>) => setValues((v) => ({ ...v, [name]: event.target.value }))
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next = compact<SignUpField>({ name: required(values.name, t), email: validEmail(values.email, t), password: newPassword(values.password, t) })
    setErrors(next)
    if (Object.keys(next).length) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    signup.mutate()
  }

  if (signup.isSuccess) {
    return (
      <div role="status" className="portal-check-mail">
        <h2>{t('portalPublic.checkMailTitle')}</h2>
        <p>{t('portalPublic.checkMail', { email: values.email.trim() })}</p>
      </div>
    )
  }
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="form" aria-label={t('portalPublic.signUpTab')}>
      {signup.isError ? <Alert>{errorMessage(signup.error, t)}</Alert> : null}
      <Field label={t('portalPublic.name')} name="name" autoComplete="name" value={values.name} onChange={set('name')} error={errors.name} required />
      <Field label={t('common.email')} name="email" type="email" inputMode="email" autoComplete="email" value={values.email} onChange={set('email')} error={errors.email} required />
      <Field
        label={t('common.password')} name="password" type="password" autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH}
        value={values.password} onChange={set('password')} hint={t('common.passwordHint', { min: MIN_PASSWORD_LENGTH })} error={errors.password} required
      />
      <button type="submit" className="btn btn-primary btn-block" disabled={signup.isPending}>
        {signup.isPending ? t('portalPublic.signingUp') : t('portalPublic.signUp')}
      </button>
    </form>
  )
}
