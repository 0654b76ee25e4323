import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { isApiError } from '../../../api/client'
import { Alert } from '../../../ui/Alert'
import { CheckboxField } from '../../../ui/CheckboxField'
import { ConfirmDialog } from '../../../ui/Dialog'
import { errorMessage } from '../../../ui/errorMessage'
import { Field } from '../../../ui/Field'
import { Loading } from '../../../ui/Spinner'
import { TextAreaField } from '../../../ui/TextAreaField'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { emailApi, emailKeys, isTemplateKey, useTemplates, type EmailTemplate, type TemplateKey } from './api'
import { LoadError } from '../../../ui/LoadError'

const VARIABLE_KEYS = [
  'ticket_number',
  'ticket_subject',
  'ticket_status',
  'ticket_url',
  'requester_name',
  'requester_email',
  'agent_name',
  'organization_name',
  'reply',
] as const
type VariableKey = (typeof VARIABLE_KEYS)[number]

/** `ticket.number` → the key of its description, when we have one. */
const variableKey = (variable: string): VariableKey | null => {
  const key = variable.replace(/\./g, '_')
  return (VARIABLE_KEYS as readonly string[]).includes(key) ? (key as VariableKey) : null
}

/** The mail templates: wording, placeholders, on/off, reset. */
export function TemplatesPage() {
  const { t } = useTranslation()
  const templates = useTemplates()
  useDocumentTitle(`${t('email.templates.title')} · ${t('email.title')}`)

  return (
    <section aria-labelledby="templates-heading">
      <h2 id="templates-heading">{t('email.templates.title')}</h2>
      <p className="muted">{t('email.templates.intro')}</p>
      {templates.isPending ? (
        <Loading />
      ) : templates.isError ? (
        <LoadError error={templates.error} onRetry={() => void templates.refetch()} />
      ) : (
        <div className="templates">
          {/* A key this page has no wording for (a server newer than the app) is left out. */}
          {templates.data.map((template) =>
            isTemplateKey(template.key) ? <TemplateEditor key={template.key} templateKey={template.key} template={template} /> : null,
          )}
        </div>
      )}
    </section>
  )
}

type FieldErrors = Partial<Record<'subject' | 'body', string>>

