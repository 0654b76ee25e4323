import { webcrypto } from 'node:crypto'
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose'
import { AppError } from '../errors.js'

export interface AccessClaims {
  /** user id */
  sub: string
  /** tenant (organization) id */
  tid: string
  /** session id: revoking the session ends the token too */
  sid: string
}

/** Short-lived HS256 access tokens bound to a user, an organization and a session. */
export class AccessTokens {
  /** The HMAC key imported once: handing jose the raw bytes would import it again on every request (a third of a verification's cost). */
  readonly #key: Promise<webcrypto.CryptoKey>

  constructor(key: Buffer, private readonly ttlSeconds: number) {
    this.#key = webcrypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
  }

  get ttl(): number {
    return this.ttlSeconds
  }

  async sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ tid: claims.tid, sid: claims.sid })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer('aidly')
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(await this.#key)
  }

  /** The claims of a valid token, with its expiry (`exp`, seconds since the epoch). */
  async verify(token: string): Promise<AccessClaims & { exp: number }> {
    try {
      const { payload } = await jwtVerify(token, await this.#key, { issuer: 'aidly', algorithms: ['HS256'] })
      if (typeof payload.sub !== 'string' || typeof payload.tid !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') {
        throw new AppError('invalid_token')
      }
      return { sub: payload.sub, tid: payload.tid, sid: payload.sid, exp: payload.exp }
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new AppError('token_expired')
      if (error instanceof AppError) throw error
      throw new AppError('invalid_token')
    }
  }
}
