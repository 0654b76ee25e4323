import { Route, Routes } from 'react-router'
import { NotFoundPage } from '../../app/RouteError'
import { ContactPage } from './ContactPage'
import { ContactsListPage } from './ContactsListPage'
import { DuplicatesPage } from './DuplicatesPage'
import { NewContactPage } from './NewContactPage'
import './styles.css'

/** /contacts/*: the list, a new contact, likely duplicates, and one contact's page. */
export function ContactsSection() {
  return (
    <Routes>
      <Route index element={<ContactsListPage />} />
      <Route path="new" element={<NewContactPage />} />
      <Route path="duplicates" element={<DuplicatesPage />} />
      <Route path=":id" element={<ContactPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  )
}
