import { ERROR_CATALOGUE, type ErrorCode, type ErrorDetail } from '../../shared/errors.js'

export { ERROR_CATALOGUE, type ErrorCode, type ErrorDetail }

/** An error meant for the client: a code from the catalogue, an optional message and details. */
export class AppError extends Error {
  override name = 'AppError'
  readonly status: number

  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? ERROR_CATALOGUE[code].message)
    this.status = ERROR_CATALOGUE[code].status
  }
}

export const notFound = (what = 'Resource'): AppError => new AppError('not_found', `${what} not found.`)
export const forbidden = (message?: string): AppError => new AppError('forbidden', message)
export const conflict = (message: string, details: ErrorDetail[] = []): AppError =>
  new AppError('conflict', message, details)
export const invalid = (field: string, message: string): AppError =>
  new AppError('validation_error', `${field}: ${message}`, [{ field, message }])

/** PostgreSQL unique_violation, for turning a lost race into a 409 instead of a 500. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (typeof error !== 'object' || error === null) return false
  const e = error as { code?: string; constraint?: string }
  return e.code === '23505' && (constraint === undefined || e.constraint === constraint)
}
