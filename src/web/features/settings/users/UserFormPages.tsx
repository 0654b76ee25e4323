import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams } from 'react-router'
import { isApiError } from '../../../api/client'
import { queryKeys, useMe } from '../../../api/queries'
import { compact, focusFirstInvalid, MIN_PASSWORD_LENGTH, required, validEmail } from '../../auth/validation'
import { Alert } from '../../../ui/Alert'
import { errorMessage } from '../../../ui/errorMessage'
import { Field } from '../../../ui/Field'
import { formatDateTime } from '../../../ui/format'
import { SelectField } from '../../../ui/SelectField'
import { Loading } from '../../../ui/Spinner'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { usersApi, usersKeys, useRoles, useUser, type NewUser, type UserDetail, type UserPatch } from './api'
import type { PeopleFlash } from './PeoplePage'
import { roleName, RoleOptions } from './roles'
import { otherErrors, serverFieldErrors } from './serverErrors'

const LIST = '/settings/users'

/** Add a person (/settings/users/new): name, email, role, optional title and password. */
export function NewUserPage() {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const roles = useRoles()
  const formRef = useRef<HTMLFormElement>(null)
  const [values, setValues] = useState({ name: '', email: '', role: 'agent', title: '', password: '' })
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({})
  useDocumentTitle(`${t('adminPeople.userForm.newTitle')} · ${t('adminPeople.users.title')}`)

  const create = useMutation({
    mutationFn: (input: NewUser) => usersApi.create(input),
    onSuccess: async (user) => {
      await queryClient.invalidateQueries({ queryKey: usersKeys.all })
      const state: PeopleFlash = { flash: { kind: 'added', name: user.name } }
      await navigate(LIST, { state })
    },
    onError: (error) => {
      const server = serverFieldErrors(
        error,
        t,
        { password: t('validation.passwordTooShort', { min: MIN_PASSWORD_LENGTH }) },
        { already_member: t('adminPeople.userForm.alreadyMember') },
      )
      setErrors(server)
      focusFirstInvalid(formRef.current, server)
    },
  })

  const set = (key: keyof typeof values) => (event: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: event.target.value }))

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next = compact<string>({
      name: required(values.name, t),
      email: validEmail(values.email, t),
      role: required(values.role, t),
      password: values.password && values.password.length < MIN_PASSWORD_LENGTH ? t('validation.passwordTooShort', { min: MIN_PASSWORD_LENGTH }) : undefined,
    })
    setErrors(next)
    if (Object.keys(next).length) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    create.mutate({
      name: values.name.trim(),
      email: values.email.trim(),
      role: values.role,
      ...(values.title.trim() ? { title: values.title.trim() } : {}),
      ...(values.password ? { password: values.password } : {}),
    })
  }

  const elsewhere = otherErrors(errors, ['name', 'email', 'role', 'title', 'password'])
  const problem = create.isError && (elsewhere || !Object.keys(errors).length) ? [errorMessage(create.error, t), elsewhere].filter(Boolean).join(' ') : null

  return (
    <section aria-labelledby="user-form-heading">
      <h2 id="user-form-heading">{t('adminPeople.userForm.newTitle')}</h2>
      <form ref={formRef} className="form settings-form card" onSubmit={onSubmit} noValidate>
        {problem ? <Alert>{problem}</Alert> : null}
        <Field label={t('adminPeople.userForm.name')} name="name" value={values.name} onChange={set('name')} error={errors.name} autoComplete="off" maxLength={200} required />
        <Field
          label={t('common.email')}
          name="email"
          type="email"
          inputMode="email"
          autoComplete="off"
          spellCheck={false}
          value={values.email}
          onChange={set('email')}
          hint={t('adminPeople.userForm.emailHint')}
          error={errors.email}
          required
        />
        <SelectField
          label={t('adminPeople.users.role')}
          name="role"
          value={values.role}
          onChange={set('role')}
          error={errors.role ?? (roles.isError ? errorMessage(roles.error, t) : undefined)}
          hint={t('adminPeople.userForm.roleHint')}
        >
          <RoleOptions roles={roles.data} current={values.role} />
        </SelectField>
        <Field label={t('adminPeople.userForm.jobTitle')} name="title" value={values.title} onChange={set('title')} error={errors.title} hint={t('adminPeople.userForm.optional')} maxLength={200} />
        <Field
          label={t('adminPeople.userForm.password')}
          name="password"
          type="password"
          autoComplete="new-password"
          value={values.password}
          onChange={set('password')}
          hint={t('adminPeople.userForm.passwordHint', { min: MIN_PASSWORD_LENGTH })}
          error={errors.password}
        />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? t('adminPeople.common.saving') : t('adminPeople.userForm.create')}
          </button>
          <Link to={LIST} className="btn">
            {t('common.cancel')}
          </Link>
        </div>
      </form>
    </section>
  )
}

