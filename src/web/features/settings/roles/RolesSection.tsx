import { useTranslation } from 'react-i18next'
import { Route, Routes } from 'react-router'
import { NotFoundPage } from '../../../app/RouteError'
import { RoleFormPage } from './RoleFormPage'
import { RolesListPage } from './RolesListPage'
import './config.css'
import './styles.css'

/** Settings → Roles: the built-in and custom roles, and the form for a custom one. */
export function RolesSection() {
  const { t } = useTranslation()
  return (
    <div className="settings admin-config">
      <h1 className="page-title">{t('adminConfig.roles.title')}</h1>
      <Routes>
        <Route index element={<RolesListPage />} />
        <Route path="new" element={<RoleFormPage />} />
        <Route path=":id" element={<RoleFormPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </div>
  )
}
