/**
 * The one catalogue of error codes. Every error response carries one of these codes; clients
 * branch on the code, never on the message. `docs/api/errors.md` is checked against this list.
 */
export const ERROR_CATALOGUE = {
  validation_error: { status: 400, message: 'The request is not valid.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  unprocessable: { status: 422, message: 'The request could not be processed.' },
  unauthorized: { status: 401, message: 'Sign in to continue.' },
  invalid_credentials: { status: 401, message: 'The email or password is not correct.' },
  totp_required: { status: 401, message: 'Enter the code from your authenticator app.' },
  invalid_totp: { status: 401, message: 'The two-factor code is not correct.' },
  token_expired: { status: 401, message: 'The token has expired.' },
  invalid_token: { status: 401, message: 'The token is not valid.' },
  forbidden: { status: 403, message: 'You are not allowed to do this.' },
  not_found: { status: 404, message: 'Not found.' },
  method_not_allowed: { status: 405, message: 'Method not allowed.' },
  conflict: { status: 409, message: 'This conflicts with the current state.' },
  email_taken: { status: 409, message: 'This email address is already in use.' },
  slug_taken: { status: 409, message: 'This organization address is already taken.' },
  gone: { status: 410, message: 'This link is no longer valid.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'This content type is not supported.' },
  account_locked: { status: 423, message: 'Too many failed sign-ins. Try again later.' },
  rate_limited: { status: 429, message: 'Too many requests. Slow down and try again shortly.' },
  internal_error: { status: 500, message: 'Something went wrong on our side.' },
  bad_gateway: { status: 502, message: 'A server Aidly talks to (a mail server) failed or refused.' },
  service_unavailable: { status: 503, message: 'The service is temporarily unavailable.' },
} as const satisfies Record<string, { status: number; message: string }>

export type ErrorCode = keyof typeof ERROR_CATALOGUE

export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. `custom_fields.plan` or `email`. */
  field?: string
  message: string
  code?: string
}
