import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { isApiError } from '../../api/client'
import { Alert } from '../../ui/Alert'
import { CheckboxField } from '../../ui/CheckboxField'
import { errorMessage } from '../../ui/errorMessage'
import { Field } from '../../ui/Field'
import { CompanyPicker, type CompanyRef } from '../contacts/CompanyPicker'
import { focusFirstError, serverFieldErrors, splitList } from '../contacts/text'
import { companiesApi, companyKeys, type Company, type CompanyChanges } from './api'

interface Values {
  name: string
  domains: string
  website: string
  phone: string
  parent: CompanyRef | null
  tags: string
  assignContacts: boolean
}

const SHOWN = new Set(['name', 'domains', 'website', 'phone', 'parent_id', 'tags'])

/** A company's details as a form: a new company, or changes to one; the server's errors at their fields. */
export function CompanyForm({ company, onSaved, onCancel }: { company?: Company; onSaved: (company: Company) => void; onCancel: () => void }) {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const formRef = useRef<HTMLFormElement>(null)
  const [values, setValues] = useState<Values>(() => ({
    name: company?.name ?? '',
    domains: company?.domains.join(', ') ?? '',
    website: company?.website ?? '',
    phone: company?.phone ?? '',
    parent: company?.parent ?? null,
    tags: company?.tags.join(', ') ?? '',
    assignContacts: !company,
  }))
  const [errors, setErrors] = useState<Record<string, string>>({})

  const save = useMutation({
    mutationFn: (input: CompanyChanges) =>
      company
        ? companiesApi.update(company.id, input, values.assignContacts)
        : companiesApi.create({ ...input, name: input.name ?? '' }, values.assignContacts),
    onSuccess: async (saved) => {
      queryClient.setQueryData(companyKeys.detail(saved.id), saved)
      await queryClient.invalidateQueries({ queryKey: companyKeys.all })
      if (values.assignContacts) await queryClient.invalidateQueries({ queryKey: ['contacts'] })
      onSaved(saved)
    },
    onError: (error) => {
      const server = serverFieldErrors(error, t)
      setErrors(server)
      focusFirstError(formRef.current, server)
    },
  })

  const set = <K extends keyof Values>(key: K, value: Values[K]) => setValues((v) => ({ ...v, [key]: value }))

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (!values.name.trim()) {
      const next = { name: t('validation.required') }
      setErrors(next)
      focusFirstError(formRef.current, next)
      return
    }
    setErrors({})
    const input: CompanyChanges = {
      name: values.name.trim(),
      domains: splitList(values.domains.toLowerCase()),
      tags: splitList(values.tags),
      website: values.website.trim() || null,
      phone: values.phone.trim() || null,
    }
    if (company ? (values.parent?.id ?? null) !== company.parent_id : values.parent) input.parent_id = values.parent?.id ?? null
    save.mutate(input)
  }

  const elsewhere = Object.entries(errors).filter(([field]) => !SHOWN.has(field))
  const problem = !save.isError
    ? null
    : Object.keys(errors).length > 0 && elsewhere.length === 0 && (isApiError(save.error, 'validation_error') || isApiError(save.error, 'conflict'))
      ? isApiError(save.error, 'conflict')
        ? save.error.message
        : t('crm.form.fixFields')
      : [errorMessage(save.error, t), ...elsewhere.map(([field, message]) => `${field}: ${message}`)].join(' ')

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="form crm-form">
      {problem ? <Alert>{problem}</Alert> : null}
      <Field
        label={t('crm.company.fields.name')}
        name="name"
        autoComplete="off"
        value={values.name}
        onChange={(e) => set('name', e.target.value)}
        error={errors.name}
        maxLength={200}
        required
      />
      <Field
        label={t('crm.company.fields.domains')}
        name="domains"
        autoComplete="off"
        spellCheck={false}
        value={values.domains}
        onChange={(e) => set('domains', e.target.value)}
        error={errors.domains}
        hint={t('crm.company.domainsHint')}
      />
      <CheckboxField
        label={company ? t('crm.company.assignAdded') : t('crm.company.assignNew')}
        name="assign_contacts"
        checked={values.assignContacts}
        onChange={(e) => set('assignContacts', e.target.checked)}
      />
      <div className="crm-two">
        <Field
          label={t('crm.company.fields.website')}
          name="website"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="https://example.com"
          value={values.website}
          onChange={(e) => set('website', e.target.value)}
          error={errors.website}
        />
        <Field
          label={t('crm.company.fields.phone')}
          name="phone"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          value={values.phone}
          onChange={(e) => set('phone', e.target.value)}
          error={errors.phone}
        />
      </div>
      <CompanyPicker
        label={t('crm.company.fields.parent')}
        name="parent_id"
        value={values.parent}
        onChange={(parent) => set('parent', parent)}
        error={errors.parent_id}
        excludeId={company?.id}
      />
      <Field
        label={t('crm.fields.tags')}
        name="tags"
        autoComplete="off"
        value={values.tags}
        onChange={(e) => set('tags', e.target.value)}
        error={errors.tags}
        hint={t('crm.fields.tagsHint')}
      />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? t('crm.form.saving') : company ? t('crm.form.save') : t('crm.companies.create')}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  )
}
