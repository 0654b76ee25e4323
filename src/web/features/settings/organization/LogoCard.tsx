import { useMutation } from '@tanstack/react-query'
import { useId, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { isApiError } from '../../../api/client'
import { Alert } from '../../../ui/Alert'
import { ConfirmDialog } from '../../../ui/Dialog'
import { errorMessage } from '../../../ui/errorMessage'
import { isUploadedLogo, LOGO_MAX_BYTES, LOGO_TYPES, organizationApi, type Organization } from './api'
import { useSaved } from './useSaved'

type Done = 'uploaded' | 'removed' | null

/** Upload (PUT /organization/logo) or remove the logo shown in the header, the sign-in page and the portal. */
export function LogoCard({ organization }: { organization: Organization }) {
  const { t } = useTranslation()
  const inputId = useId()
  const inputRef = useRef<HTMLInputElement>(null)
  const [file, setFile] = useState<File | null>(null)
  const [fileError, setFileError] = useState<string | null>(null)
  const [confirming, setConfirming] = useState(false)
  const [done, setDone] = useState<Done>(null)
  const [, markSaved] = useSaved()
  const logo = organization.branding.logo_url
  const uploaded = isUploadedLogo(logo)
  const maxKb = LOGO_MAX_BYTES / 1024

  const describe = (error: unknown) =>
    isApiError(error, 'unsupported_media_type')
      ? t('adminPeople.logo.wrongType')
      : isApiError(error, 'payload_too_large')
        ? t('adminPeople.logo.tooLarge', { max: maxKb })
        : errorMessage(error, t)

  const upload = useMutation({
    mutationFn: (chosen: File) => organizationApi.uploadLogo(chosen),
    onSuccess: (updated) => {
      markSaved(updated)
      setDone('uploaded')
      setFile(null)
      if (inputRef.current) inputRef.current.value = ''
    },
    onError: (error) => {
      setFileError(describe(error))
      inputRef.current?.focus()
    },
  })

  const remove = useMutation({
    mutationFn: () => organizationApi.removeLogo(),
    onSuccess: (updated) => {
      markSaved(updated)
      setConfirming(false)
      setDone('removed')
    },
  })

  /** The same rules as the server, so most mistakes are caught before the upload. */
  const check = (chosen: File | null): string | null => {
    if (!chosen) return t('adminPeople.logo.chooseFirst')
    if (chosen.type && !(LOGO_TYPES as readonly string[]).includes(chosen.type)) return t('adminPeople.logo.wrongType')
    if (chosen.size > LOGO_MAX_BYTES) return t('adminPeople.logo.tooLarge', { max: maxKb })
    if (chosen.size === 0) return t('adminPeople.logo.empty')
    return null
  }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    setDone(null)
    const problem = check(file)
    setFileError(problem)
    if (problem || !file) {
      inputRef.current?.focus()
      return
    }
    upload.mutate(file)
  }

  const errorId = `${inputId}-error`
  const hintId = `${inputId}-hint`

  return (
    <section className="card" aria-labelledby="org-logo-heading">
      <h2 id="org-logo-heading">{t('adminPeople.logo.title')}</h2>
      <div className="logo-current">
        {logo ? (
          <img src={logo} alt={t('adminPeople.logo.currentAlt', { name: organization.name })} width={64} height={64} className="logo-image" />
        ) : (
          <p className="muted">{t('adminPeople.logo.none')}</p>
        )}
        {logo && !uploaded ? <p className="muted">{t('adminPeople.logo.fromUrl')}</p> : null}
      </div>
      <form className="form settings-form" onSubmit={onSubmit} noValidate>
        <div className="field">
          <label htmlFor={inputId}>{t('adminPeople.logo.file')}</label>
          <input
            ref={inputRef}
            id={inputId}
            name="logo"
            type="file"
            accept={LOGO_TYPES.join(',')}
            aria-invalid={fileError ? true : undefined}
            aria-describedby={fileError ? `${hintId} ${errorId}` : hintId}
            onChange={(event) => {
              const chosen = event.target.files?.[0] ?? null
              setFile(chosen)
              setDone(null)
              upload.reset()
              setFileError(chosen ? check(chosen) : null)
            }}
          />
          <p className="field-hint" id={hintId}>
            {t('adminPeople.logo.hint', { max: maxKb })}
          </p>
          {fileError ? (
            <p className="field-error" id={errorId}>
              {fileError}
            </p>
          ) : null}
        </div>
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={upload.isPending}>
            {upload.isPending ? t('adminPeople.logo.uploading') : t('adminPeople.logo.upload')}
          </button>
          {uploaded ? (
            <button
              type="button"
              className="btn btn-danger"
              onClick={() => {
                remove.reset()
                setDone(null)
                setConfirming(true)
              }}
            >
              {t('adminPeople.logo.remove')}
            </button>
          ) : null}
        </div>
        <div aria-live="polite">
          {done ? <Alert tone="success">{done === 'uploaded' ? t('adminPeople.logo.uploaded') : t('adminPeople.logo.removed')}</Alert> : null}
        </div>
      </form>

      <ConfirmDialog
        open={confirming}
        title={t('adminPeople.logo.removeTitle')}
        confirmLabel={t('adminPeople.logo.removeConfirm')}
        pendingLabel={t('adminPeople.logo.removing')}
        pending={remove.isPending}
        error={remove.isError ? errorMessage(remove.error, t) : null}
        onConfirm={() => remove.mutate()}
        onCancel={() => setConfirming(false)}
      >
        <p>{t('adminPeople.logo.removeBody')}</p>
      </ConfirmDialog>
    </section>
  )
}
