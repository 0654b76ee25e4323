/**
 * Where the tokens live: the access token only in memory, the refresh token in localStorage so a
 * reload (or a new tab) can get a fresh pair. Refresh tokens rotate, so every pair replaces both.
 */
export const REFRESH_KEY = 'aidly.refresh'

let accessToken: string | null = null

export function getAccessToken(): string | null {
  return accessToken
}

export function getRefreshToken(): string | null {
  try {
    return localStorage.getItem(REFRESH_KEY)
  } catch {
    return null
  }
}

export function setTokens(pair: { access_token: string; refresh_token: string }): void {
  accessToken = pair.access_token
  try {
    localStorage.setItem(REFRESH_KEY, pair.refresh_token)
  } catch {
    // Storage can be unavailable (private mode, quota); the session then lasts until reload.
  }
}

export function clearTokens(): void {
  accessToken = null
  try {
    localStorage.removeItem(REFRESH_KEY)
  } catch {
    // Nothing stored to remove.
  }
}
