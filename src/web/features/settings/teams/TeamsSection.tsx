import { useTranslation } from 'react-i18next'
import { Route, Routes } from 'react-router'
import { NotFoundPage } from '../../../app/RouteError'
import { NewTeamPage, TeamPage } from './TeamPage'
import { TeamsListPage } from './TeamsListPage'
import '../roles/config.css'
import './styles.css'

/** Settings → Teams: the teams with their member counts, each team's details and members. */
export function TeamsSection() {
  const { t } = useTranslation()
  return (
    <div className="settings admin-config">
      <h1 className="page-title">{t('adminConfig.teams.title')}</h1>
      <Routes>
        <Route index element={<TeamsListPage />} />
        <Route path="new" element={<NewTeamPage />} />
        <Route path=":id" element={<TeamPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </div>
  )
}
