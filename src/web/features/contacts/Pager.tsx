import { useTranslation } from 'react-i18next'

/** Previous / next between the pages of a list, with where you are in words. */
export function Pager({ page, pages, label, onPage }: { page: number; pages: number; label: string; onPage: (page: number) => void }) {
  const { t } = useTranslation()
  if (pages <= 1) return null
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="btn" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {t('crm.pager.previous')}
      </button>
      <span>{t('crm.pager.page', { page, pages })}</span>
      <button type="button" className="btn" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        {t('crm.pager.next')}
      </button>
    </nav>
  )
}
