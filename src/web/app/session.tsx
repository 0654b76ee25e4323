import { useQueryClient } from '@tanstack/react-query'
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import { authApi } from '../api/auth'
import { isApiError, refreshSession, setAuthLostHandler } from '../api/client'
import { clearTokens, getAccessToken, getRefreshToken, setTokens } from '../api/tokens'
import type { AuthResult } from '../api/types'
import { resetPreferences } from './preferences'

export type SessionStatus = 'loading' | 'authenticated' | 'anonymous' | 'offline'

interface SessionContextValue {
  status: SessionStatus
  /** Store the tokens from register / login / invitation accept and enter the app. */
  signIn: (result: AuthResult) => void
  /** Revoke the session on the server (best effort) and forget the tokens. */
  signOut: () => Promise<void>
  /** Switch the active organization and reload everything for it. */
  switchOrganization: (organizationId: string) => Promise<void>
  /** Retry the start-up refresh after a network failure. */
  retry: () => void
}

const SessionContext = createContext<SessionContextValue | null>(null)

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient()
  const [status, setStatus] = useState<SessionStatus>(() =>
    getAccessToken() ? 'authenticated' : getRefreshToken() ? 'loading' : 'anonymous',
  )
  const [attempt, setAttempt] = useState(0)

  useEffect(() => {
    if (status !== 'loading') return
    let cancelled = false
    refreshSession().then(
      () => !cancelled && setStatus('authenticated'),
      (error: unknown) => {
        if (cancelled) return
        if (isApiError(error, 'network_error') || (isApiError(error) && error.status >= 500)) {
          setStatus('offline')
          return
        }
        clearTokens()
        setStatus('anonymous')
      },
    )
    return () => {
      cancelled = true
    }
  }, [status, attempt])

  useEffect(() => {
    setAuthLostHandler(() => {
      setStatus('anonymous')
      queryClient.clear()
      resetPreferences()
    })
    return () => setAuthLostHandler(() => {})
  }, [queryClient])

  const signIn = useCallback(
    (result: AuthResult) => {
      queryClient.clear()
      setTokens(result)
      setStatus('authenticated')
    },
    [queryClient],
  )

  const signOut = useCallback(async () => {
    try {
      if (getAccessToken() || getRefreshToken()) await authApi.logout(getRefreshToken())
    } catch {
      // Signing out locally matters more than telling the server.
    }
    clearTokens()
    setStatus('anonymous')
    queryClient.clear()
    resetPreferences()
  }, [queryClient])

  const switchOrganization = useCallback(
    async (organizationId: string) => {
      const result = await authApi.switchOrganization(organizationId)
      setTokens(result)
      await queryClient.resetQueries()
    },
    [queryClient],
  )

  const retry = useCallback(() => {
    setStatus('loading')
    setAttempt((n) => n + 1)
  }, [])

  const value = useMemo(
    () => ({ status, signIn, signOut, switchOrganization, retry }),
    [status, signIn, signOut, switchOrganization, retry],
  )
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext)
  if (!value) throw new Error('useSession must be used inside <SessionProvider>')
  return value
}
