import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { api, isApiError, refreshSession, setAuthLostHandler } from './client'
import { REFRESH_KEY, clearTokens, getAccessToken, getRefreshToken, setTokens } from './tokens'

/** The browser bits the client touches, for a Node test run. */
function installStorage(): void {
  const store = new Map<string, string>()
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
  })
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
const ok = (data: unknown) => json(200, { success: true, data })
const fail = (status: number, code: string) => json(status, { success: false, error: { code, message: code } })
const pair = (n: number) => ({ access_token: `at${n}`, refresh_token: `rt${n}`, expires_in: 900 })

describe('api client token handling', () => {
  let fetchMock: ReturnType<typeof vi.fn>

  beforeEach(() => {
    installStorage()
    fetchMock = vi.fn()
    vi.stubGlobal('fetch', fetchMock)
    vi.stubGlobal('navigator', undefined)
    clearTokens()
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    setAuthLostHandler(() => {})
  })

  it('unwraps the success envelope and sends the bearer token', async () => {
    setTokens(pair(1))
    fetchMock.mockResolvedValueOnce(ok({ hello: 'world' }))
    const res = await api.get<{ hello: string }>('/auth/me')
    expect(res.data).toEqual({ hello: 'world' })
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit]
    expect(url).toBe('/api/v1/auth/me')
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer at1')
  })

  it('turns the error envelope into an ApiError with code, details and Retry-After', async () => {
    fetchMock.mockResolvedValueOnce(
      new Response(JSON.stringify({ success: false, error: { code: 'rate_limited', message: 'slow', details: [{ field: 'email', message: 'x' }] } }), {
        status: 429,
        headers: { 'Retry-After': '12' },
      }),
    )
    const error = await api.post('/auth/login', {}, { auth: false }).catch((e: unknown) => e)
    expect(isApiError(error, 'rate_limited')).toBe(true)
    expect(error).toMatchObject({ status: 429, retryAfter: 12, details: [{ field: 'email', message: 'x' }] })
  })

  it('on token_expired refreshes once, stores the rotated token and retries', async () => {
    setTokens(pair(1))
    fetchMock
      .mockResolvedValueOnce(fail(401, 'token_expired'))
      .mockResolvedValueOnce(ok(pair(2)))
      .mockResolvedValueOnce(ok({ fine: true }))
    const res = await api.get<{ fine: boolean }>('/auth/sessions')
    expect(res.data.fine).toBe(true)
    expect(getAccessToken()).toBe('at2')
    expect(getRefreshToken()).toBe('rt2')
    const refreshBody = JSON.parse((fetchMock.mock.calls[1] as [string, RequestInit])[1].body as string)
    expect(refreshBody).toEqual({ refresh_token: 'rt1' })
    expect((fetchMock.mock.calls[2] as [string, RequestInit])[1].headers).toMatchObject({ Authorization: 'Bearer at2' })
  })

  it('shares one refresh between concurrent callers', async () => {
    localStorage.setItem(REFRESH_KEY, 'rt1')
    fetchMock.mockImplementation(async (url: string) => (url.endsWith('/auth/refresh') ? ok(pair(2)) : ok({})))
    await Promise.all([api.get('/a'), api.get('/b'), refreshSession()])
    expect(fetchMock.mock.calls.filter(([url]) => String(url).endsWith('/auth/refresh'))).toHaveLength(1)
  })

  it('when the refresh fails, forgets the tokens and reports the session lost', async () => {
    setTokens(pair(1))
    const lost = vi.fn()
    setAuthLostHandler(lost)
    fetchMock.mockResolvedValueOnce(fail(401, 'invalid_token')).mockResolvedValueOnce(fail(401, 'invalid_token'))
    await expect(api.get('/auth/me')).rejects.toMatchObject({ code: 'invalid_token' })
    expect(lost).toHaveBeenCalledOnce()
    expect(getAccessToken()).toBeNull()
    expect(localStorage.getItem(REFRESH_KEY)).toBeNull()
  })

  it('does not refresh on other 401s (a wrong password is not an expired session)', async () => {
    setTokens(pair(1))
    fetchMock.mockResolvedValueOnce(fail(401, 'invalid_credentials'))
    await expect(api.post('/auth/2fa/disable', { password: 'x' })).rejects.toMatchObject({ code: 'invalid_credentials' })
    expect(fetchMock).toHaveBeenCalledOnce()
  })
})
