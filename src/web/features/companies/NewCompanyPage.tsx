import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { useCan } from '../../app/permissions'
import { ForbiddenPage } from '../../app/RouteError'
import { Loading } from '../../ui/Spinner'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { CompanyForm } from './CompanyForm'

/** /companies/new — the form; a saved company opens its page. */
export function NewCompanyPage() {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const canManage = useCan('contacts:manage')
  useDocumentTitle(t('crm.companies.new'))
  if (canManage === undefined) return <Loading />
  if (!canManage) return <ForbiddenPage />
  return (
    <div className="crm-page">
      <p className="back-link">
        <Link to="/companies">
          <span aria-hidden="true">← </span>
          {t('crm.companies.back')}
        </Link>
      </p>
      <h1 className="page-title">{t('crm.companies.new')}</h1>
      <div className="card crm-form-card">
        <CompanyForm onSaved={(company) => void navigate(`/companies/${company.id}`)} onCancel={() => void navigate('/companies')} />
      </div>
    </div>
  )
}
