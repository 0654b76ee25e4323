import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { authApi } from '../../api/auth'
import { isApiError } from '../../api/client'
import { queryKeys } from '../../api/queries'
import type { TwoFactorSetup } from '../../api/types'
import { Alert } from '../../ui/Alert'
import { errorMessage } from '../../ui/errorMessage'
import { Field } from '../../ui/Field'

type Step =
  | { kind: 'idle' }
  | { kind: 'setup'; setup: TwoFactorSetup }
  | { kind: 'backup'; codes: string[] }
  | { kind: 'disable' }

/** "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP", easier to type by hand. */
const groupSecret = (secret: string) => secret.replace(/\s/g, '').replace(/(.{4})(?=.)/g, '$1 ')

const isQrImage = (url: string | null | undefined): url is string => !!url && /^data:image\/(png|svg\+xml|gif|jpeg);/.test(url)

export function TwoFactorCard({ enabled }: { enabled: boolean }) {
  const { t } = useTranslation()
  const queryClient = useQueryClient()
  const [step, setStep] = useState<Step>({ kind: 'idle' })
  const [code, setCode] = useState('')
  const [password, setPassword] = useState('')
  const [fieldError, setFieldError] = useState<string>()
  const [copied, setCopied] = useState(false)
  const headingRef = useRef<HTMLHeadingElement>(null)
  const firstRender = useRef(true)

  // Moving between steps replaces most of the card: put focus at its heading.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false
      return
    }
    headingRef.current?.focus()
  }, [step.kind])

  const refreshMe = () => queryClient.invalidateQueries({ queryKey: queryKeys.me })

  const setup = useMutation({
    mutationFn: authApi.setupTwoFactor,
    onSuccess: (data) => {
      setCode('')
      setFieldError(undefined)
      setStep({ kind: 'setup', setup: data })
    },
  })
  const enable = useMutation({
    mutationFn: authApi.enableTwoFactor,
    onSuccess: (data) => {
      setStep({ kind: 'backup', codes: data.backup_codes })
      void refreshMe()
    },
    onError: (error) => {
      if (isApiError(error, 'invalid_totp') || isApiError(error, 'validation_error')) {
        setFieldError(t('errors.invalid_totp'))
      }
    },
  })
  const disable = useMutation({
    mutationFn: authApi.disableTwoFactor,
    onSuccess: () => {
      setPassword('')
      setStep({ kind: 'idle' })
      void refreshMe()
    },
    onError: (error) => {
      if (isApiError(error, 'invalid_credentials')) setFieldError(t('home.twoFactor.wrongPassword'))
    },
  })

  const cancel = () => {
    setStep({ kind: 'idle' })
    setFieldError(undefined)
    setCode('')
    setPassword('')
    enable.reset()
    disable.reset()
  }

  const onEnable = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    const clean = code.replace(/\s/g, '')
    if (!/^\d{6}$/.test(clean)) {
      setFieldError(t('validation.totp'))
      return
    }
    setFieldError(undefined)
    enable.mutate(clean)
  }

  const onDisable = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (!password) {
      setFieldError(t('validation.required'))
      return
    }
    setFieldError(undefined)
    disable.mutate(password)
  }

  const copyCodes = async (codes: string[]) => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'))
      setCopied(true)
    } catch {
      setCopied(false)
    }
  }

  const heading = (
    <h2 id="twofa-heading" ref={headingRef} tabIndex={-1}>
      {t('home.twoFactor.heading')}
    </h2>
  )

  if (step.kind === 'setup') {
    const { setup: data } = step
    return (
      <section className="card card-wide" aria-labelledby="twofa-heading">
        {heading}
        <ol className="steps">
          <li>
            <p>{t('home.twoFactor.scan')}</p>
            <div className="twofa-setup">
              {isQrImage(data.qr_data_url) ? (
                <img className="qr" src={data.qr_data_url} alt={t('home.twoFactor.qrAlt')} width={180} height={180} />
              ) : null}
              <div className="twofa-manual">
                <p>{t('home.twoFactor.manual')}</p>
                <dl className="facts">
                  <div>
                    <dt>{t('home.twoFactor.secret')}</dt>
                    <dd>
                      <code className="secret">{groupSecret(data.secret)}</code>
                    </dd>
                  </div>
                  <div>
                    <dt>{t('home.twoFactor.otpauthUrl')}</dt>
                    <dd>
                      <code className="break">{data.otpauth_url}</code>
                    </dd>
                  </div>
                </dl>
              </div>
            </div>
          </li>
          <li>
            <form onSubmit={onEnable} noValidate className="form">
              <Field
                label={t('home.twoFactor.codeLabel')}
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]*"
                maxLength={7}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                error={fieldError}
                required
              />
              {enable.isError && !fieldError ? <Alert>{errorMessage(enable.error, t)}</Alert> : null}
              <div className="actions">
                <button type="submit" className="btn btn-primary" disabled={enable.isPending}>
                  {enable.isPending ? t('home.twoFactor.enabling') : t('home.twoFactor.enable')}
                </button>
                <button type="button" className="btn" onClick={cancel}>
                  {t('common.cancel')}
                </button>
              </div>
            </form>
          </li>
        </ol>
      </section>
    )
  }

  if (step.kind === 'backup') {
    return (
      <section className="card card-wide" aria-labelledby="twofa-heading">
        {heading}
        <Alert tone="success">{t('home.twoFactor.enabledNow')}</Alert>
        <h3>{t('home.twoFactor.backupHeading')}</h3>
        <p>{t('home.twoFactor.backupIntro')}</p>
        <ul className="backup-codes" aria-label={t('home.twoFactor.backupHeading')}>
          {step.codes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <div className="actions">
          <button type="button" className="btn" onClick={() => void copyCodes(step.codes)}>
            {t('home.twoFactor.copy')}
          </button>
          <button type="button" className="btn btn-primary" onClick={cancel}>
            {t('home.twoFactor.saved')}
          </button>
        </div>
        {copied ? (
          <p role="status" className="muted">
            {t('home.twoFactor.copied')}
          </p>
        ) : null}
      </section>
    )
  }

  if (step.kind === 'disable') {
    return (
      <section className="card card-wide" aria-labelledby="twofa-heading">
        {heading}
        <p>{t('home.twoFactor.disableIntro')}</p>
        <form onSubmit={onDisable} noValidate className="form">
          <Field
            label={t('common.password')}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={fieldError}
            required
          />
          {disable.isError && !fieldError ? <Alert>{errorMessage(disable.error, t)}</Alert> : null}
          <div className="actions">
            <button type="submit" className="btn btn-danger" disabled={disable.isPending}>
              {disable.isPending ? t('home.twoFactor.disabling') : t('home.twoFactor.disable')}
            </button>
            <button type="button" className="btn" onClick={cancel}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      </section>
    )
  }

  return (
    <section className="card card-wide" aria-labelledby="twofa-heading">
      {heading}
      <p>
        <span className={enabled ? 'badge badge-on' : 'badge badge-off'}>
          {enabled ? t('home.twoFactor.on') : t('home.twoFactor.off')}
        </span>
      </p>
      <p className="muted">{enabled ? t('home.twoFactor.onIntro') : t('home.twoFactor.offIntro')}</p>
      {setup.isError ? <Alert>{errorMessage(setup.error, t)}</Alert> : null}
      {enabled ? (
        <button
          type="button"
          className="btn"
          onClick={() => {
            setFieldError(undefined)
            setStep({ kind: 'disable' })
          }}
        >
          {t('home.twoFactor.turnOff')}
        </button>
      ) : (
        <button type="button" className="btn btn-primary" disabled={setup.isPending} onClick={() => setup.mutate()}>
          {setup.isPending ? t('home.twoFactor.starting') : t('home.twoFactor.setUp')}
        </button>
      )}
    </section>
  )
}
