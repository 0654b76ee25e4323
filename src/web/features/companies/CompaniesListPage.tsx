import { useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useLocation, useSearchParams } from 'react-router'
import { useCan } from '../../app/permissions'
import { Alert } from '../../ui/Alert'
import { SelectField } from '../../ui/SelectField'
import { Loading } from '../../ui/Spinner'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { PAGE_SIZE, pageCount } from '../contacts/api'
import { CsvTools } from '../contacts/CsvTools'
import { Pager } from '../contacts/Pager'
import { COMPANY_SORTS, useCompanies, type CompanySort } from './api'
import { LoadError } from '../../ui/LoadError'

const asSort = (value: string | null): CompanySort => ((COMPANY_SORTS as readonly string[]).includes(value ?? '') ? (value as CompanySort) : 'name')

/** Where a merge or delete sends the user back with what it did. */
export interface CompaniesFlash {
  flash?: string
}

/** /companies: search, sort, pages, CSV, and the way to a new company. */
export function CompaniesListPage() {
  const { t } = useTranslation()
  const location = useLocation()
  const [params, setParams] = useSearchParams()
  const canManage = useCan('contacts:manage') === true
  useDocumentTitle(t('crm.companies.title'))

  const q = params.get('q') ?? ''
  const sort = asSort(params.get('sort'))
  const page = Math.max(1, Number(params.get('page')) || 1)
  const [search, setSearch] = useState(q)
  const companies = useCompanies({ q: q || undefined, sort, page, limit: PAGE_SIZE })

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
    update({ q: search.trim() })
  }
  const rows = companies.data?.data ?? []
  const total = companies.data?.meta?.total ?? rows.length
  const flash = (location.state as CompaniesFlash | null)?.flash

  return (
    <div className="crm-page">
      <div className="section-header">
        <h1 className="page-title">{t('crm.companies.title')}</h1>
        {canManage ? (
          <Link to="/companies/new" className="btn btn-primary">
            {t('crm.companies.new')}
          </Link>
        ) : null}
      </div>
      <div aria-live="polite">{flash ? <Alert tone="success">{flash}</Alert> : null}</div>

      <div className="crm-list-tools">
        <form className="crm-search" role="search" onSubmit={onSearch}>
          <div className="field">
            <label htmlFor="company-search">{t('crm.companies.search')}</label>
            <div className="crm-search-row">
              <input id="company-search" name="q" type="search" autoComplete="off" value={search} onChange={(e) => setSearch(e.target.value)} />
              <button type="submit" className="btn">
                {t('crm.search')}
              </button>
            </div>
          </div>
        </form>
        <SelectField label={t('crm.sort.label')} name="sort" value={sort} onChange={(e) => update({ sort: e.target.value === 'name' ? '' : e.target.value })}>
          {COMPANY_SORTS.map((s) => (
            <option key={s} value={s}>
              {t(`crm.sort.${s}`)}
            </option>
          ))}
        </SelectField>
      </div>

      <div className="list-heading">
        <h2 id="companies-heading">{q ? t('crm.companies.results', { q }) : t('crm.companies.all')}</h2>
        <p className="muted list-count" role="status">
          {companies.data ? t('crm.companies.count', { count: total }) : ''}
        </p>
      </div>

      {companies.isPending ? (
        <Loading />
      ) : companies.isError ? (
        <LoadError error={companies.error} onRetry={() => void companies.refetch()} />
      ) : rows.length === 0 ? (
        <p className="card">{q ? t('crm.companies.noMatch') : t('crm.companies.empty')}</p>
      ) : (
        <div className="table-wrap" aria-busy={companies.isPlaceholderData || undefined}>
          <table className="table crm-table" aria-labelledby="companies-heading">
            <thead>
              <tr>
                <th scope="col">{t('crm.company.fields.name')}</th>
                <th scope="col" className="crm-col-wide">{t('crm.company.fields.domains')}</th>
                <th scope="col" className="crm-col-wide">{t('crm.company.contactCount')}</th>
                <th scope="col" className="crm-col-wide">{t('crm.company.openTickets')}</th>
                <th scope="col" className="crm-col-wide">{t('crm.company.fields.parent')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((company) => (
                <tr key={company.id}>
                  <td>
                    <Link to={`/companies/${company.id}`} className="ticket-link">
                      {company.name}
                    </Link>
                    <span className="cell-sub crm-row-meta">
                      {[company.domains.join(', '), t('crm.company.contactsN', { count: company.contact_count })].filter(Boolean).join(' · ')}
                    </span>
                  </td>
                  <td className="crm-col-wide">{company.domains.join(', ') || <span className="muted">{t('crm.none')}</span>}</td>
                  <td className="crm-col-wide">{company.contact_count}</td>
                  <td className="crm-col-wide">{company.open_ticket_count}</td>
                  <td className="crm-col-wide">
                    {company.parent ? <Link to={`/companies/${company.parent.id}`}>{company.parent.name}</Link> : <span className="muted">{t('crm.none')}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={page} pages={pageCount(companies.data?.meta)} label={t('crm.companies.pages')} onPage={(p) => update({ page: p > 1 ? String(p) : '' })} />

      <CsvTools kind="companies" canImport={canManage} />
    </div>
  )
}
