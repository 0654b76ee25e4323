import { useTranslation } from 'react-i18next'
import { Route, Routes } from 'react-router'
import { NotFoundPage } from '../../../app/RouteError'
import { StatusesPage } from './StatusesPage'
import { StatusFormPage } from './StatusFormPage'
import '../roles/config.css'
import './styles.css'

/** Settings → Statuses: the ticket statuses by category, their order, and the form for one. */
export function StatusesSection() {
  const { t } = useTranslation()
  return (
    <div className="settings admin-config">
      <h1 className="page-title">{t('adminConfig.statuses.title')}</h1>
      <Routes>
        <Route index element={<StatusesPage />} />
        <Route path="new" element={<StatusFormPage />} />
        <Route path=":id" element={<StatusFormPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </div>
  )
}
