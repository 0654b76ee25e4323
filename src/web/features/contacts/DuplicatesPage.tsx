import { useTranslation } from 'react-i18next'
import { Link } from 'react-router'
import { Loading } from '../../ui/Spinner'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { useDuplicates } from './api'
import { LoadError } from '../../ui/LoadError'

/** /contacts/duplicates — groups of contacts that are likely the same person; open one to merge the others into it. */
export function DuplicatesPage() {
  const { t } = useTranslation()
  const duplicates = useDuplicates()
  useDocumentTitle(t('crm.duplicates.title'))

  return (
    <div className="crm-page">
      <p className="back-link">
        <Link to="/contacts">
          <span aria-hidden="true">← </span>
          {t('crm.contacts.back')}
        </Link>
      </p>
      <h1 className="page-title">{t('crm.duplicates.title')}</h1>
      <p className="muted">{t('crm.duplicates.intro')}</p>
      {duplicates.isPending ? (
        <Loading />
      ) : duplicates.isError ? (
        <LoadError error={duplicates.error} onRetry={() => void duplicates.refetch()} />
      ) : duplicates.data.length === 0 ? (
        <p className="card">{t('crm.duplicates.none')}</p>
      ) : (
        <ul className="crm-groups">
          {duplicates.data.map((group, index) => (
            <li key={`${group.reason}-${group.key}-${index}`} className="card">
              <h2 className="crm-group-title">
                {group.reason === 'phone'
                  ? t('crm.duplicates.samePhone', { key: group.key })
                  : group.reason === 'name_and_company'
                    ? t('crm.duplicates.sameName', { key: group.key })
                    : t('crm.duplicates.similar', { percent: Math.round((group.similarity ?? Number(group.key)) * 100) })}
              </h2>
              <ul className="crm-plain-list">
                {group.contacts.map((contact) => (
                  <li key={contact.id}>
                    <Link to={`/contacts/${contact.id}`}>{contact.name}</Link>{' '}
                    <span className="muted">{[contact.email, contact.company?.name].filter(Boolean).join(' · ')}</span>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
