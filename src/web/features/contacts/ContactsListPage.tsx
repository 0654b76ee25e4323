import { useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation, useSearchParams } from 'react-router'
import { useCan } from '../../app/permissions'
import { Alert } from '../../ui/Alert'
import { SelectField } from '../../ui/SelectField'
import { Loading } from '../../ui/Spinner'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { useCompanies, useCompany } from '../companies/api'
import { RelativeTime } from '../tickets/bits'
import { CONTACT_SORTS, PAGE_SIZE, pageCount, useContacts, type ContactQuery, type ContactSort } from './api'
import { CsvTools } from './CsvTools'
import { Pager } from './Pager'
import { LoadError } from '../../ui/LoadError'

type Flag = '' | 'true' | 'false'
const asFlag = (value: string | null): Flag => (value === 'true' || value === 'false' ? value : '')
const asSort = (value: string | null): ContactSort => ((CONTACT_SORTS as readonly string[]).includes(value ?? '') ? (value as ContactSort) : 'name')

/** Where a merge or delete sends the user back with what it did. */
export interface ContactsFlash {
  flash?: string
}

/** /contacts: search, filters, sort and pages, CSV, and the way to a new contact. */
export function ContactsListPage() {
  const { t } = useTranslation()
  const location = useLocation()
  const [params, setParams] = useSearchParams()
  const canManage = useCan('contacts:manage') === true
  useDocumentTitle(t('crm.contacts.title'))

  const q = params.get('q') ?? ''
  const companyId = params.get('company_id') ?? ''
  const vip = asFlag(params.get('is_vip'))
  const blocked = asFlag(params.get('is_blocked'))
  const tag = params.get('tag') ?? ''
  const sort = asSort(params.get('sort'))
  const page = Math.max(1, Number(params.get('page')) || 1)
  const [search, setSearch] = useState(q)
  const [tagDraft, setTagDraft] = useState(tag)

  const query: ContactQuery = {
    q: q || undefined,
    company_id: companyId || undefined,
    is_vip: vip || undefined,
    is_blocked: blocked || undefined,
    tag: tag || undefined,
    sort,
    page,
    limit: PAGE_SIZE,
  }
  const contacts = useContacts(query)
  const companies = useCompanies({ sort: 'name', limit: 100 })
  const chosenCompany = useCompany(companyId && !companies.data?.data.some((c) => c.id === companyId) ? companyId : null)
  const companyOptions = [...(chosenCompany.data ? [chosenCompany.data] : []), ...(companies.data?.data ?? [])]

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params)
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value)
      else next.delete(key)
    }
    if (!('page' in changes)) next.delete('page')
    setParams(next)
  }
  const onSearch = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    update({ q: search.trim(), tag: tagDraft.trim() })
  }
  const filtered = !!(q || companyId || vip || blocked || tag)
  const rows = contacts.data?.data ?? []
  const total = contacts.data?.meta?.total ?? rows.length
  const flash = (location.state as ContactsFlash | null)?.flash

  return (
    <div className="crm-page">
      <div className="section-header">
        <h1 className="page-title">{t('crm.contacts.title')}</h1>
        <div className="actions">
          <Link to="/contacts/duplicates" className="btn">
            {t('crm.duplicates.link')}
          </Link>
          {canManage ? (
            <Link to="/contacts/new" className="btn btn-primary">
              {t('crm.contacts.new')}
            </Link>
          ) : null}
        </div>
      </div>
      <div aria-live="polite">{flash ? <Alert tone="success">{flash}</Alert> : null}</div>

      <form className="crm-search" role="search" onSubmit={onSearch}>
        <div className="field">
          <label htmlFor="contact-search">{t('crm.contacts.search')}</label>
          <div className="crm-search-row">
            <input id="contact-search" name="q" type="search" autoComplete="off" value={search} onChange={(e) => setSearch(e.target.value)} />
            <button type="submit" className="btn">
              {t('crm.search')}
            </button>
          </div>
        </div>
      </form>

      <div className="filters" role="group" aria-label={t('crm.filters')}>
        <SelectField label={t('crm.contact.fields.company')} name="company_id" value={companyId} onChange={(e) => update({ company_id: e.target.value })}>
          <option value="">{t('crm.any')}</option>
          {companyOptions.map((company) => (
            <option key={company.id} value={company.id}>
              {company.name}
            </option>
          ))}
        </SelectField>
        <SelectField label={t('crm.contacts.vipFilter')} name="is_vip" value={vip} onChange={(e) => update({ is_vip: e.target.value })}>
          <option value="">{t('crm.any')}</option>
          <option value="true">{t('crm.contacts.vipOnly')}</option>
          <option value="false">{t('crm.contacts.notVip')}</option>
        </SelectField>
        <SelectField label={t('crm.contacts.blockedFilter')} name="is_blocked" value={blocked} onChange={(e) => update({ is_blocked: e.target.value })}>
          <option value="">{t('crm.any')}</option>
          <option value="true">{t('crm.contacts.blockedOnly')}</option>
          <option value="false">{t('crm.contacts.notBlocked')}</option>
        </SelectField>
        <form
          className="field"
          onSubmit={(e) => {
            e.preventDefault()
            update({ tag: tagDraft.trim() })
          }}
        >
          <label htmlFor="contact-tag">{t('crm.fields.tag')}</label>
          <input id="contact-tag" name="tag" autoComplete="off" value={tagDraft} onChange={(e) => setTagDraft(e.target.value)} onBlur={() => tagDraft.trim() !== tag && update({ tag: tagDraft.trim() })} />
        </form>
        <SelectField label={t('crm.sort.label')} name="sort" value={sort} onChange={(e) => update({ sort: e.target.value === 'name' ? '' : e.target.value })}>
          {CONTACT_SORTS.map((s) => (
            <option key={s} value={s}>
              {t(`crm.sort.${s}`)}
            </option>
          ))}
        </SelectField>
        {filtered ? (
          <div className="filters-end">
            <button type="button" className="btn btn-link" onClick={() => {
                setSearch('')
                setTagDraft('')
                setParams(sort !== 'name' ? { sort } : {})
              }}
            >
              {t('crm.clearFilters')}
            </button>
          </div>
        ) : null}
      </div>

      <div className="list-heading">
        <h2 id="contacts-heading">{q ? t('crm.contacts.results', { q }) : t('crm.contacts.all')}</h2>
        <p className="muted list-count" role="status">
          {contacts.data ? t('crm.contacts.count', { count: total }) : ''}
        </p>
      </div>

      {contacts.isPending ? (
        <Loading />
      ) : contacts.isError ? (
        <LoadError error={contacts.error} onRetry={() => void contacts.refetch()} />
      ) : rows.length === 0 ? (
        <p className="card">{filtered ? t('crm.contacts.noMatch') : t('crm.contacts.empty')}</p>
      ) : (
        <div className="table-wrap" aria-busy={contacts.isPlaceholderData || undefined}>
          <table className="table crm-table" aria-labelledby="contacts-heading">
            <thead>
              <tr>
                <th scope="col">{t('crm.contact.fields.name')}</th>
                <th scope="col" className="crm-col-wide">{t('crm.contact.fields.email')}</th>
                <th scope="col" className="crm-col-wide">{t('crm.contact.fields.company')}</th>
                <th scope="col" className="crm-col-wide">{t('crm.contact.fields.phone')}</th>
                <th scope="col" className="crm-col-wide">{t('crm.contacts.added')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((contact) => (
                <tr key={contact.id}>
                  <td>
                    <Link to={`/contacts/${contact.id}`} className="ticket-link">
                      {contact.name}
                    </Link>
                    <ContactBadges vip={contact.is_vip} blocked={contact.is_blocked} />
                    <span className="cell-sub crm-row-meta">{[contact.email, contact.company?.name].filter(Boolean).join(' · ')}</span>
                  </td>
                  <td className="crm-col-wide">{contact.email ?? <span className="muted">{t('crm.none')}</span>}</td>
                  <td className="crm-col-wide">
                    {contact.company ? <Link to={`/companies/${contact.company.id}`}>{contact.company.name}</Link> : <span className="muted">{t('crm.none')}</span>}
                  </td>
                  <td className="crm-col-wide">{contact.phones[0]?.number ?? <span className="muted">{t('crm.none')}</span>}</td>
                  <td className="crm-col-wide">
                    <RelativeTime iso={contact.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={page} pages={pageCount(contacts.data?.meta)} label={t('crm.contacts.pages')} onPage={(p) => update({ page: p > 1 ? String(p) : '' })} />

      <CsvTools kind="contacts" canImport={canManage} />
    </div>
  )
}

/** VIP and blocked, in words (not colour alone). */
export function ContactBadges({ vip, blocked, portal }: { vip: boolean; blocked: boolean; portal?: boolean }) {
  const { t } = useTranslation()
  return (
    <>
      {vip ? <span className="badge crm-badge">{t('crm.contact.vip')}</span> : null}
      {blocked ? <span className="badge badge-warn crm-badge">{t('crm.contact.blocked')}</span> : null}
      {portal ? <span className="badge badge-off crm-badge">{t('crm.contact.portal')}</span> : null}
    </>
  )
}
