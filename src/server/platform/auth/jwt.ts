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
  constructor(private readonly key: Buffer, private readonly ttlSeconds: number) {}

  get ttl(): number {
    return this.ttlSeconds
  }

  sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ tid: claims.tid, sid: claims.sid })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer('aidly')
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key)
  }

  async verify(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: 'aidly', algorithms: ['HS256'] })
      if (typeof payload.sub !== 'string' || typeof payload.tid !== 'string' || typeof payload.sid !== 'string') {
        throw new AppError('invalid_token')
      }
      return { sub: payload.sub, tid: payload.tid, sid: payload.sid }
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new AppError('token_expired')
      if (error instanceof AppError) throw error
      throw new AppError('invalid_token')
    }
  }
}
