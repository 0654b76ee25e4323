import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRef, useState, type ChangeEvent, type FormEvent, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams } from 'react-router'
import { isApiError } from '../../../api/client'
import { compact, focusFirstInvalid, required, validEmail } from '../../auth/validation'
import { Alert } from '../../../ui/Alert'
import { CheckboxField } from '../../../ui/CheckboxField'
import { errorMessage } from '../../../ui/errorMessage'
import { Field } from '../../../ui/Field'
import { SelectField } from '../../../ui/SelectField'
import { Loading } from '../../../ui/Spinner'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import {
  PRIORITIES,
  emailApi,
  isPriority,
  isSmtpSecurity,
  emailKeys,
  useCategories,
  useMailbox,
  useTeams,
  type Mailbox,
  type NewMailbox,
  type Priority,
  type SmtpSecurity,
} from './api'
import type { MailboxFlash } from './MailboxesPage'
import { serverFieldErrors } from './text'

/** One password-like value: what was typed, and whether to remove the stored one. */
interface Secret {
  value: string
  clear: boolean
}

interface Values {
  name: string
  address: string
  isActive: boolean
  imapOn: boolean
  imapHost: string
  imapPort: string
  imapTls: boolean
  imapUsername: string
  imapPassword: Secret
  imapFolder: string
  oauthToken: Secret
  smtpOn: boolean
  smtpHost: string
  smtpPort: string
  smtpSecurity: SmtpSecurity
  smtpUsername: string
  smtpPassword: Secret
  teamId: string
  priority: Priority | ''
  categoryId: string
  autoCreate: boolean
}

/** Field names are the server's paths, so its details[].field errors land on the right input. */
const FIELDS = [
  'name',
  'address',
  'imap.host',
  'imap.port',
  'imap.username',
  'imap.password',
  'imap.mailbox',
  'oauth_token',
  'smtp.host',
  'smtp.port',
  'smtp.username',
  'smtp.password',
  'default_team_id',
  'default_priority',
  'default_category_id',
] as const
type FieldName = (typeof FIELDS)[number]

type Errors = Partial<Record<FieldName | string, string>>

const HOST = /^[A-Za-z0-9.:[\]_-]+$/
const noSecret: Secret = { value: '', clear: false }

function initialValues(mailbox?: Mailbox): Values {
  const security = mailbox?.smtp?.security ?? ''
  const priority = mailbox?.default_priority ?? ''
  return {
    name: mailbox?.name ?? '',
    address: mailbox?.address ?? '',
    isActive: mailbox?.is_active ?? true,
    imapOn: mailbox ? mailbox.imap !== null : true,
    imapHost: mailbox?.imap?.host ?? '',
    imapPort: mailbox?.imap ? String(mailbox.imap.port) : '',
    imapTls: mailbox?.imap?.tls ?? true,
    imapUsername: mailbox?.imap?.username ?? '',
    imapPassword: noSecret,
    imapFolder: mailbox?.imap?.mailbox ?? '',
    oauthToken: noSecret,
    smtpOn: mailbox ? mailbox.smtp !== null : false,
    smtpHost: mailbox?.smtp?.host ?? '',
    smtpPort: mailbox?.smtp ? String(mailbox.smtp.port) : '',
    smtpSecurity: isSmtpSecurity(security) ? security : 'starttls',
    smtpUsername: mailbox?.smtp?.username ?? '',
    smtpPassword: noSecret,
    teamId: mailbox?.default_team_id ?? '',
    priority: isPriority(priority) ? priority : '',
    categoryId: mailbox?.default_category_id ?? '',
    autoCreate: mailbox?.auto_create ?? true,
  }
}

/** A string sets the secret, null removes it, undefined keeps what is stored. */
const secretOut = (secret: Secret): string | null | undefined => (secret.clear ? null : secret.value ? secret.value : undefined)

