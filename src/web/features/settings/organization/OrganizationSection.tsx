import { useTranslation } from 'react-i18next'
import { Route, Routes } from 'react-router'
import { NotFoundPage } from '../../../app/RouteError'
import { Loading } from '../../../ui/Spinner'
import { useDocumentTitle } from '../../../ui/useDocumentTitle'
import { useOrganization } from './api'
import { BrandingForm } from './BrandingForm'
import { LogoCard } from './LogoCard'
import { ProfileForm } from './ProfileForm'
import './styles.css'
import { LoadError } from '../../../ui/LoadError'

/** Settings → Organization (/settings/organization): profile, branding and logo. */
export function OrganizationSection() {
  return (
    <Routes>
      <Route index element={<OrganizationPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  )
}

function OrganizationPage() {
  const { t } = useTranslation()
  const organization = useOrganization()
  useDocumentTitle(t('adminPeople.organization.title'))

  return (
    <div className="settings org-settings">
      <h1 className="page-title">{t('adminPeople.organization.title')}</h1>
      <p className="muted">{t('adminPeople.organization.intro')}</p>
      {organization.isPending ? (
        <Loading />
      ) : organization.isError ? (
        <LoadError error={organization.error} onRetry={() => void organization.refetch()} />
      ) : (
        // Keyed by id: after switching organizations the forms start again from the new one.
        <div className="org-cards" key={organization.data.id}>
          <ProfileForm organization={organization.data} />
          <BrandingForm organization={organization.data} />
          <LogoCard organization={organization.data} />
        </div>
      )}
    </div>
  )
}
