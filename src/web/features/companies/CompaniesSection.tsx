import { Route, Routes } from 'react-router'
import { NotFoundPage } from '../../app/RouteError'
import '../contacts/styles.css'
import { CompaniesListPage } from './CompaniesListPage'
import { CompanyPage } from './CompanyPage'
import { NewCompanyPage } from './NewCompanyPage'

/** /companies/*: the list, a new company, and one company's page. */
export function CompaniesSection() {
  return (
    <Routes>
      <Route index element={<CompaniesListPage />} />
      <Route path="new" element={<NewCompanyPage />} />
      <Route path=":id" element={<CompanyPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  )
}
