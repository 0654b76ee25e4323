import { useMutation } from '@tanstack/react-query'
import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Alert } from '../../ui/Alert'
import { errorMessage } from '../../ui/errorMessage'
import { ticketsApi, type Attachment, type TicketDetail } from './api'
import { LockIcon, PaperclipIcon } from './icons'
import { mentionHtml, useMentionPicker } from './mentions'
import { formatBytes } from './text'

type Mode = 'public' | 'internal'

interface ReplyEditorProps {
  ticket: TicketDetail
  onTyped: () => void
  onStoppedTyping: () => void
  onSent: () => void
  /** `customer`: the portal's wording (a reply to the support team rather than to the requester). */
  audience?: 'staff' | 'customer'
}

/**
 * A public reply or an internal note: plain text (the server makes paragraphs of it), files
 * uploaded as they are picked and attached on sending. Ctrl+Enter (⌘+Enter) sends.
 */
export function ReplyEditor({ ticket, onTyped, onStoppedTyping, onSent, audience = 'staff' }: ReplyEditorProps) {
  const { t, i18n } = useTranslation()
  const id = useId()
  const textRef = useRef<HTMLTextAreaElement>(null)
  const formRef = useRef<HTMLFormElement>(null)
  const canPublic = ticket.abilities.comment
  const canInternal = ticket.abilities.comment_internal
  const [mode, setMode] = useState<Mode>(canPublic ? 'public' : 'internal')
  const [text, setText] = useState('')
  const [files, setFiles] = useState<Attachment[]>([])
  const [problem, setProblem] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  // @mentions of colleagues: staff only (the server keeps no mentions from customers).
  const mention = useMentionPicker({ enabled: audience === 'staff', listId: `${id}-mentions`, text, setText, textRef })

  const upload = useMutation({
    mutationFn: (picked: File[]) => ticketsApi.upload(ticket.id, picked),
    onMutate: () => {
      setProblem(null)
      setDone(null)
    },
    onSuccess: (added) => setFiles((current) => [...current, ...added]),
    onError: (error) => setProblem(t('tickets.reply.uploadFailed', { error: errorMessage(error, t) })),
  })

  const send = useMutation({
    mutationFn: (input: { text: string; mode: Mode; files: Attachment[] }) => {
      // With picked @mentions the reply goes as HTML carrying them; otherwise as plain text.
      const html = mentionHtml(input.text, mention.mentions)
      return ticketsApi.addComment(ticket.id, {
        ...(html ? { body: html } : { body_text: input.text }),
        is_internal: input.mode === 'internal',
        ...(input.files.length ? { attachment_ids: input.files.map((f) => f.id) } : {}),
      })
    },
    onMutate: () => {
      setProblem(null)
      setDone(null)
    },
    onSuccess: (_comment, input) => {
      setText('')
      setFiles([])
      mention.reset()
      setDone(input.mode === 'internal' ? t('tickets.reply.noteAdded') : t('tickets.reply.sent'))
      onStoppedTyping()
      onSent()
    },
    onError: (error) => setProblem(errorMessage(error, t)),
  })

  if (!canPublic && !canInternal) return <p className="muted reply-none">{t('tickets.reply.notAllowed')}</p>

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (send.isPending || upload.isPending) return
    if (!text.trim()) {
      setProblem(t('tickets.reply.empty'))
      textRef.current?.focus()
      return
    }
    send.mutate({ text, mode, files })
  }

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (mention.inputProps.onKeyDown(event)) return
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault()
      formRef.current?.requestSubmit()
    }
  }

  const removeFile = (file: Attachment) => {
    setFiles((current) => current.filter((f) => f.id !== file.id))
    // Not attached to anything yet: tidy it away (best effort).
    ticketsApi.removeAttachment(file.id).catch(() => {})
  }

  const internal = mode === 'internal'
  const customer = audience === 'customer'
  const hintId = `${id}-hint`
  return (
    <form ref={formRef} className={internal ? 'reply reply-internal' : 'reply'} onSubmit={submit} aria-labelledby={`${id}-heading`} noValidate>
      <h2 id={`${id}-heading`} className="reply-heading">
        {t('tickets.reply.heading')}
      </h2>
      {canPublic && canInternal ? (
        <fieldset className="segmented">
          <legend className="visually-hidden">{t('tickets.reply.mode')}</legend>
          <label>
            <input type="radio" name="mode" value="public" checked={!internal} onChange={() => setMode('public')} />
            <span>{t('tickets.reply.public')}</span>
          </label>
          <label>
            <input type="radio" name="mode" value="internal" checked={internal} onChange={() => setMode('internal')} />
            <LockIcon />
            <span>{t('tickets.reply.internal')}</span>
          </label>
        </fieldset>
      ) : null}

      <div className="field mention-field">
        <label htmlFor={`${id}-text`}>{internal ? t('tickets.reply.internalLabel') : customer ? t('portal.reply.label') : t('tickets.reply.publicLabel')}</label>
        <textarea
          ref={textRef}
          id={`${id}-text`}
          name="body"
          rows={5}
          value={text}
          aria-describedby={hintId}
          aria-invalid={problem === t('tickets.reply.empty') ? true : undefined}
          {...(audience === 'staff'
            ? {
                'aria-autocomplete': mention.inputProps['aria-autocomplete'],
                'aria-controls': mention.inputProps['aria-controls'],
                'aria-activedescendant': mention.inputProps['aria-activedescendant'],
                onSelect: mention.inputProps.onSelect,
              }
            : {})}
          onChange={(e) => {
            setText(e.target.value)
            mention.inputProps.onSelect()
            setDone(null)
            if (e.target.value) onTyped()
            else onStoppedTyping()
          }}
          onKeyDown={onKeyDown}
          onBlur={() => {
            if (!text) onStoppedTyping()
          }}
        />
        {mention.list}
        <p className="field-hint" id={hintId}>
          {internal ? t('tickets.reply.internalHint') : customer ? t('portal.reply.hint') : t('tickets.reply.publicHint')} {t('tickets.reply.shortcut')}
        </p>
      </div>

      <div className="reply-files">
        <label htmlFor={`${id}-files`} className="file-label">
          {t('tickets.reply.attach')}
        </label>
        <input
          id={`${id}-files`}
          type="file"
          multiple
          disabled={upload.isPending}
          onChange={(e) => {
            const picked = [...(e.target.files ?? [])]
            e.target.value = ''
            if (picked.length) upload.mutate(picked)
          }}
        />
        {files.length ? (
          <ul className="attachments pending-files" aria-label={t('tickets.reply.attached')}>
            {files.map((file) => (
              <li key={file.id}>
                <PaperclipIcon />
                {file.filename} <span className="muted">({formatBytes(file.size_bytes, i18n.language)})</span>
                <button type="button" className="btn btn-small" onClick={() => removeFile(file)} aria-label={t('tickets.reply.removeFile', { name: file.filename })}>
                  {t('tickets.reply.remove')}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </div>

      <div aria-live="polite" className="reply-status">
        {upload.isPending ? <p className="muted">{t('tickets.reply.uploading')}</p> : null}
        {problem ? <Alert>{problem}</Alert> : null}
        {done ? <Alert tone="success">{done}</Alert> : null}
      </div>

      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={send.isPending || upload.isPending}>
          {send.isPending ? t('tickets.reply.sending') : internal ? t('tickets.reply.addNote') : t('tickets.reply.send')}
        </button>
      </div>
    </form>
  )
}