/** One person (/settings/users/:id): their facts, and their role and job title to change. */
export function EditUserPage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const user = useUser(id)
  useDocumentTitle(`${user.data?.name ?? t('adminPeople.userForm.editTitle')} · ${t('adminPeople.users.title')}`)

  return (
    <section aria-labelledby="user-form-heading">
      <h2 id="user-form-heading">{user.data ? t('adminPeople.userForm.editNamed', { name: user.data.name }) : t('adminPeople.userForm.editTitle')}</h2>
      {user.isPending ? (
        <Loading />
      ) : user.isError ? (
        <Alert>
          <p>
            {/* A malformed id in the address is a 400; to the user it is just not there. */}
            {isApiError(user.error, 'not_found') || isApiError(user.error, 'validation_error') ? t('adminPeople.userForm.notFound') : errorMessage(user.error, t)}
          </p>
          <p>
            <Link to={LIST}>{t('adminPeople.userForm.back')}</Link>
          </p>
        </Alert>
      ) : (
        <EditUserForm key={user.data.id} user={user.data} />
      )}
    </section>
  )
}

function EditUserForm({ user }: { user: UserDetail }) {
  const { t, i18n } = useTranslation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const roles = useRoles()
  const me = useMe()
  const formRef = useRef<HTMLFormElement>(null)
  const [values, setValues] = useState({ role: user.role, title: user.title ?? '' })
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({})

  const save = useMutation({
    mutationFn: (patch: UserPatch) => usersApi.update(user.id, patch),
    onSuccess: async (updated) => {
      queryClient.setQueryData(usersKeys.user(updated.id), updated)
      await queryClient.invalidateQueries({ queryKey: usersKeys.all })
      // My own role changed: what I may see changes too.
      if (updated.id === me.data?.user.id) await queryClient.invalidateQueries({ queryKey: queryKeys.me })
      const state: PeopleFlash = { flash: { kind: 'saved', name: updated.name } }
      await navigate(LIST, { state })
    },
    onError: (error) => {
      const server = serverFieldErrors(error, t)
      setErrors(server)
      focusFirstInvalid(formRef.current, server)
    },
  })

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const patch: UserPatch = {}
    if (values.role !== user.role) patch.role = values.role
    if (values.title.trim() !== (user.title ?? '')) patch.title = values.title.trim() || null
    if (Object.keys(patch).length === 0) {
      void navigate(LIST)
      return
    }
    save.mutate(patch)
  }

  const elsewhere = otherErrors(errors, ['role', 'title'])
  const problem = save.isError && (elsewhere || !Object.keys(errors).length) ? [errorMessage(save.error, t), elsewhere].filter(Boolean).join(' ') : null

  return (
    <div className="user-edit">
      <dl className="facts card">
        <div>
          <dt>{t('adminPeople.userForm.name')}</dt>
          <dd>{user.name}</dd>
        </div>
        <div>
          <dt>{t('common.email')}</dt>
          <dd>{user.email}</dd>
        </div>
        <div>
          <dt>{t('adminPeople.users.status')}</dt>
          <dd>{user.is_active ? t('adminPeople.users.active') : t('adminPeople.users.deactivatedStatus')}</dd>
        </div>
        <div>
          <dt>{t('adminPeople.users.twoFactor')}</dt>
          <dd>{user.two_factor_enabled ? t('adminPeople.users.twoFactorOn') : t('adminPeople.users.twoFactorOff')}</dd>
        </div>
        <div>
          <dt>{t('adminPeople.users.lastSignIn')}</dt>
          <dd>{user.last_login_at ? formatDateTime(user.last_login_at, i18n.language) : t('adminPeople.users.never')}</dd>
        </div>
        <div>
          <dt>{t('adminPeople.userForm.teams')}</dt>
          <dd>{user.teams.length ? user.teams.map((team) => team.name).join(', ') : t('adminPeople.userForm.noTeams')}</dd>
        </div>
      </dl>
      <p className="muted">{t('adminPeople.userForm.ownProfile')}</p>

      <form ref={formRef} className="form settings-form card" onSubmit={onSubmit} noValidate>
        {problem ? <Alert>{problem}</Alert> : null}
        <SelectField
          label={t('adminPeople.users.role')}
          name="role"
          value={values.role}
          onChange={(event) => setValues((v) => ({ ...v, role: event.target.value }))}
          error={errors.role ?? (roles.isError ? errorMessage(roles.error, t) : undefined)}
          hint={t('adminPeople.userForm.currentRole', { role: roleName(user.role, roles.data, t) })}
        >
          <RoleOptions roles={roles.data} current={values.role} />
        </SelectField>
        <Field
          label={t('adminPeople.userForm.jobTitle')}
          name="title"
          value={values.title}
          onChange={(event) => setValues((v) => ({ ...v, title: event.target.value }))}
          error={errors.title}
          hint={t('adminPeople.userForm.optional')}
          maxLength={200}
        />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? t('adminPeople.common.saving') : t('adminPeople.userForm.save')}
          </button>
          <Link to={LIST} className="btn">
            {t('common.cancel')}
          </Link>
        </div>
      </form>
    </div>
  )
}