/** The whole form: what POST needs, and (every field optional there) what PATCH takes. */
function toInput(values: Values, editing: boolean): NewMailbox {
  const port = (text: string) => (text.trim() ? Number(text.trim()) : undefined)
  const input: NewMailbox = {
    name: values.name.trim(),
    address: values.address.trim(),
    is_active: values.isActive,
    auto_create: values.autoCreate,
    default_team_id: values.teamId || null,
    default_priority: values.priority || null,
    default_category_id: values.categoryId || null,
  }
  if (values.imapOn) {
    input.imap = {
      host: values.imapHost.trim(),
      port: port(values.imapPort),
      tls: values.imapTls,
      username: values.imapUsername.trim(),
      password: secretOut(values.imapPassword),
      mailbox: values.imapFolder.trim() || (editing ? 'INBOX' : undefined),
    }
  } else if (editing) {
    input.imap = null
  }
  if (values.smtpOn) {
    input.smtp = {
      host: values.smtpHost.trim(),
      port: port(values.smtpPort),
      security: values.smtpSecurity,
      username: values.smtpUsername.trim() || null,
      password: secretOut(values.smtpPassword),
    }
  } else if (editing) {
    input.smtp = null
  }
  const token = secretOut(values.oauthToken)
  if (token !== undefined) input.oauth_token = token
  // JSON.stringify drops the undefined ones: a secret left empty is left out, and kept.
  return input
}

/** Add (/settings/email/new) or change (/settings/email/:id) a mailbox. */
export function MailboxFormPage() {
  const { t } = useTranslation()
  const { id } = useParams()
  const mailbox = useMailbox(id)
  const title = id ? t('email.form.editTitle') : t('email.form.newTitle')
  useDocumentTitle(`${title} · ${t('email.title')}`)

  return (
    <section aria-labelledby="mailbox-form-heading">
      <h2 id="mailbox-form-heading">{title}</h2>
      {!id ? (
        <MailboxForm />
      ) : mailbox.isPending ? (
        <Loading />
      ) : mailbox.isError ? (
        <Alert>
          <p>
            {/* A malformed id in the address is a 400 from the server; to the user it is just not there. */}
            {isApiError(mailbox.error, 'not_found') || isApiError(mailbox.error, 'validation_error')
              ? t('email.form.notFound')
              : errorMessage(mailbox.error, t)}
          </p>
          <p>
            <Link to="..">{t('email.form.back')}</Link>
          </p>
        </Alert>
      ) : (
        <MailboxForm mailbox={mailbox.data} />
      )}
    </section>
  )
}

