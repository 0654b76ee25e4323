import { createBrowserRouter } from 'react-router'
import { AcceptInvitationPage } from '../features/auth/AcceptInvitationPage'
import { ForgotPasswordPage } from '../features/auth/ForgotPasswordPage'
import { LoginPage } from '../features/auth/LoginPage'
import { ResetPasswordPage } from '../features/auth/ResetPasswordPage'
import { SignupPage } from '../features/auth/SignupPage'
import { HomePage } from '../features/home/HomePage'
import { AppLayout } from './AppLayout'
import { AuthLayout, GuestOnly, RequireSession } from './guards'
import { NotFoundPage, RouteError } from './RouteError'

export const router = createBrowserRouter([
  {
    errorElement: <RouteError />,
    children: [
      {
        element: <RequireSession />,
        children: [{ element: <AppLayout />, children: [{ index: true, element: <HomePage /> }] }],
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
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
])
