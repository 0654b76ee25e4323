import { useTranslation } from 'react-i18next'

/** A polite loading indicator; `label` defaults to "Loading…". */
export function Loading({ label, fullPage = false }: { label?: string; fullPage?: boolean }) {
  const { t } = useTranslation()
  return (
    <div className={fullPage ? 'loading loading-page' : 'loading'} role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t('common.loading')}</span>
    </div>
  )
}
