import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { isApiError } from '../../api/client'
import { Alert } from '../../ui/Alert'
import { CheckboxField } from '../../ui/CheckboxField'
import { errorMessage } from '../../ui/errorMessage'
import { Field } from '../../ui/Field'
import { SelectField } from '../../ui/SelectField'
import { PHONE_TYPES, contactKeys, contactsApi, type Contact, type ContactChanges } from './api'
import { CompanyPicker, type CompanyRef } from './CompanyPicker'
import { focusFirstError, serverFieldErrors, splitList } from './text'

type PhoneType = (typeof PHONE_TYPES)[number]
const ADDRESS_KEYS = ['street', 'city', 'region', 'postal_code', 'country'] as const
type AddressKey = (typeof ADDRESS_KEYS)[number]

interface Values {
  name: string
  email: string
  phones: { type: PhoneType; number: string }[]
  company: CompanyRef | null
  timeZone: string
  language: string
  tags: string
  isVip: boolean
  canSeeCompanyTickets: boolean
  address: Record<AddressKey, string>
}

const asPhoneType = (type: string): PhoneType => ((PHONE_TYPES as readonly string[]).includes(type) ? (type as PhoneType) : 'other')

function initialValues(contact?: Contact): Values {
  return {
    name: contact?.name ?? '',
    email: contact?.email ?? '',
    phones: contact?.phones.length ? contact.phones.map((p) => ({ type: asPhoneType(p.type), number: p.number })) : [{ type: 'work', number: '' }],
    company: contact?.company ?? null,
    timeZone: contact?.time_zone ?? '',
    language: contact?.language ?? '',
    tags: contact?.tags.join(', ') ?? '',
    isVip: contact?.is_vip ?? false,
    canSeeCompanyTickets: contact?.can_see_company_tickets ?? false,
    address: Object.fromEntries(ADDRESS_KEYS.map((key) => [key, contact?.address[key] ?? ''])) as Record<AddressKey, string>,
  }
}

/** What the form sends: everything on an edit (a partial update of every field shown), only what is filled on a new one. */
function toInput(values: Values, contact?: Contact): ContactChanges {
  const address = Object.fromEntries(ADDRESS_KEYS.map((key) => [key, values.address[key].trim()]).filter(([, v]) => v))
  const input: ContactChanges = {
    name: values.name.trim(),
    phones: values.phones.filter((p) => p.number.trim()).map((p) => ({ type: p.type, number: p.number.trim() })),
    tags: splitList(values.tags),
    is_vip: values.isVip,
    can_see_company_tickets: values.canSeeCompanyTickets,
    address,
  }
  const email = values.email.trim()
  if (contact) {
    input.email = email || null
    input.time_zone = values.timeZone.trim() || null
    input.language = values.language.trim() || null
    // Only a changed company is sent: left alone, a new email's domain may still pick one.
    if ((values.company?.id ?? null) !== contact.company_id) input.company_id = values.company?.id ?? null
  } else {
    if (email) input.email = email
    if (values.timeZone.trim()) input.time_zone = values.timeZone.trim()
    if (values.language.trim()) input.language = values.language.trim()
    if (values.company) input.company_id = values.company.id
  }
  return input
}

let timeZones: string[] | null = null
function allTimeZones(): string[] {
  try {
    timeZones ??= Intl.supportedValuesOf('timeZone')
  } catch {
    timeZones = []
  }
  return timeZones
}

/**
 * A contact's details as a form: a new contact, or changes to one. The server decides what is
 * valid; its errors are shown at their fields.
 */
