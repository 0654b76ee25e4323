import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Readable } from 'node:stream'
import { Type } from 'typebox'
import { AppError } from '../../../platform/errors.js'

/** The largest CSV upload taken (the app's JSON body limit is much smaller). */
export const CSV_BODY_LIMIT = 20 * 1024 * 1024

/**
 * Lets a plugin's routes take `text/csv` bodies as a stream: the parser hands the request over
 * unread, and {@link csvBody} reads it chunk by chunk with the size limit applied.
 */
export function acceptCsv(app: FastifyInstance): void {
  app.addContentTypeParser(['text/csv', 'application/csv'], (_req, payload, done) => { done(null, payload) })
}

/** The request's CSV body as chunks; 415 for anything but CSV, 413 past {@link CSV_BODY_LIMIT}. */
export async function* csvBody(req: FastifyRequest, limit = CSV_BODY_LIMIT): AsyncGenerator<Buffer> {
  const body = req.body
  if (!(body instanceof Readable)) {
    throw new AppError('unsupported_media_type', 'Send the CSV file itself as the request body, with Content-Type: text/csv.')
  }
  const declared = Number(req.headers['content-length'] ?? NaN)
  if (Number.isFinite(declared) && declared > limit) {
    body.resume()
    throw new AppError('payload_too_large', `The file is larger than ${limit / 1024 / 1024} MB.`)
  }
  let size = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) {
      body.destroy()
      throw new AppError('payload_too_large', `The file is larger than ${limit / 1024 / 1024} MB; the rows before the limit were imported.`)
    }
    yield chunk
  }
}

/** Sends CSV text as a download, streamed from `lines`. */
export function sendCsv(reply: FastifyReply, filename: string, lines: AsyncIterable<string>): FastifyReply {
  reply.header('content-type', 'text/csv; charset=utf-8')
  reply.header('content-disposition', `attachment; filename="${filename}"`)
  reply.header('cache-control', 'no-store')
  return reply.send(Readable.from(lines))
}

/** The OpenAPI description of a CSV download. */
export const CsvDownload = {
  description: 'CSV (RFC 4180, UTF-8 with a byte-order mark), streamed',
  content: { 'text/csv': { schema: Type.String() } },
}

/** Today's date for a download's file name. */
export const today = (): string => new Date().toISOString().slice(0, 10)
