import { useMutation } from '@tanstack/react-query'
import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { Link, useNavigate, useSearchParams } from 'react-router'
import { isApiError } from '../../api/client'
import { useSession } from '../../app/session'
import { Alert } from '../../ui/Alert'
import { errorMessage } from '../../ui/errorMessage'
import { Loading } from '../../ui/Spinner'
import { useDocumentTitle } from '../../ui/useDocumentTitle'
import { portalApi } from './api'

/** The link from a portal sign-up mail: confirms the address, then signs the new customer in (or asks an existing account to sign in). */
export function PortalVerifyPage() {
  const { t } = useTranslation()
  const [params] = useSearchParams()
  const token = params.get('token') ?? ''
  const { signIn } = useSession()
  const navigate = useNavigate()
  const verify = useMutation({
    mutationFn: () => portalApi.verify(token),
    onSuccess: (result) => {
      if (result.status === 'signed_in' && result.session) {
        signIn(result.session)
        void navigate('/portal', { replace: true })
      }
    },
  })
  const sent = useRef(false)
  useDocumentTitle(t('portalPublic.verifyTitle'))

  useEffect(() => {
    // Once: the link is single-use, so a second request (StrictMode, a re-render) would find it spent.
    if (sent.current || !token) return
    sent.current = true
    verify.mutate()
  }, [token, verify])

  if (!token) return <Alert>{t('portalPublic.verifyMissing')}</Alert>
  if (verify.isError) {
    return (
      <>
        <h1>{t('portalPublic.verifyTitle')}</h1>
        <Alert>
          <p>{isApiError(verify.error, 'gone') ? t('portalPublic.verifyGone') : errorMessage(verify.error, t)}</p>
        </Alert>
        <p className="auth-links">
          <Link to="/login">{t('portalPublic.genericSignIn')}</Link>
        </p>
      </>
    )
  }
  if (verify.data?.status === 'sign_in_required') {
    return (
      <>
        <h1>{t('portalPublic.verifyTitle')}</h1>
        <p role="status">{t('portalPublic.existingAccount', { name: verify.data.organization.name })}</p>
        <p className="auth-links">
          <Link className="btn btn-primary" to={`/support/${encodeURIComponent(verify.data.organization.slug)}`}>
            {t('portalPublic.signIn')}
          </Link>
        </p>
      </>
    )
  }
  return <Loading />
}
