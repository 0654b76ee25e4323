import { useMutation } from '@tanstack/react-query'
import { useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { isApiError } from '../../../api/client'
import { LANGUAGE_NAMES, type Language } from '../../../i18n'
import { compact, focusFirstInvalid, required } from '../../auth/validation'
import { Alert } from '../../../ui/Alert'
import { CheckboxField } from '../../../ui/CheckboxField'
import { errorMessage } from '../../../ui/errorMessage'
import { Field } from '../../../ui/Field'
import { SelectField } from '../../../ui/SelectField'
import { otherErrors, serverFieldErrors } from '../users/serverErrors'
import { organizationApi, type Organization, type OrganizationPatch } from './api'
import { useSaved } from './useSaved'

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/
const PREFIX = /^[A-Z][A-Z0-9]{0,9}$/
/** Each language in its own name, as people look for it. */
type Locale = Language
type Scope = 'team' | 'all'

const FIELDS = ['name', 'slug', 'time_zone', 'locale', 'ticket_prefix', 'settings.agent_ticket_scope', 'settings.customers_see_company_tickets', 'settings.portal_signup'] as const

interface Values {
  name: string
  slug: string
  timeZone: string
  locale: Locale
  prefix: string
  scope: Scope
  companyTickets: boolean
  portalSignup: boolean
}

function initialValues(org: Organization): Values {
  return {
    name: org.name,
    slug: org.slug,
    timeZone: org.time_zone,
    locale: (org.locale in LANGUAGE_NAMES ? org.locale : 'en') as Locale,
    prefix: org.ticket_prefix,
    scope: org.settings.agent_ticket_scope ?? 'team',
    companyTickets: org.settings.customers_see_company_tickets ?? false,
    portalSignup: org.settings.portal_signup !== false,
  }
}

/** Every IANA time zone the browser knows, with UTC and the saved one always present. */
function timeZones(current: string): string[] {
  let zones: string[]
  try {
    zones = Intl.supportedValuesOf('timeZone')
  } catch {
    zones = [] // An older browser: UTC and the saved zone only.
  }
  return [...new Set(['UTC', current, ...zones])].sort((a, b) => (a === 'UTC' ? -1 : b === 'UTC' ? 1 : a.localeCompare(b)))
}

/** Only what changed goes to PATCH /organization, so the audit log names the fields really edited. */
function changes(values: Values, org: Organization): OrganizationPatch {
  const before = initialValues(org)
  const patch: OrganizationPatch = {}
  if (values.name.trim() !== before.name) patch.name = values.name.trim()
  if (values.slug.trim() !== before.slug) patch.slug = values.slug.trim()
  if (values.timeZone !== before.timeZone) patch.time_zone = values.timeZone
  if (values.locale !== before.locale) patch.locale = values.locale
  if (values.prefix.trim() !== before.prefix) patch.ticket_prefix = values.prefix.trim()
  const settings: NonNullable<OrganizationPatch['settings']> = {}
  if (values.scope !== before.scope) settings.agent_ticket_scope = values.scope
  if (values.companyTickets !== before.companyTickets) settings.customers_see_company_tickets = values.companyTickets
  if (values.portalSignup !== before.portalSignup) settings.portal_signup = values.portalSignup
  if (Object.keys(settings).length) patch.settings = settings
  return patch
}

/** The organization's name, address, time zone, language, ticket numbers and who sees which tickets. */
export function ProfileForm({ organization }: { organization: Organization }) {
  const { t } = useTranslation()
  const formRef = useRef<HTMLFormElement>(null)
  const [values, setValues] = useState<Values>(() => initialValues(organization))
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({})
  const [saved, markSaved, clearSaved] = useSaved()
  const zones = useMemo(() => timeZones(organization.time_zone), [organization.time_zone])

  const save = useMutation({
    mutationFn: (patch: OrganizationPatch) => organizationApi.update(patch),
    onSuccess: (updated) => {
      setValues(initialValues(updated))
      markSaved(updated)
    },
    onError: (error) => {
      const server = serverFieldErrors(error, t, {
        slug: t('adminPeople.organization.slugInvalid'),
        ticket_prefix: t('adminPeople.organization.prefixInvalid'),
        time_zone: t('adminPeople.organization.timeZoneInvalid'),
      })
      if (isApiError(error, 'slug_taken')) server.slug = t('adminPeople.organization.slugTaken')
      setErrors(server)
      focusFirstInvalid(formRef.current, server)
    },
  })

  const set =
    <K extends keyof Values>(key: K, transform: (value: string) => string = (v) => v) =>
    (event: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
      const target = event.target
      const value = target instanceof HTMLInputElement && target.type === 'checkbox' ? target.checked : transform(target.value)
      clearSaved()
      setValues((v) => ({ ...v, [key]: value }))
    }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next = compact<string>({
      name: required(values.name, t),
      slug: required(values.slug, t) ?? (SLUG.test(values.slug.trim()) ? undefined : t('adminPeople.organization.slugInvalid')),
      ticket_prefix: required(values.prefix, t) ?? (PREFIX.test(values.prefix.trim()) ? undefined : t('adminPeople.organization.prefixInvalid')),
    })
    setErrors(next)
    if (Object.keys(next).length) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    const patch = changes(values, organization)
    if (Object.keys(patch).length === 0) {
      markSaved(organization)
      return
    }
    save.mutate(patch)
  }

  const elsewhere = otherErrors(errors, FIELDS)
  const problem = save.isError && (elsewhere || !Object.keys(errors).length) ? [errorMessage(save.error, t), elsewhere].filter(Boolean).join(' ') : null

  return (
    <section className="card" aria-labelledby="org-profile-heading">
      <h2 id="org-profile-heading">{t('adminPeople.organization.profile')}</h2>
      <form ref={formRef} className="form settings-form" onSubmit={onSubmit} noValidate>
        {problem ? <Alert>{problem}</Alert> : null}
        <Field label={t('adminPeople.organization.name')} name="name" value={values.name} onChange={set('name')} error={errors.name} maxLength={200} required />
        <Field
          label={t('adminPeople.organization.slug')}
          name="slug"
          value={values.slug}
          onChange={set('slug', (v) => v.toLowerCase())}
          hint={t('adminPeople.organization.slugHint')}
          error={errors.slug}
          autoComplete="off"
          spellCheck={false}
          maxLength={63}
          required
        />
        <SelectField label={t('adminPeople.organization.timeZone')} name="time_zone" value={values.timeZone} onChange={set('timeZone')} error={errors.time_zone}>
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {zone.replace(/_/g, ' ')}
            </option>
          ))}
        </SelectField>
        <SelectField
          label={t('adminPeople.organization.language')}
          name="locale"
          value={values.locale}
          onChange={set('locale')}
          hint={t('adminPeople.organization.languageHint')}
          error={errors.locale}
        >
          {(Object.keys(LANGUAGE_NAMES) as Locale[]).map((code) => (
            <option key={code} value={code} lang={code}>
              {LANGUAGE_NAMES[code]}
            </option>
          ))}
        </SelectField>
        <Field
          label={t('adminPeople.organization.prefix')}
          name="ticket_prefix"
          value={values.prefix}
          onChange={set('prefix', (v) => v.toUpperCase())}
          hint={t('adminPeople.organization.prefixHint', { example: `${PREFIX.test(values.prefix) ? values.prefix : 'TKT'}-000123` })}
          error={errors.ticket_prefix}
          autoComplete="off"
          spellCheck={false}
          maxLength={10}
          required
        />
        <SelectField
          label={t('adminPeople.organization.agentScope')}
          name="settings.agent_ticket_scope"
          value={values.scope}
          onChange={set('scope')}
          error={errors['settings.agent_ticket_scope']}
        >
          <option value="team">{t('adminPeople.organization.scopeTeam')}</option>
          <option value="all">{t('adminPeople.organization.scopeAll')}</option>
        </SelectField>
        <CheckboxField
          label={t('adminPeople.organization.companyTickets')}
          name="settings.customers_see_company_tickets"
          checked={values.companyTickets}
          onChange={set('companyTickets')}
          hint={t('adminPeople.organization.companyTicketsHint')}
        />
        <CheckboxField
          label={t('adminPeople.organization.portalSignup')}
          name="settings.portal_signup"
          checked={values.portalSignup}
          onChange={set('portalSignup')}
          hint={t('adminPeople.organization.portalSignupHint', { path: `/support/${organization.slug}` })}
        />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? t('adminPeople.common.saving') : t('adminPeople.organization.saveProfile')}
          </button>
        </div>
        <div aria-live="polite">{saved ? <Alert tone="success">{t('adminPeople.organization.profileSaved')}</Alert> : null}</div>
      </form>
    </section>
  )
}