function TemplateEditor({ template, templateKey: key }: { template: EmailTemplate; templateKey: TemplateKey }) {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const formRef = useRef<HTMLFormElement>(null)
  const [subject, setSubject] = useState(template.subject)
  const [body, setBody] = useState(template.body)
  const [enabled, setEnabled] = useState(template.enabled)
  // What the server has now (the badges), apart from what is being edited.
  const [stored, setStored] = useState({ customized: template.customized, enabled: template.enabled })
  const [errors, setErrors] = useState<FieldErrors>({})
  const [notice, setNotice] = useState<string | null>(null)
  const [confirmReset, setConfirmReset] = useState(false)
  const name = t(`email.templates.${key}`)
  const headingId = `template-${key}`

  const apply = (saved: EmailTemplate) => {
    setSubject(saved.subject)
    setBody(saved.body)
    setEnabled(saved.enabled)
    setStored({ customized: saved.customized, enabled: saved.enabled })
    setErrors({})
    queryClient.setQueryData<EmailTemplate[]>(emailKeys.templates, (list) => list?.map((x) => (x.key === saved.key ? saved : x)))
  }

  /** The server names the first unknown placeholder in its message; say it in the user's language. */
  const translate = (message: string) => {
    const placeholder = /unknown placeholder (\{\{[^}]*\}\})/.exec(message)?.[1]
    return placeholder ? t('email.templates.unknownPlaceholder', { placeholder }) : message
  }

  const save = useMutation({
    mutationFn: () => emailApi.saveTemplate(key, { subject, body, enabled }),
    onMutate: () => setNotice(null),
    onSuccess: (saved) => {
      apply(saved)
      setNotice(t('email.templates.saved'))
    },
    onError: (error) => {
      const next: FieldErrors = {}
      if (isApiError(error, 'validation_error')) {
        for (const detail of error.details) {
          const field = detail.field?.replace(/^\/?(body[./])?/, '')
          if ((field === 'subject' || field === 'body') && !next[field]) {
            next[field] = detail.code === 'minLength' ? t('validation.required') : translate(detail.message)
          }
        }
      }
      setErrors(next)
      const first = next.subject ? 'subject' : next.body ? 'body' : null
      if (first) (formRef.current?.elements.namedItem(first) as HTMLElement | null)?.focus()
    },
  })

  const reset = useMutation({
    mutationFn: () => emailApi.resetTemplate(key),
    onSuccess: (saved) => {
      setConfirmReset(false)
      apply(saved)
      setNotice(t('email.templates.resetDone'))
    },
  })

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const next: FieldErrors = {}
    if (!subject.trim()) next.subject = t('validation.required')
    if (!body.trim()) next.body = t('validation.required')
    setErrors(next)
    if (next.subject || next.body) {
      ;(formRef.current?.elements.namedItem(next.subject ? 'subject' : 'body') as HTMLElement | null)?.focus()
      return
    }
    save.mutate()
  }

  const hasFieldErrors = !!(errors.subject || errors.body)

  return (
    <section className="card template" aria-labelledby={headingId}>
      <div className="template-head">
        <h3 id={headingId}>{name}</h3>
        <span className={stored.customized ? 'badge' : 'badge badge-off'}>
          {stored.customized ? t('email.templates.customized') : t('email.templates.builtIn')}
        </span>
        {!stored.enabled ? <span className="badge badge-off">{t('email.templates.off')}</span> : null}
      </div>
      <p className="muted">{t(`email.templates.${key}Hint`)}</p>

      <form ref={formRef} className="form" onSubmit={onSubmit} noValidate aria-labelledby={headingId}>
        <CheckboxField label={t('email.templates.enabled')} name="enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        <Field
          label={t('email.templates.subject')}
          name="subject"
          value={subject}
          onChange={(e) => setSubject(e.target.value)}
          error={errors.subject}
          maxLength={300}
          spellCheck
          required
        />
        <TextAreaField
          label={t('email.templates.body')}
          name="body"
          value={body}
          onChange={(e) => setBody(e.target.value)}
          error={errors.body}
          rows={8}
          maxLength={20000}
          spellCheck
          required
        />

        <details className="variables">
          <summary>{t('email.templates.variables')}</summary>
          <dl className="facts">
            {template.variables.map((variable) => {
              const description = variableKey(variable)
              return (
                <div key={variable}>
                  <dt>
                    <code>{`{{${variable}}}`}</code>
                  </dt>
                  <dd>{description ? t(`email.templates.variableDescriptions.${description}`) : null}</dd>
                </div>
              )
            })}
          </dl>
        </details>

        <div aria-live="polite">
          {notice ? <Alert tone="success">{notice}</Alert> : null}
          {save.isError && !hasFieldErrors ? <Alert>{errorMessage(save.error, t)}</Alert> : null}
        </div>

        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? t('email.templates.saving') : t('email.templates.save')}
          </button>
          {stored.customized ? (
            <button
              type="button"
              className="btn"
              onClick={() => {
                reset.reset()
                setConfirmReset(true)
              }}
            >
              {t('email.templates.reset')}
            </button>
          ) : null}
        </div>
      </form>

      <ConfirmDialog
        open={confirmReset}
        title={t('email.templates.resetTitle')}
        confirmLabel={t('email.templates.resetConfirm')}
        pendingLabel={t('email.templates.resetting')}
        pending={reset.isPending}
        error={reset.isError ? errorMessage(reset.error, t) : null}
        onConfirm={() => reset.mutate()}
        onCancel={() => setConfirmReset(false)}
      >
        <p>{t('email.templates.resetBody', { name })}</p>
      </ConfirmDialog>
    </section>
  )
}
