import { useMutation } from '@tanstack/react-query'
import { useRef, useState, type CSSProperties, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { compact, focusFirstInvalid } from '../../auth/validation'
import { Alert } from '../../../ui/Alert'
import { errorMessage } from '../../../ui/errorMessage'
import { Field } from '../../../ui/Field'
import { otherErrors, serverFieldErrors } from '../users/serverErrors'
import { isUploadedLogo, organizationApi, type Organization, type OrganizationPatch } from './api'
import { ColorField } from './ColorField'
import { DEFAULT_COLOR, HEX_COLOR, textOn } from './colors'
import { useSaved } from './useSaved'

const FIELDS = ['branding.primary_color', 'branding.accent_color', 'branding.logo_url'] as const

interface Values {
  primary: string
  accent: string
  logoUrl: string
}

function initialValues(org: Organization): Values {
  const logo = org.branding.logo_url ?? ''
  return {
    primary: org.branding.primary_color ?? '',
    accent: org.branding.accent_color ?? '',
    // An uploaded logo's address is the server's own; this field is only for an image elsewhere.
    logoUrl: isUploadedLogo(logo) ? '' : logo,
  }
}

/** The organization's colours (with a live preview) and an optional logo from a web address. */
export function BrandingForm({ organization }: { organization: Organization }) {
  const { t } = useTranslation()
  const formRef = useRef<HTMLFormElement>(null)
  const [values, setValues] = useState<Values>(() => initialValues(organization))
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({})
  const [saved, markSaved, clearSaved] = useSaved()
  const colorFormat = t('adminPeople.branding.colorInvalid')

  const save = useMutation({
    mutationFn: (patch: OrganizationPatch) => organizationApi.update(patch),
    onSuccess: (updated) => {
      setValues(initialValues(updated))
      markSaved(updated)
    },
    onError: (error) => {
      const server = serverFieldErrors(error, t, {
        'branding.primary_color': colorFormat,
        'branding.accent_color': colorFormat,
        'branding.logo_url': t('adminPeople.branding.logoUrlInvalid'),
      })
      setErrors(server)
      focusFirstInvalid(formRef.current, server)
    },
  })

  const set = (key: keyof Values) => (value: string) => {
    clearSaved()
    setValues((v) => ({ ...v, [key]: value }))
  }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const before = initialValues(organization)
    // A colour once set can be changed but not emptied (the server keeps it); empty means "the default" only until then.
    const color = (value: string, was: string) => (!value && !was ? undefined : HEX_COLOR.test(value) ? undefined : colorFormat)
    const logoUrl = values.logoUrl.trim()
    const next = compact<string>({
      'branding.primary_color': color(values.primary, before.primary),
      'branding.accent_color': color(values.accent, before.accent),
      'branding.logo_url': !logoUrl || /^https:\/\/\S+$/i.test(logoUrl) ? undefined : t('adminPeople.branding.logoUrlInvalid'),
    })
    setErrors(next)
    if (Object.keys(next).length) {
      focusFirstInvalid(formRef.current, next)
      return
    }
    const branding: NonNullable<OrganizationPatch['branding']> = {}
    if (values.primary && values.primary.toLowerCase() !== before.primary.toLowerCase()) branding.primary_color = values.primary.toLowerCase()
    if (values.accent && values.accent.toLowerCase() !== before.accent.toLowerCase()) branding.accent_color = values.accent.toLowerCase()
    if (logoUrl !== before.logoUrl) branding.logo_url = logoUrl || null
    if (Object.keys(branding).length === 0) {
      markSaved(organization)
      return
    }
    save.mutate({ branding })
  }

  const primary = HEX_COLOR.test(values.primary) ? values.primary : DEFAULT_COLOR
  const accent = HEX_COLOR.test(values.accent) ? values.accent : primary
  const elsewhere = otherErrors(errors, FIELDS)
  const problem = save.isError && (elsewhere || !Object.keys(errors).length) ? [errorMessage(save.error, t), elsewhere].filter(Boolean).join(' ') : null

  return (
    <section className="card" aria-labelledby="org-branding-heading">
      <h2 id="org-branding-heading">{t('adminPeople.branding.title')}</h2>
      <form ref={formRef} className="form settings-form" onSubmit={onSubmit} noValidate>
        {problem ? <Alert>{problem}</Alert> : null}
        <div className="color-fields">
          <ColorField
            label={t('adminPeople.branding.primary')}
            name="branding.primary_color"
            value={values.primary}
            fallback={DEFAULT_COLOR}
            onChange={set('primary')}
            hint={t('adminPeople.branding.primaryHint')}
            error={errors['branding.primary_color']}
          />
          <ColorField
            label={t('adminPeople.branding.accent')}
            name="branding.accent_color"
            value={values.accent}
            fallback={primary}
            onChange={set('accent')}
            hint={t('adminPeople.branding.accentHint')}
            error={errors['branding.accent_color']}
          />
        </div>

        <figure className="brand-preview" aria-labelledby="brand-preview-caption">
          <figcaption id="brand-preview-caption">{t('adminPeople.branding.preview')}</figcaption>
          <div
            className="brand-preview-bar"
            style={{ '--preview-bg': primary, '--preview-fg': textOn(primary) } as CSSProperties}
            data-testid="brand-preview-primary"
          >
            <span className="brand-preview-name">{organization.name}</span>
            <span className="brand-preview-code">{primary}</span>
          </div>
          <div className="brand-preview-samples">
            <span className="brand-preview-button" style={{ '--preview-bg': primary, '--preview-fg': textOn(primary) } as CSSProperties}>
              {t('adminPeople.branding.sampleButton')}
            </span>
            <span
              className="brand-preview-accent"
              style={{ '--preview-bg': accent, '--preview-fg': textOn(accent) } as CSSProperties}
              data-testid="brand-preview-accent"
            >
              {t('adminPeople.branding.sampleAccent')} · {accent}
            </span>
          </div>
        </figure>

        <Field
          label={t('adminPeople.branding.logoUrl')}
          name="branding.logo_url"
          type="url"
          inputMode="url"
          value={values.logoUrl}
          onChange={(event) => set('logoUrl')(event.target.value)}
          hint={t('adminPeople.branding.logoUrlHint')}
          error={errors['branding.logo_url']}
          autoComplete="off"
          spellCheck={false}
          maxLength={2000}
        />
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? t('adminPeople.common.saving') : t('adminPeople.branding.save')}
          </button>
        </div>
        <div aria-live="polite">{saved ? <Alert tone="success">{t('adminPeople.branding.saved')}</Alert> : null}</div>
      </form>
    </section>
  )
}
