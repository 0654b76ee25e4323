import { useMutation } from '@tanstack/react-query'
import { useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { authApi } from '../../api/auth'
import { Alert } from '../../ui/Alert'
import { errorMessage } from '../../ui/errorMessage'
import { Field } from '../../ui/Field'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { focusFirstInvalid, validEmail } from './validation'

export function ForgotPasswordPage() {
  const { t } = useTranslation()
  const formRef = useRef<HTMLFormElement>(null)
  const [email, setEmail] = useState('')
  const [error, setError] = useState<string>()

  useDocumentTitle(t('forgot.title'))

  const forgot = useMutation({ mutationFn: authApi.forgotPassword })

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const problem = validEmail(email, t)
    setError(problem)
    if (problem) {
      focusFirstInvalid(formRef.current, { email: problem })
      return
    }
    forgot.mutate(email.trim())
  }

  return (
    <>
      <h1>{t('forgot.title')}</h1>
      {forgot.isSuccess ? (
        <Alert tone="success">{t('forgot.sent')}</Alert>
      ) : (
        <>
          <p>{t('forgot.intro')}</p>
          {forgot.isError ? <Alert>{errorMessage(forgot.error, t)}</Alert> : null}
          <form ref={formRef} onSubmit={onSubmit} noValidate className="form">
            <Field
              label={t('common.email')}
              name="email"
              type="email"
              inputMode="email"
              autoComplete="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={error}
              required
            />
            <button type="submit" className="btn btn-primary btn-block" disabled={forgot.isPending}>
              {forgot.isPending ? t('forgot.submitting') : t('forgot.submit')}
            </button>
          </form>
        </>
      )}
      <p className="auth-links">
        <Link to="/login">{t('common.backToSignIn')}</Link>
      </p>
    </>
  )
}
