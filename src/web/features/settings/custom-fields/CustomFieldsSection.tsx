import { useTranslation } from 'react-i18next'
import { Route, Routes } from 'react-router'
import { NotFoundPage } from '../../../app/RouteError'
import { FieldFormPage } from './FieldFormPage'
import { FieldsPage } from './FieldsPage'
import '../roles/config.css'
import './styles.css'

/** Settings → Custom fields: the extra fields of tickets, contacts and companies. */
export function CustomFieldsSection() {
  const { t } = useTranslation()
  return (
    <div className="settings admin-config">
      <h1 className="page-title">{t('adminConfig.fields.title')}</h1>
      <Routes>
        <Route index element={<FieldsPage />} />
        <Route path="new" element={<FieldFormPage />} />
        <Route path=":id" element={<FieldFormPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </div>
  )
}
