import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useParams } from 'react-router'
import { useCan } from '../../app/permissions'
import { Alert } from '../../ui/Alert'
import { ConfirmDialog } from '../../ui/Dialog'
import { errorMessage } from '../../ui/errorMessage'
import { formatDateTime } from '../../ui/format'
import { Loading } from '../../ui/Spinner'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { pageCount } from '../contacts/api'
import { TagList } from '../contacts/ContactPage'
import { ContactBadges } from '../contacts/ContactsListPage'
import { Notes } from '../contacts/Notes'
import { Pager } from '../contacts/Pager'
import { RelatedTickets } from '../contacts/RelatedTickets'
import { RecordFrame } from '../contacts/RecordFrame'
import { Timeline } from '../contacts/Timeline'
import { companiesApi, companyKeys, useCompany, useCompanyContacts, type Company } from './api'
import type { CompaniesFlash } from './CompaniesListPage'
import { CompanyForm } from './CompanyForm'
import { MergeCompaniesDialog } from './MergeCompaniesDialog'
import { LoadError } from '../../ui/LoadError'

/** /companies/:id — one company: details, its contacts and tickets, activity and notes. */
export function CompanyPage() {
  const { t } = useTranslation()
  const { id = '' } = useParams()
  const company = useCompany(id)
  useDocumentTitle(company.data ? `${company.data.name} · ${t('crm.companies.title')}` : t('crm.companies.title'))

  return (
    <RecordFrame query={company} back={{ to: '/companies', label: t('crm.companies.back') }} notFound={t('crm.company.notFound')}>
      {(record) => <CompanyView key={record.id} company={record} />}
    </RecordFrame>
  )
}