export function ContactForm({ contact, onSaved, onCancel }: { contact?: Contact; onSaved: (contact: Contact) => void; onCancel: () => void }) {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const formRef = useRef<HTMLFormElement>(null)
  const [values, setValues] = useState<Values>(() => initialValues(contact))
  const [errors, setErrors] = useState<Record<string, string>>({})

  const save = useMutation({
    mutationFn: (input: ContactChanges) =>
      contact ? contactsApi.update(contact.id, input) : contactsApi.create({ ...input, name: input.name ?? '' }),
    onSuccess: async (saved) => {
      queryClient.setQueryData(contactKeys.detail(saved.id), saved)
      await queryClient.invalidateQueries({ queryKey: contactKeys.all })
      await queryClient.invalidateQueries({ queryKey: ['companies'] })
      onSaved(saved)
    },
    onError: (error) => {
      const server = serverFieldErrors(error, t)
      setErrors(server)
      focusFirstError(formRef.current, server)
    },
  })

  const set = <K extends keyof Values>(key: K, value: Values[K]) => setValues((v) => ({ ...v, [key]: value }))
  const setPhone = (index: number, patch: Partial<Values['phones'][number]>) =>
    setValues((v) => ({ ...v, phones: v.phones.map((p, i) => (i === index ? { ...p, ...patch } : p)) }))

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (!values.name.trim()) {
      const next = { name: t('validation.required') }
      setErrors(next)
      focusFirstError(formRef.current, next)
      return
    }
    setErrors({})
    save.mutate(toInput(values, contact))
  }

  const shown = new Set(['name', 'email', 'company_id', 'time_zone', 'language', 'tags', ...ADDRESS_KEYS.map((k) => `address.${k}`)])
  const elsewhere = Object.entries(errors).filter(([field]) => !shown.has(field) && !/^phones\.\d+(\.number)?$/.test(field))
  const problem = !save.isError
    ? null
    : Object.keys(errors).length > 0 && elsewhere.length === 0 && (isApiError(save.error, 'validation_error') || isApiError(save.error, 'conflict'))
      ? t('crm.form.fixFields')
      : [errorMessage(save.error, t), ...elsewhere.map(([field, message]) => `${field}: ${message}`)].join(' ')
  const phoneError = (index: number) => errors[`phones.${index}.number`] ?? errors[`phones.${index}`] ?? (index === 0 ? errors.phones : undefined)

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="form crm-form">
      {problem ? <Alert>{problem}</Alert> : null}
      <Field
        label={t('crm.contact.fields.name')}
        name="name"
        autoComplete="off"
        value={values.name}
        onChange={(e) => set('name', e.target.value)}
        error={errors.name}
        maxLength={200}
        required
      />
      <Field
        label={t('crm.contact.fields.email')}
        name="email"
        type="email"
        inputMode="email"
        autoComplete="off"
        spellCheck={false}
        value={values.email}
        onChange={(e) => set('email', e.target.value)}
        error={errors.email}
      />
      <fieldset className="crm-phones">
        <legend>{t('crm.contact.fields.phones')}</legend>
        {values.phones.map((phone, index) => (
          <div className="crm-phone-row" key={index}>
            <SelectField
              label={t('crm.contact.phoneType', { n: index + 1 })}
              name={`phones.${index}.type`}
              value={phone.type}
              onChange={(e) => setPhone(index, { type: asPhoneType(e.target.value) })}
            >
              {PHONE_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`crm.contact.phoneTypes.${type}`)}
                </option>
              ))}
            </SelectField>
            <Field
              label={t('crm.contact.phoneNumber', { n: index + 1 })}
              name={`phones.${index}.number`}
              type="tel"
              inputMode="tel"
              autoComplete="off"
              value={phone.number}
              onChange={(e) => setPhone(index, { number: e.target.value })}
              error={phoneError(index)}
            />
            {values.phones.length > 1 ? (
              <button
                type="button"
                className="btn btn-small"
                onClick={() => set('phones', values.phones.filter((_, i) => i !== index))}
              >
                {t('crm.contact.removePhone', { n: index + 1 })}
              </button>
            ) : null}
          </div>
        ))}
        <button type="button" className="btn btn-small" onClick={() => set('phones', [...values.phones, { type: 'mobile', number: '' }])}>
          {t('crm.contact.addPhone')}
        </button>
      </fieldset>
      <CompanyPicker
        label={t('crm.contact.fields.company')}
        name="company_id"
        value={values.company}
        onChange={(company) => set('company', company)}
        error={errors.company_id}
      />
      <div className="crm-two">
        <Field
          label={t('crm.contact.fields.timeZone')}
          name="time_zone"
          list="crm-time-zones"
          autoComplete="off"
          spellCheck={false}
          placeholder="Europe/Paris"
          value={values.timeZone}
          onChange={(e) => set('timeZone', e.target.value)}
          error={errors.time_zone}
        />
        <datalist id="crm-time-zones">
          {allTimeZones().map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        <Field
          label={t('crm.contact.fields.language')}
          name="language"
          autoComplete="off"
          spellCheck={false}
          placeholder="en"
          value={values.language}
          onChange={(e) => set('language', e.target.value)}
          error={errors.language}
          hint={t('crm.contact.languageHint')}
        />
      </div>
      <Field
        label={t('crm.fields.tags')}
        name="tags"
        autoComplete="off"
        value={values.tags}
        onChange={(e) => set('tags', e.target.value)}
        error={errors.tags}
        hint={t('crm.fields.tagsHint')}
      />
      <fieldset className="crm-address">
        <legend>{t('crm.contact.fields.address')}</legend>
        {ADDRESS_KEYS.map((key) => (
          <Field
            key={key}
            label={t(`crm.contact.address.${key}`)}
            name={`address.${key}`}
            autoComplete="off"
            value={values.address[key]}
            onChange={(e) => set('address', { ...values.address, [key]: e.target.value })}
            error={errors[`address.${key}`]}
          />
        ))}
      </fieldset>
      <CheckboxField label={t('crm.contact.fields.vip')} name="is_vip" checked={values.isVip} onChange={(e) => set('isVip', e.target.checked)} />
      <CheckboxField
        label={t('crm.contact.fields.companyTickets')}
        name="can_see_company_tickets"
        checked={values.canSeeCompanyTickets}
        onChange={(e) => set('canSeeCompanyTickets', e.target.checked)}
        hint={t('crm.contact.companyTicketsHint')}
      />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? t('crm.form.saving') : contact ? t('crm.form.save') : t('crm.contacts.create')}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  )
}
