import { useMutation } from '@tanstack/react-query'
import { useRef, useState, type ChangeEvent, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { authApi } from '../../api/auth'
import { isApiError } from '../../api/client'
import { useSession } from '../../app/session'
import { Alert } from '../../ui/Alert'
import { errorMessage, fieldErrors } from '../../ui/errorMessage'
import { Field } from '../../ui/Field'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import {
  MIN_PASSWORD_LENGTH,
  compact,
  focusFirstInvalid,
  newPassword,
  required,
  validEmail,
  type Errors,
} from './validation'

type FieldName = 'organization' | 'name' | 'email' | 'password'

export function SignupPage() {
  const { t } = useTranslation()
  const { signIn } = useSession()
  const formRef = useRef<HTMLFormElement>(null)
  const [values, setValues] = useState<Record<FieldName, string>>({
    organization: '',
    name: '',
    email: '',
    password: '',
  })
  const [errors, setErrors] = useState<Errors<FieldName>>({})

  useDocumentTitle(t('signup.title'))

  const register = useMutation({
    mutationFn: authApi.register,
    onSuccess: signIn,
    onError: (error) => {
      const server: Errors<FieldName> = fieldErrors(error)
      if (isApiError(error, 'email_taken')) server.email = t('errors.email_taken')
      if (isApiError(error, 'slug_taken')) server.organization = t('errors.slug_taken')
      setErrors(server)
      focusFirstInvalid(formRef.current, server)
    },
  })

  const set = (name: FieldName) => (event: ChangeEvent<HTMLInputElement>) =>
    setValues((v) => ({ ...v, [name]: event.target.value }))

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next = compact<FieldName>({
      organization: required(values.organization, t),
      name: required(values.name, t),
      email: validEmail(values.email, t),
      password: newPassword(values.password, t),
    })
    setErrors(next)
    if (Object.keys(next).length > 0) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    register.mutate({
      organization: values.organization.trim(),
      name: values.name.trim(),
      email: values.email.trim(),
      password: values.password,
    })
  }

  return (
    <>
      <h1>{t('signup.title')}</h1>
      <p>{t('signup.intro')}</p>
      {register.isError ? <Alert>{errorMessage(register.error, t)}</Alert> : null}
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form">
        <Field
          label={t('signup.organization')}
          name="organization"
          autoComplete="organization"
          value={values.organization}
          onChange={set('organization')}
          error={errors.organization}
          required
        />
        <Field
          label={t('signup.name')}
          name="name"
          autoComplete="name"
          value={values.name}
          onChange={set('name')}
          error={errors.name}
          required
        />
        <Field
          label={t('common.email')}
          name="email"
          type="email"
          inputMode="email"
          autoComplete="email"
          value={values.email}
          onChange={set('email')}
          error={errors.email}
          required
        />
        <Field
          label={t('common.password')}
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={MIN_PASSWORD_LENGTH}
          value={values.password}
          onChange={set('password')}
          hint={t('common.passwordHint', { min: MIN_PASSWORD_LENGTH })}
          error={errors.password}
          required
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={register.isPending}>
          {register.isPending ? t('signup.submitting') : t('signup.submit')}
        </button>
      </form>
      <p className="auth-links">
        <span>
          {t('signup.haveAccount')} <Link to="/login">{t('signup.signIn')}</Link>
        </span>
      </p>
    </>
  )
}
