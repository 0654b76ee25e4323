import { createBrowserRouter, type RouteObject } from 'react-router'
import { AcceptInvitationPage } from '../features/auth/AcceptInvitationPage'
import { ForgotPasswordPage } from '../features/auth/ForgotPasswordPage'
import { LoginPage } from '../features/auth/LoginPage'
import { ResetPasswordPage } from '../features/auth/ResetPasswordPage'
import { SignupPage } from '../features/auth/SignupPage'
import { HomePage } from '../features/home/HomePage'
import { Loading } from '../ui/Spinner'
import { AppLayout } from './AppLayout'
import { AuthLayout, GuestOnly, RequireCustomer, RequirePermission, RequireSession } from './guards'
import { PERMISSIONS } from './permissions'
import { NotFoundPage, RouteError } from './RouteError'

// The settings pages are separate chunks, loaded on first visit: they stay out of the initial bundle.
const emailSettings: RouteObject[] = [
  { index: true, lazy: () => import('../features/settings/email/MailboxesPage').then((m) => ({ Component: m.MailboxesPage })) },
  { path: 'new', lazy: () => import('../features/settings/email/MailboxFormPage').then((m) => ({ Component: m.MailboxFormPage })) },
  { path: 'unrouted', lazy: () => import('../features/settings/email/UnroutedPage').then((m) => ({ Component: m.UnroutedPage })) },
  { path: 'templates', lazy: () => import('../features/settings/email/TemplatesPage').then((m) => ({ Component: m.TemplatesPage })) },
  { path: ':id', lazy: () => import('../features/settings/email/MailboxFormPage').then((m) => ({ Component: m.MailboxFormPage })) },
]

export const router = createBrowserRouter([
  {
    errorElement: <RouteError />,
    // Shown while a lazy route's code loads on the first page of a visit.
    hydrateFallbackElement: <Loading fullPage />,
    children: [
      {
        element: <RequireSession />,
        children: [
          {
            element: <AppLayout />,
            children: [
              { index: true, element: <HomePage /> },
              {
                // The agent workspace: staff only, each page its own chunk.
                path: 'tickets',
                element: <RequirePermission permission={PERMISSIONS.readTickets} staff />,
                children: [
                  { index: true, lazy: () => import('../features/tickets/TicketsPage').then((m) => ({ Component: m.TicketsPage })) },
                  { path: ':id', lazy: () => import('../features/tickets/TicketPage').then((m) => ({ Component: m.TicketPage })) },
                ],
              },
              {
                // The customer portal: their own requests, each page its own chunk.
                path: 'portal',
                element: <RequireCustomer />,
                children: [
                  { index: true, lazy: () => import('../features/portal/MyTicketsPage').then((m) => ({ Component: m.MyTicketsPage })) },
                  { path: 'new', lazy: () => import('../features/portal/NewRequestPage').then((m) => ({ Component: m.NewRequestPage })) },
                  { path: ':id', lazy: () => import('../features/portal/PortalTicketPage').then((m) => ({ Component: m.PortalTicketPage })) },
                ],
              },
              {
                // Contacts and companies: staff who may read them; each its own chunk.
                element: <RequirePermission permission={PERMISSIONS.readContacts} staff />,
                children: [
                  { path: 'contacts/*', lazy: () => import('../features/contacts/ContactsSection').then((m) => ({ Component: m.ContactsSection })) },
                  { path: 'companies/*', lazy: () => import('../features/companies/CompaniesSection').then((m) => ({ Component: m.CompaniesSection })) },
                ],
              },
              {
                // Admin settings: the layout shows the sections the role opens; each section is its own chunk.
                path: 'settings',
                lazy: () => import('../features/settings/SettingsLayout').then((m) => ({ Component: m.SettingsLayout })),
                children: [
                  { path: 'organization/*', lazy: () => import('../features/settings/organization/OrganizationSection').then((m) => ({ Component: m.OrganizationSection })) },
                  { path: 'users/*', lazy: () => import('../features/settings/users/UsersSection').then((m) => ({ Component: m.UsersSection })) },
                  { path: 'roles/*', lazy: () => import('../features/settings/roles/RolesSection').then((m) => ({ Component: m.RolesSection })) },
                  { path: 'teams/*', lazy: () => import('../features/settings/teams/TeamsSection').then((m) => ({ Component: m.TeamsSection })) },
                  { path: 'statuses/*', lazy: () => import('../features/settings/statuses/StatusesSection').then((m) => ({ Component: m.StatusesSection })) },
                  { path: 'custom-fields/*', lazy: () => import('../features/settings/custom-fields/CustomFieldsSection').then((m) => ({ Component: m.CustomFieldsSection })) },
                  {
                    path: 'email',
                    lazy: () =>
                      import('../features/settings/email/EmailSettingsLayout').then((m) => ({ Component: m.EmailSettingsLayout })),
                    children: emailSettings,
                  },
                  { path: 'api-keys/*', lazy: () => import('../features/settings/api-keys/ApiKeysSection').then((m) => ({ Component: m.ApiKeysSection })) },
                  { path: '*', element: <NotFoundPage /> },
                ],
              },
            ],
          },
        ],
      },
      {
        // An organization's branded portal entry for signed-out customers: sign in or sign up.
        element: <GuestOnly />,
        children: [
          { path: 'support/:slug', lazy: () => import('../features/portal-public/PortalEntryPage').then((m) => ({ Component: m.PortalEntryPage })) },
        ],
      },
      {
        element: <AuthLayout />,
        children: [
          {
            element: <GuestOnly />,
            children: [
              { path: 'login', element: <LoginPage /> },
              { path: 'signup', element: <SignupPage /> },
            ],
          },
          { path: 'forgot-password', element: <ForgotPasswordPage /> },
          { path: 'reset-password', element: <ResetPasswordPage /> },
          { path: 'invite', element: <AcceptInvitationPage /> },
          { path: 'portal/verify', lazy: () => import('../features/portal-public/PortalVerifyPage').then((m) => ({ Component: m.PortalVerifyPage })) },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
])