function MailboxForm({ mailbox }: { mailbox?: Mailbox }) {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const teams = useTeams()
  const categories = useCategories()
  const formRef = useRef<HTMLFormElement>(null)
  const [values, setValues] = useState<Values>(() => initialValues(mailbox))
  const [errors, setErrors] = useState<Errors>({})
  const editing = !!mailbox

  const save = useMutation({
    mutationFn: (input: NewMailbox) => (mailbox ? emailApi.updateMailbox(mailbox.id, input) : emailApi.createMailbox(input)),
    onSuccess: async (saved) => {
      queryClient.setQueryData(emailKeys.mailbox(saved.id), saved)
      await queryClient.invalidateQueries({ queryKey: emailKeys.mailboxes })
      const state: MailboxFlash = { flash: { kind: editing ? 'saved' : 'added', name: saved.name } }
      await navigate('/settings/email', { state })
    },
    onError: (error) => {
      const server = serverFieldErrors(error, t)
      setErrors(server)
      focusFirstInvalid(formRef.current, server)
    },
  })

  const set =
    <K extends keyof Values>(key: K) =>
    (event: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
      const target = event.target
      const value = target instanceof HTMLInputElement && target.type === 'checkbox' ? target.checked : target.value
      setValues((v) => ({ ...v, [key]: value }))
    }
  const setSecret = (key: 'imapPassword' | 'smtpPassword' | 'oauthToken', patch: Partial<Secret>) =>
    setValues((v) => ({ ...v, [key]: { ...v[key], ...patch } }))

  const validate = (): Errors => {
    const port = (text: string) => {
      if (!text.trim()) return undefined
      const n = Number(text.trim())
      return Number.isInteger(n) && n >= 1 && n <= 65535 ? undefined : t('email.form.portRange')
    }
    const host = (text: string) => required(text, t) ?? (HOST.test(text.trim()) ? undefined : t('email.form.invalidHost'))
    const has = (secret: Secret, stored: boolean | undefined) => !!secret.value || (!!stored && !secret.clear)
    const imapSecret =
      has(values.imapPassword, mailbox?.imap?.has_password) || has(values.oauthToken, mailbox?.has_oauth_token)
    return compact<string>({
      name: required(values.name, t),
      address: validEmail(values.address, t),
      'imap.host': values.imapOn ? host(values.imapHost) : undefined,
      'imap.port': values.imapOn ? port(values.imapPort) : undefined,
      'imap.username': values.imapOn ? required(values.imapUsername, t) : undefined,
      'imap.password': values.imapOn && !imapSecret ? t('email.form.passwordRequired') : undefined,
      'smtp.host': values.smtpOn ? host(values.smtpHost) : undefined,
      'smtp.port': values.smtpOn ? port(values.smtpPort) : undefined,
    })
  }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next = validate()
    setErrors(next)
    if (Object.keys(next).length > 0) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    save.mutate(toInput(values, editing))
  }

  // Errors on fields are shown there; the alert says what else went wrong, or that fields need attention.
  const elsewhere = Object.entries(errors).filter(([field]) => !(FIELDS as readonly string[]).includes(field))
  const serverProblem = !save.isError
    ? null
    : isApiError(save.error, 'conflict') && errors.address
      ? null
      : elsewhere.length > 0
        ? `${errorMessage(save.error, t)} ${elsewhere.map(([field, message]) => `${field}: ${message}`).join(' ')}`
        : errorMessage(save.error, t)

  const secretField = (
    key: 'imapPassword' | 'smtpPassword' | 'oauthToken',
    name: FieldName,
    label: string,
    stored: boolean | undefined,
    hint?: string,
  ): ReactNode => {
    const secret = values[key]
    return (
      <div className="secret-field">
        <Field
          label={label}
          name={name}
          type="password"
          autoComplete="new-password"
          value={secret.value}
          disabled={secret.clear}
          onChange={(e) => setSecret(key, { value: e.target.value })}
          hint={[editing ? (stored ? t('email.form.secretSet') : t('email.form.secretNotSet')) : null, hint].filter(Boolean).join(' ') || undefined}
          error={errors[name]}
        />
        {editing && stored ? (
          <CheckboxField
            label={t('email.form.clearSecret')}
            name={`${name}.clear`}
            checked={secret.clear}
            onChange={(e) => setSecret(key, { clear: e.target.checked, value: '' })}
          />
        ) : null}
      </div>
    )
  }

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="form settings-form">
      {serverProblem ? <Alert>{serverProblem}</Alert> : null}

      <fieldset className="card fieldset">
        <legend>{t('email.form.address')}</legend>
        <Field
          label={t('email.form.name')}
          name="name"
          value={values.name}
          onChange={set('name')}
          hint={t('email.form.nameHint')}
          error={errors.name}
          maxLength={120}
          required
        />
        <Field
          label={t('email.form.emailAddress')}
          name="address"
          type="email"
          inputMode="email"
          autoComplete="off"
          spellCheck={false}
          value={values.address}
          onChange={set('address')}
          hint={t('email.form.emailAddressHint')}
          error={errors.address}
          required
        />
        <CheckboxField label={t('email.form.active')} name="is_active" checked={values.isActive} onChange={set('isActive')} />
      </fieldset>

      <fieldset className="card fieldset">
        <legend>{t('email.form.imap')}</legend>
        <CheckboxField
          label={t('email.form.imapEnabled')}
          name="imap.enabled"
          checked={values.imapOn}
          onChange={set('imapOn')}
          hint={values.imapOn ? undefined : t('email.form.imapOff')}
        />
        {values.imapOn ? (
          <>
            <div className="field-row">
              <Field
                label={t('email.form.host')}
                name="imap.host"
                autoComplete="off"
                spellCheck={false}
                value={values.imapHost}
                onChange={set('imapHost')}
                hint={t('email.form.hostHint')}
                error={errors['imap.host']}
                required
              />
              <Field
                className="field-port"
                label={t('email.form.port')}
                name="imap.port"
                inputMode="numeric"
                value={values.imapPort}
                onChange={set('imapPort')}
                hint={t('email.form.imapPortHint')}
                error={errors['imap.port']}
              />
            </div>
            <CheckboxField label={t('email.form.tls')} name="imap.tls" checked={values.imapTls} onChange={set('imapTls')} />
            <Field
              label={t('email.form.username')}
              name="imap.username"
              autoComplete="off"
              spellCheck={false}
              value={values.imapUsername}
              onChange={set('imapUsername')}
              error={errors['imap.username']}
              required
            />
            {secretField('imapPassword', 'imap.password', t('email.form.password'), mailbox?.imap?.has_password)}
            <Field
              label={t('email.form.folder')}
              name="imap.mailbox"
              autoComplete="off"
              spellCheck={false}
              value={values.imapFolder}
              onChange={set('imapFolder')}
              placeholder="INBOX"
              hint={t('email.form.folderHint')}
              error={errors['imap.mailbox']}
            />
            {secretField('oauthToken', 'oauth_token', t('email.form.oauth'), mailbox?.has_oauth_token, t('email.form.oauthHint'))}
          </>
        ) : null}
      </fieldset>

      <fieldset className="card fieldset">
        <legend>{t('email.form.smtp')}</legend>
        <CheckboxField
          label={t('email.form.smtpEnabled')}
          name="smtp.enabled"
          checked={values.smtpOn}
          onChange={set('smtpOn')}
          hint={values.smtpOn ? undefined : t('email.form.smtpOff')}
        />
        {values.smtpOn ? (
          <>
            <div className="field-row">
              <Field
                label={t('email.form.host')}
                name="smtp.host"
                autoComplete="off"
                spellCheck={false}
                value={values.smtpHost}
                onChange={set('smtpHost')}
                hint={t('email.form.hostHint')}
                error={errors['smtp.host']}
                required
              />
              <Field
                className="field-port"
                label={t('email.form.port')}
                name="smtp.port"
                inputMode="numeric"
                value={values.smtpPort}
                onChange={set('smtpPort')}
                hint={t('email.form.smtpPortHint')}
                error={errors['smtp.port']}
              />
            </div>
            <SelectField
              label={t('email.form.security')}
              name="smtp.security"
              value={values.smtpSecurity}
              onChange={set('smtpSecurity')}
            >
              <option value="tls">{t('email.form.securityTls')}</option>
              <option value="starttls">{t('email.form.securityStarttls')}</option>
              <option value="none">{t('email.form.securityNone')}</option>
            </SelectField>
            <Field
              label={t('email.form.username')}
              name="smtp.username"
              autoComplete="off"
              spellCheck={false}
              value={values.smtpUsername}
              onChange={set('smtpUsername')}
              hint={t('email.form.smtpUsernameHint')}
              error={errors['smtp.username']}
            />
            {secretField('smtpPassword', 'smtp.password', t('email.form.password'), mailbox?.smtp?.has_password)}
          </>
        ) : null}
      </fieldset>

      <fieldset className="card fieldset">
        <legend>{t('email.form.defaults')}</legend>
        <SelectField
          label={t('email.form.team')}
          name="default_team_id"
          value={values.teamId}
          onChange={set('teamId')}
          error={errors.default_team_id ?? (teams.isError ? errorMessage(teams.error, t) : undefined)}
        >
          <option value="">{t('email.form.none')}</option>
          {(teams.data ?? []).map((team) => (
            <option key={team.id} value={team.id}>
              {team.name}
            </option>
          ))}
          {/* Keep the saved choice visible while the list loads (or if it is not in it). */}
          {values.teamId && !teams.data?.some((team) => team.id === values.teamId) ? (
            <option value={values.teamId}>{teams.isPending ? t('common.loading') : values.teamId}</option>
          ) : null}
        </SelectField>
        <SelectField label={t('email.form.priority')} name="default_priority" value={values.priority} onChange={set('priority')}>
          <option value="">{t('email.form.none')}</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {t(`email.form.priority${(p.charAt(0).toUpperCase() + p.slice(1)) as 'Low' | 'Medium' | 'High' | 'Urgent'}`)}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={t('email.form.category')}
          name="default_category_id"
          value={values.categoryId}
          onChange={set('categoryId')}
          error={errors.default_category_id ?? (categories.isError ? errorMessage(categories.error, t) : undefined)}
        >
          <option value="">{t('email.form.none')}</option>
          {(categories.data ?? [])
            .filter((c) => c.is_active !== false || c.id === values.categoryId)
            .map((category) => (
              <option key={category.id} value={category.id}>
                {'\u00a0\u00a0'.repeat(category.depth)}
                {category.name}
              </option>
            ))}
          {values.categoryId && !categories.data?.some((c) => c.id === values.categoryId) ? (
            <option value={values.categoryId}>{categories.isPending ? t('common.loading') : values.categoryId}</option>
          ) : null}
        </SelectField>
        <CheckboxField
          label={t('email.form.autoCreate')}
          name="auto_create"
          checked={values.autoCreate}
          onChange={set('autoCreate')}
          hint={t('email.form.autoCreateHint')}
        />
      </fieldset>

      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? t('email.form.saving') : editing ? t('email.form.save') : t('email.form.create')}
        </button>
        <Link to="/settings/email" className="btn">
          {t('common.cancel')}
        </Link>
      </div>
    </form>
  )
}
