import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { authorize } from '../../platform/auth/actor.js'
import { tenantTx, type AppContext } from '../../platform/context.js'
import { AppError, invalid, notFound } from '../../platform/errors.js'
import { Envelope, IdParams, OkEnvelope, errors, ok } from '../../platform/http.js'
import { loadVisibleTicket } from '../tickets/present.js'
import { deleteAttachment, loadAttachment, recordUploads, type StoredUpload } from './attachments.js'
import { UploadedSchema } from './schemas.js'
import { contentDisposition, sanitizeFilename, servedAs, sniffContentType } from './sniff.js'

const tags = ['conversation']
/** Files one upload request may carry. */
export const MAX_FILES_PER_UPLOAD = 10

/** Multipart limit errors of @fastify/multipart, by code, as client errors. */
function uploadError(error: unknown, maxBytes: number): unknown {
  const code = (error as { code?: string } | null)?.code
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    return new AppError('payload_too_large', `Each file may be at most ${maxBytes} bytes.`, [{ field: 'file', message: `is larger than ${maxBytes} bytes` }])
  }
  if (code === 'FST_FILES_LIMIT') return invalid('file', `at most ${MAX_FILES_PER_UPLOAD} files per upload`)
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return invalid('file', 'too many parts in the upload')
  if (code === 'FST_PROTO_VIOLATION') return invalid('file', 'is not a valid field name')
  return error
}

/**
 * Reads the `file` parts of a multipart upload one at a time — so at most one file is held in
 * memory — checking each against the size limit, typing it from its bytes and storing it.
 */
async function readUploads(req: FastifyRequest, ctx: AppContext): Promise<StoredUpload[]> {
  if (!req.isMultipart()) throw new AppError('unsupported_media_type', 'Send the files as multipart/form-data, each in a field named "file".')
  const maxBytes = ctx.config.attachmentMaxBytes
  const stored: StoredUpload[] = []
  try {
    for await (const part of req.parts({ limits: { fileSize: maxBytes, files: MAX_FILES_PER_UPLOAD, fields: 10, parts: MAX_FILES_PER_UPLOAD + 10 } })) {
      if (part.type !== 'file') throw invalid(part.fieldname, 'is not a known field; send files in fields named "file"')
      if (part.fieldname !== 'file') throw invalid(part.fieldname, 'is not a known field; send files in fields named "file"')
      const data = await part.toBuffer()
      const filename = sanitizeFilename(part.filename)
      if (data.length === 0) throw invalid('file', `"${filename}" is empty`)
      stored.push({ key: await ctx.files.put(data), filename, contentType: sniffContentType(data, filename), size: data.length })
    }
  } catch (error) {
    throw uploadError(error, maxBytes)
  }
  if (!stored.length) throw invalid('file', 'send at least one file')
  return stored
}

/**
 * Files on tickets: upload (multipart, typed by content), download (only to those who may see
 * them, never rendered as active content) and removal.
 */
const attachmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app
  await app.register(multipart)

  app.post('/tickets/:id/attachments', {
    config: { permission: ['comments:create'] },
    schema: {
      tags,
      summary: `Upload files to a ticket (multipart/form-data, fields named "file", up to ${MAX_FILES_PER_UPLOAD}); attach them to a comment with its attachment_ids`,
      consumes: ['multipart/form-data'], params: IdParams,
      response: { 201: Envelope(Type.Array(UploadedSchema)), ...errors(400, 401, 403, 404, 409, 413, 415) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'comments:create')
    // Who may upload here is settled before a byte of the files is read.
    await tenantTx(ctx, actor, (tx) => loadVisibleTicket(tx, actor, req.params.id))
    const uploads = await readUploads(req, ctx)
    const created = await tenantTx(ctx, actor, (tx) => recordUploads(tx, actor, req.params.id, uploads))
    reply.status(201)
    return ok(created)
  })

  app.get('/attachments/:id', {
    config: { permission: ['tickets:read'] },
    schema: {
      tags,
      summary: 'Download a file. Images, PDF and plain text are shown inline; other known types download; HTML, SVG and unknown types download as application/octet-stream',
      params: IdParams, response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...errors(400, 401, 403, 404) },
    },
  }, async (req, reply) => {
    const actor = authorize(req, 'tickets:read')
    const attachment = await tenantTx(ctx, actor, (tx) => loadAttachment(tx, actor, req.params.id))
    const data = await ctx.files.get(attachment.file_key)
    if (!data) {
      req.log.error({ attachment: attachment.id, key: attachment.file_key }, 'attachment file missing from the store')
      throw notFound('Attachment')
    }
    const served = servedAs(attachment.content_type)
    reply.header('content-disposition', contentDisposition(served.disposition, attachment.filename))
    reply.header('content-security-policy', "default-src 'none'")
    reply.header('x-content-type-options', 'nosniff')
    reply.header('cache-control', 'private, no-cache')
    return reply.type(served.contentType).send(data)
  })

  app.delete('/attachments/:id', {
    config: { permission: ['comments:create'] },
    schema: {
      tags,
      summary: 'Remove a file: an unattached upload by its uploader or anyone who may edit tickets; a file on a comment by staff with tickets:update',
      params: IdParams, response: { 200: OkEnvelope, ...errors(400, 401, 403, 404) },
    },
  }, async (req) => {
    const actor = authorize(req, 'comments:create')
    await tenantTx(ctx, actor, (tx) => deleteAttachment(tx, actor, req.params.id))
    return ok({ ok: true })
  })
}

export default attachmentRoutes
