import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { authApi } from '../../api/auth'
import { queryKeys } from '../../api/queries'
import type { Me, ProfileInput, User } from '../../api/types'
import { applyPreferences } from '../../app/preferences'
import { LANGUAGES, LANGUAGE_NAMES, matchLanguage, type Language } from '../../i18n'
import { Alert } from '../../ui/Alert'
import { errorMessage } from '../../ui/errorMessage'
import { Field } from '../../ui/Field'
import { SelectField } from '../../ui/SelectField'
import { compact, focusFirstInvalid, required } from '../auth/validation'
import { otherErrors, serverFieldErrors } from '../settings/users/serverErrors'

const FIELDS = ['name', 'locale', 'time_zone'] as const

interface Values {
  name: string
  /** '' is "browser default" (null on the server). */
  locale: Language | ''
  /** '' is "organization default" (null on the server). */
  timeZone: string
}

function initialValues(user: User): Values {
  return { name: user.name, locale: matchLanguage(user.locale) ?? '', timeZone: user.time_zone ?? '' }
}

/** Every IANA time zone the browser knows, with the saved one always present. */
function timeZones(current: string): string[] {
  let zones: string[]
  try {
    zones = Intl.supportedValuesOf('timeZone')
  } catch {
    zones = ['UTC'] // An older browser: UTC and the saved zone only.
  }
  return [...new Set([...(current ? [current] : []), ...zones])].sort((a, b) => a.localeCompare(b))
}

/** Only what changed goes to PATCH /auth/me. */
function changes(values: Values, user: User): ProfileInput {
  const before = initialValues(user)
  const patch: ProfileInput = {}
  if (values.name.trim() !== before.name) patch.name = values.name.trim()
  if (values.locale !== before.locale) patch.locale = values.locale || null
  if (values.timeZone !== before.timeZone) patch.time_zone = values.timeZone || null
  return patch
}

/**
 * "Your profile" on the home page, for everyone signed in: name, language and time zone. Saving
 * switches the app's language and date time zone at once (the answer becomes `me`, and the
 * preferences are applied from it).
 */
export function ProfileCard({ me }: { me: Me }) {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const formRef = useRef<HTMLFormElement>(null)
  const { user, organization } = me
  const [values, setValues] = useState<Values>(() => initialValues(user))
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({})
  const [saved, setSaved] = useState(false)
  const zones = useMemo(() => timeZones(user.time_zone ?? ''), [user.time_zone])

  const save = useMutation({
    mutationFn: (patch: ProfileInput) => authApi.updateProfile(patch),
    onSuccess: (updated) => {
      const next: Me = { ...me, user: updated }
      // Before anything re-renders with the new profile, so dates and words follow it at once.
      applyPreferences(next)
      queryClient.setQueryData(queryKeys.me, next)
      void queryClient.invalidateQueries({ queryKey: queryKeys.me })
      setValues(initialValues(updated))
      setSaved(true)
    },
    onError: (error) => {
      const server = serverFieldErrors(error, t, { time_zone: t('profile.timeZoneInvalid') })
      setErrors(server)
      focusFirstInvalid(formRef.current, server)
    },
  })

  const set =
    <K extends keyof Values>(key: K) =>
    (event: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
      const value = event.target.value
      setSaved(false)
      setValues((v) => ({ ...v, [key]: value }))
    }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next = compact<string>({ name: required(values.name, t) })
    setErrors(next)
    if (Object.keys(next).length) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    const patch = changes(values, user)
    if (Object.keys(patch).length === 0) {
      setSaved(true)
      return
    }
    save.mutate(patch)
  }

  const elsewhere = otherErrors(errors, FIELDS)
  const problem = save.isError && (elsewhere || !Object.keys(errors).length) ? [errorMessage(save.error, t), elsewhere].filter(Boolean).join(' ') : null

  return (
    <section className="card" aria-labelledby="profile-heading">
      <h2 id="profile-heading">{t('profile.heading')}</h2>
      <p className="muted">{t('profile.intro')}</p>
      <form ref={formRef} className="form" onSubmit={onSubmit} noValidate>
        {problem ? <Alert>{problem}</Alert> : null}
        <Field
          label={t('profile.name')}
          name="name"
          value={values.name}
          onChange={set('name')}
          error={errors.name}
          autoComplete="name"
          maxLength={200}
          required
        />
        <SelectField label={t('profile.language')} name="locale" value={values.locale} onChange={set('locale')} error={errors.locale}>
          <option value="">{t('profile.languageDefault')}</option>
          {LANGUAGES.map((code) => (
            <option key={code} value={code} lang={code}>
              {LANGUAGE_NAMES[code]}
            </option>
          ))}
        </SelectField>
        <SelectField label={t('profile.timeZone')} name="time_zone" value={values.timeZone} onChange={set('timeZone')} error={errors.time_zone}>
          <option value="">{t('profile.timeZoneDefault', { zone: organization.time_zone.replace(/_/g, ' ') })}</option>
          {zones.map((zone) => (
            <option key={zone} value={zone}>
              {zone.replace(/_/g, ' ')}
            </option>
          ))}
        </SelectField>
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? t('profile.saving') : t('profile.save')}
          </button>
        </div>
        <div aria-live="polite">{saved ? <Alert tone="success">{t('profile.saved')}</Alert> : null}</div>
      </form>
    </section>
  )
}
