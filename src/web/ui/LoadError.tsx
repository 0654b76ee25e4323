import { useTranslation } from 'react-i18next'
import { Alert } from './Alert'
import { errorMessage } from './errorMessage'

/** What could not be loaded, in words, with a "Try again" that loads it again. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useTranslation()
  return (
    <Alert>
      <p>{errorMessage(error, t)}</p>
      <button type="button" className="btn" onClick={onRetry}>
        {t('common.tryAgain')}
      </button>
    </Alert>
  )
}