function CompanyView({ company }: { company: Company }) {
  const { t, i18n } = useTranslation()
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const canManage = useCan('contacts:manage') === true
  const canReadTickets = useCan('tickets:read') === true
  const headingRef = useRef<HTMLHeadingElement>(null)
  const detailsId = useId()
  const [editing, setEditing] = useState(false)
  const [merging, setMerging] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const [flash, setFlash] = useState<string | null>(null)
  const owner = { kind: 'companies' as const, id: company.id }

  const done = (message: string) => {
    setFlash(message)
    headingRef.current?.focus()
  }
  const remove = useMutation({
    mutationFn: () => companiesApi.remove(company.id),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: companyKeys.detail(company.id) })
      await queryClient.invalidateQueries({ queryKey: companyKeys.all })
      await queryClient.invalidateQueries({ queryKey: ['contacts'] })
      const state: CompaniesFlash = { flash: t('crm.company.deleted', { name: company.name }) }
      await navigate('/companies', { state })
    },
  })
  const none = <span className="muted">{t('crm.none')}</span>

  return (
    <>
      <header className="crm-header">
        <div>
          <h1 className="crm-title" ref={headingRef} tabIndex={-1}>
            {company.name}
          </h1>
          <p className="muted">
            {[company.domains.join(', '), t('crm.company.contactsN', { count: company.contact_count }), t('crm.company.openN', { count: company.open_ticket_count })]
              .filter(Boolean)
              .join(' · ')}
          </p>
        </div>
        {canManage ? (
          <div className="actions crm-actions">
            <button type="button" className="btn" onClick={() => { setFlash(null); setMerging(true) }}>
              {t('crm.companyMerge.open')}
            </button>
            <button type="button" className="btn btn-danger" onClick={() => { remove.reset(); setDeleting(true) }}>
              {t('crm.company.delete')}
            </button>
          </div>
        ) : null}
      </header>

      <div aria-live="polite">{flash ? <Alert tone="success">{flash}</Alert> : null}</div>

      <div className="crm-layout">
        <div className="crm-main">
          <section className="card crm-details" aria-labelledby={detailsId}>
            <div className="crm-card-head">
              <h2 id={detailsId}>{t('crm.details')}</h2>
              {canManage && !editing ? (
                <button type="button" className="btn btn-small" onClick={() => { setFlash(null); setEditing(true) }}>
                  {t('crm.company.edit')}
                </button>
              ) : null}
            </div>
            {editing ? (
              <CompanyForm
                company={company}
                onSaved={(saved) => {
                  setEditing(false)
                  done(saved.assigned_contacts ? t('crm.company.savedAssigned', { count: saved.assigned_contacts }) : t('crm.company.saved'))
                }}
                onCancel={() => setEditing(false)}
              />
            ) : (
              <dl className="facts">
                <div>
                  <dt>{t('crm.company.fields.domains')}</dt>
                  <dd>{company.domains.length ? company.domains.join(', ') : none}</dd>
                </div>
                <div>
                  <dt>{t('crm.company.fields.website')}</dt>
                  <dd>
                    {company.website ? (
                      <a href={company.website} rel="noreferrer noopener" target="_blank">
                        {company.website}
                      </a>
                    ) : (
                      none
                    )}
                  </dd>
                </div>
                <div>
                  <dt>{t('crm.company.fields.phone')}</dt>
                  <dd>{company.phone ? <a href={`tel:${company.phone.replace(/[^\d+]/g, '')}`}>{company.phone}</a> : none}</dd>
                </div>
                <div>
                  <dt>{t('crm.company.fields.parent')}</dt>
                  <dd>{company.parent ? <Link to={`/companies/${company.parent.id}`}>{company.parent.name}</Link> : none}</dd>
                </div>
                <div>
                  <dt>{t('crm.fields.tags')}</dt>
                  <dd>{company.tags.length ? <TagList tags={company.tags} /> : none}</dd>
                </div>
                <div>
                  <dt>{t('crm.company.fields.added')}</dt>
                  <dd>{formatDateTime(company.created_at, i18n.language)}</dd>
                </div>
              </dl>
            )}
          </section>
          <CompanyContacts company={company} />
          {canReadTickets ? <RelatedTickets owner={owner} heading={t('crm.tickets.companyHeading')} empty={t('crm.tickets.companyNone')} /> : null}
          <Timeline owner={owner} createdAt={company.created_at} showTickets={canReadTickets} />
        </div>
        <aside className="crm-side">
          <Notes owner={owner} canManage={canManage} />
        </aside>
      </div>

      {canManage ? (
        <MergeCompaniesDialog
          open={merging}
          company={company}
          onClose={() => setMerging(false)}
          onMerged={(result) => {
            setMerging(false)
            done(
              t('crm.companyMerge.done', {
                count: result.merged_ids.length,
                contacts: result.moved.contacts,
                tickets: result.moved.tickets,
                notes: result.moved.notes,
              }),
            )
          }}
        />
      ) : null}
      <ConfirmDialog
        open={deleting}
        title={t('crm.company.deleteTitle')}
        confirmLabel={t('crm.company.delete')}
        pending={remove.isPending}
        error={remove.isError ? errorMessage(remove.error, t) : null}
        onConfirm={() => remove.mutate()}
        onCancel={() => setDeleting(false)}
      >
        <p>{t('crm.company.deleteBody', { name: company.name })}</p>
      </ConfirmDialog>
    </>
  )
}

function CompanyContacts({ company }: { company: Company }) {
  const { t } = useTranslation()
  const headingId = useId()
  const [page, setPage] = useState(1)
  const contacts = useCompanyContacts(company.id, page)
  const rows = contacts.data?.data ?? []
  const heading = t('crm.company.contactsHeading')

  return (
    <section className="card crm-company-contacts" aria-labelledby={headingId}>
      <div className="list-heading">
        <h2 id={headingId}>{heading}</h2>
        {contacts.data ? <p className="muted list-count">{t('crm.contacts.count', { count: contacts.data.meta?.total ?? rows.length })}</p> : null}
      </div>
      {contacts.isPending ? (
        <Loading />
      ) : contacts.isError ? (
        <LoadError error={contacts.error} onRetry={() => void contacts.refetch()} />
      ) : rows.length === 0 ? (
        <p className="muted">{t('crm.company.noContacts')}</p>
      ) : (
        <ul className="crm-contact-list" aria-label={heading}>
          {rows.map((contact) => (
            <li key={contact.id}>
              <Link to={`/contacts/${contact.id}`}>{contact.name}</Link> <ContactBadges vip={contact.is_vip} blocked={contact.is_blocked} />
              <span className="cell-sub">{[contact.email, contact.phones[0]?.number].filter(Boolean).join(' · ') || t('crm.contact.noEmail')}</span>
            </li>
          ))}
        </ul>
      )}
      <Pager page={page} pages={pageCount(contacts.data?.meta)} label={t('crm.company.contactPages')} onPage={setPage} />
    </section>
  )
}
