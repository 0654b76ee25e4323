import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { Alert } from '../../ui/Alert'
import { errorMessage, fieldErrors } from '../../ui/errorMessage'
import { Field } from '../../ui/Field'
import { TextAreaField } from '../../ui/TextAreaField'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { ticketsApi, type TicketDetail } from '../tickets/api'
import { PaperclipIcon } from '../tickets/icons'
import { ticketKeys } from '../tickets/shared'
import { formatBytes } from '../tickets/text'

interface Request {
  subject: string
  description: string
  files: File[]
}

/**
 * A new request: subject and description (the only fields a customer sends), and optional files,
 * uploaded once the ticket exists and attached to a first message that lists them.
 */
export function NewRequestPage() {
  const { t, i18n } = useTranslation()
  const id = useId()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const subjectRef = useRef<HTMLInputElement>(null)
  const descriptionRef = useRef<HTMLTextAreaElement>(null)
  const [subject, setSubject] = useState('')
  const [description, setDescription] = useState('')
  const [files, setFiles] = useState<File[]>([])
  const [errors, setErrors] = useState<{ subject?: string; description?: string }>({})
  // A ticket already created when the files then failed: not created twice on a retry.
  const [created, setCreated] = useState<TicketDetail | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  useDocumentTitle(t('portal.new.title'))

  const submit = useMutation({
    mutationFn: async (input: Request) => {
      const ticket = created ?? (await ticketsApi.create({ subject: input.subject.trim(), description_text: input.description }))
      setCreated(ticket)
      if (input.files.length) {
        try {
          const uploaded = await ticketsApi.upload(ticket.id, input.files)
          await ticketsApi.addComment(ticket.id, {
            body_text: t('portal.new.filesComment', { count: uploaded.length }),
            is_internal: false,
            attachment_ids: uploaded.map((a) => a.id),
          })
        } catch (error) {
          throw new FilesFailed(ticket, error)
        }
      }
      return ticket
    },
    onMutate: () => setProblem(null),
    onSuccess: (ticket) => {
      void queryClient.invalidateQueries({ queryKey: ticketKeys.lists })
      void navigate('/portal', { state: { created: ticket.ticket_number } })
    },
    onError: (error) => {
      if (error instanceof FilesFailed) {
        setProblem(t('portal.new.filesFailed', { number: error.ticket.ticket_number, error: errorMessage(error.cause, t) }))
        return
      }
      const fields = fieldErrors(error)
      if (fields.subject || fields.description_text) {
        setErrors({ subject: fields.subject, description: fields.description_text })
        return
      }
      setProblem(errorMessage(error, t))
    },
  })

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (submit.isPending) return
    const next = {
      subject: subject.trim() ? undefined : t('portal.new.subjectRequired'),
      description: description.trim() ? undefined : t('portal.new.descriptionRequired'),
    }
    setErrors(next)
    if (next.subject) return subjectRef.current?.focus()
    if (next.description) return descriptionRef.current?.focus()
    submit.mutate({ subject, description, files })
  }

  return (
    <div className="portal portal-new">
      <p className="back-link">
        <Link to="/portal">
          <span aria-hidden="true">← </span>
          {t('portal.back')}
        </Link>
      </p>
      <h1 className="page-title">{t('portal.new.title')}</h1>
      <section className="card card-wide">
        <form className="form" onSubmit={onSubmit} noValidate aria-label={t('portal.new.title')}>
          <p className="muted">{t('portal.new.intro')}</p>
          <Field
            ref={subjectRef}
            label={t('portal.new.subject')}
            name="subject"
            value={subject}
            maxLength={250}
            required
            disabled={!!created}
            onChange={(e) => setSubject(e.target.value)}
            error={errors.subject}
          />
          <TextAreaField
            ref={descriptionRef}
            label={t('portal.new.description')}
            name="description"
            rows={8}
            value={description}
            required
            disabled={!!created}
            hint={t('portal.new.descriptionHint')}
            onChange={(e) => setDescription(e.target.value)}
            error={errors.description}
          />
          <div className="reply-files">
            <label htmlFor={`${id}-files`} className="file-label">
              {t('portal.new.attach')}
            </label>
            <input
              id={`${id}-files`}
              type="file"
              multiple
              aria-describedby={`${id}-files-hint`}
              onChange={(e) => {
                const picked = [...(e.target.files ?? [])]
                e.target.value = ''
                if (picked.length) setFiles((current) => [...current, ...picked])
              }}
            />
            <p className="field-hint" id={`${id}-files-hint`}>
              {t('portal.new.attachHint')}
            </p>
            {files.length ? (
              <ul className="attachments pending-files" aria-label={t('portal.new.files')}>
                {files.map((file, index) => (
                  <li key={`${file.name}-${index}`}>
                    <PaperclipIcon />
                    {file.name} <span className="muted">({formatBytes(file.size, i18n.language)})</span>
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => setFiles((current) => current.filter((_, i) => i !== index))}
                      aria-label={t('tickets.reply.removeFile', { name: file.name })}
                    >
                      {t('tickets.reply.remove')}
                    </button>
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
          <div aria-live="polite">{problem ? <Alert>{problem}</Alert> : null}</div>
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={submit.isPending}>
              {submit.isPending ? t('portal.new.sending') : created ? t('portal.new.retryFiles') : t('portal.new.submit')}
            </button>
            {created ? (
              <Link to={`/portal/${created.id}`} className="btn">
                {t('portal.new.openCreated')}
              </Link>
            ) : (
              <Link to="/portal" className="btn">
                {t('common.cancel')}
              </Link>
            )}
          </div>
        </form>
      </section>
    </div>
  )
}

class FilesFailed extends Error {
  constructor(
    readonly ticket: TicketDetail,
    override readonly cause: unknown,
  ) {
    super('files failed')
  }
}
