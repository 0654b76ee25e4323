import { useTranslation } from 'react-i18next'
import { Link, useNavigate } from 'react-router'
import { useCan } from '../../app/permissions'
import { ForbiddenPage } from '../../app/RouteError'
import { Loading } from '../../ui/Spinner'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { ContactForm } from './ContactForm'

/** /contacts/new — the form; a saved contact opens its page. */
export function NewContactPage() {
  const { t } = useTranslation()
  const navigate = useNavigate()
  const canManage = useCan('contacts:manage')
  useDocumentTitle(t('crm.contacts.new'))
  if (canManage === undefined) return <Loading />
  if (!canManage) return <ForbiddenPage />
  return (
    <div className="crm-page">
      <p className="back-link">
        <Link to="/contacts">
          <span aria-hidden="true">← </span>
          {t('crm.contacts.back')}
        </Link>
      </p>
      <h1 className="page-title">{t('crm.contacts.new')}</h1>
      <div className="card crm-form-card">
        <ContactForm onSaved={(contact) => void navigate(`/contacts/${contact.id}`)} onCancel={() => void navigate('/contacts')} />
      </div>
    </div>
  )
}
