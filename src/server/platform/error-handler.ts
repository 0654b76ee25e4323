import type { FastifyError, FastifyInstance } from 'fastify'
import { AppError, ERROR_CATALOGUE, type ErrorCode, type ErrorDetail } from './errors.js'

function body(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
  return { success: false as const, error: { code, message, details } }
}

/** Turns schema validation output into `details` naming each field. */
function validationDetails(error: FastifyError): ErrorDetail[] {
  return (error.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>
    const base = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.')
    const missing = typeof params.missingProperty === 'string' ? params.missingProperty : undefined
    const extra = typeof params.additionalProperty === 'string' ? params.additionalProperty : undefined
    const leaf = missing ?? extra
    const field = [base, leaf].filter(Boolean).join('.') || (error.validationContext ?? 'body')
    const message = extra ? 'is not a known field' : missing ? 'is required' : (v.message ?? 'is not valid')
    return { field, message, code: v.keyword }
  })
}

/**
 * One error envelope for everything. AppErrors pass through; framework errors map to catalogue
 * codes; anything else is logged with the request id and masked as `internal_error`.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, req, reply) => {
    if (error instanceof AppError) {
      reply.headers(error.headers)
      return reply.status(error.status).send(body(error.code, error.message, error.details))
    }
    const fe = error as FastifyError
    if (fe.validation) {
      const details = validationDetails(fe)
      const first = details[0]
      const message = first ? `${first.field}: ${first.message}` : ERROR_CATALOGUE.validation_error.message
      return reply.status(400).send(body('validation_error', message, details))
    }
    switch (fe.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return reply.status(400).send(body('invalid_json', ERROR_CATALOGUE.invalid_json.message))
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return reply.status(413).send(body('payload_too_large', ERROR_CATALOGUE.payload_too_large.message))
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return reply.status(fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 415 : 400)
          .send(body(fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : 'validation_error', fe.message))
    }
    if (fe instanceof SyntaxError || fe.statusCode === 400) {
      return reply.status(400).send(body('invalid_json', ERROR_CATALOGUE.invalid_json.message))
    }
    if (fe.statusCode === 413) return reply.status(413).send(body('payload_too_large', ERROR_CATALOGUE.payload_too_large.message))
    if (fe.statusCode === 415) return reply.status(415).send(body('unsupported_media_type', ERROR_CATALOGUE.unsupported_media_type.message))
    if (fe.statusCode === 429) return reply.status(429).send(body('rate_limited', ERROR_CATALOGUE.rate_limited.message))
    req.log.error({ err: error, reqId: req.id }, 'unhandled error')
    return reply.status(500).send(body('internal_error', `${ERROR_CATALOGUE.internal_error.message} Reference: ${req.id}`))
  })

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(body('not_found', `No route for ${req.method} ${req.url.split('?')[0]}.`))
  })
}
