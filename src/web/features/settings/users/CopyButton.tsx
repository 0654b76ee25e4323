import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'

/**
 * Copies `text` to the clipboard and says so (politely, for screen readers too). Where the
 * clipboard is refused, it says to select and copy by hand instead.
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const { t } = useTranslation()
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')

  useEffect(() => {
    if (state !== 'copied') return
    const timer = window.setTimeout(() => setState('idle'), 4000)
    return () => window.clearTimeout(timer)
  }, [state])

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
      setState('copied')
    } catch {
      setState('failed')
    }
  }

  return (
    <span className="copy">
      <button type="button" className="btn btn-small" onClick={() => void copy()}>
        {label}
      </button>
      <span className="copy-status" role="status">
        {state === 'copied' ? t('adminPeople.common.copied') : state === 'failed' ? t('adminPeople.common.copyFailed') : ''}
      </span>
    </span>
  )
}
