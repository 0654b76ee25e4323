import { useMutation } from '@tanstack/react-query'
import { useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useSearchParams } from 'react-router'
import { authApi } from '../../api/auth'
import { isApiError } from '../../api/client'
import { Alert } from '../../ui/Alert'
import { errorMessage, fieldErrors } from '../../ui/errorMessage'
import { Field } from '../../ui/Field'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { MIN_PASSWORD_LENGTH, compact, focusFirstInvalid, newPassword, type Errors } from './validation'

type FieldName = 'password' | 'confirm'

export function ResetPasswordPage() {
  const { t } = useTranslation()
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
  const formRef = useRef<HTMLFormElement>(null)
  const [password, setPassword] = useState('')
  const [confirm, setConfirm] = useState('')
  const [errors, setErrors] = useState<Errors<FieldName>>({})

  useDocumentTitle(t('reset.title'))

  const reset = useMutation({
    mutationFn: (input: { token: string; password: string }) => authApi.resetPassword(input.token, input.password),
    onError: (error) => {
      const server = fieldErrors(error)
      if (server.password) setErrors({ password: server.password })
    },
  })

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next = compact<FieldName>({
      password: newPassword(password, t),
      confirm: !newPassword(password, t) && confirm !== password ? t('validation.passwordsDiffer') : undefined,
    })
    setErrors(next)
    if (Object.keys(next).length > 0) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    reset.mutate({ token, password })
  }

  if (!token) {
    return (
      <>
        <h1>{t('reset.title')}</h1>
        <Alert>{t('reset.missingToken')}</Alert>
        <p className="auth-links">
          <Link to="/forgot-password">{t('reset.requestNew')}</Link>
        </p>
      </>
    )
  }

  if (reset.isSuccess) {
    return (
      <>
        <h1>{t('reset.title')}</h1>
        <Alert tone="success">{t('reset.done')}</Alert>
        <p>
          <Link to="/login" className="btn btn-primary btn-block">
            {t('reset.signIn')}
          </Link>
        </p>
      </>
    )
  }

  const gone = isApiError(reset.error, 'gone')

  return (
    <>
      <h1>{t('reset.title')}</h1>
      {reset.isError ? (
        <Alert>
          <p>{gone ? t('reset.gone') : errorMessage(reset.error, t)}</p>
          {gone ? (
            <p>
              <Link to="/forgot-password">{t('reset.requestNew')}</Link>
            </p>
          ) : null}
        </Alert>
      ) : null}
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form">
        <Field
          label={t('reset.password')}
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={MIN_PASSWORD_LENGTH}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          hint={t('common.passwordHint', { min: MIN_PASSWORD_LENGTH })}
          error={errors.password}
          required
        />
        <Field
          label={t('reset.confirm')}
          name="confirm"
          type="password"
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={errors.confirm}
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={reset.isPending}>
          {reset.isPending ? t('reset.submitting') : t('reset.submit')}
        </button>
      </form>
      <p className="auth-links">
        <Link to="/login">{t('common.backToSignIn')}</Link>
      </p>
    </>
  )
}
