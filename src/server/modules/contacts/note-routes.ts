import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { authorize } from '../../platform/auth/actor.js'
import { tenantTx } from '../../platform/context.js'
import { Envelope, IdParams, ListEnvelope, OkEnvelope, errors, ok, okList } from '../../platform/http.js'
import { addNote, deleteNote, listNotes, updateNote } from './notes.js'
import { CreateNoteBody, NoteParams, NoteSchema, PageOnlyQuery, UpdateNoteBody } from './schemas.js'

/**
 * The notes routes of contacts or companies (`/contacts/:id/notes`, `/companies/:id/notes`):
 * list pinned first, add, edit or pin, delete. Reading needs contacts:read, writing contacts:manage.
 */
export function noteRoutes(kind: 'contact' | 'company'): FastifyPluginAsyncTypebox {
  const base = kind === 'contact' ? '/contacts' : '/companies'
  const tags = [kind === 'contact' ? 'contacts' : 'companies']
  const what = kind === 'contact' ? 'a contact' : 'a company'
  return async (app) => {
    const { ctx } = app

    app.get(`${base}/:id/notes`, {
      config: { permission: ['contacts:read'] },
      schema: { tags, summary: `The notes on ${what}, pinned first, then newest`, params: IdParams, querystring: PageOnlyQuery, response: { 200: ListEnvelope(NoteSchema), ...errors(400, 401, 403, 404) } },
    }, async (req) => {
      const actor = authorize(req, 'contacts:read')
      const page = req.query.page ?? 1
      const limit = req.query.limit ?? 25
      const { notes, total } = await tenantTx(ctx, actor, (tx) => listNotes(tx, { kind, id: req.params.id }, page, limit))
      return okList(notes, { page, limit, total })
    })

    app.post(`${base}/:id/notes`, {
      config: { permission: ['contacts:manage'] },
      schema: { tags, summary: `Add a note to ${what}`, params: IdParams, body: CreateNoteBody, response: { 201: Envelope(NoteSchema), ...errors(400, 401, 403, 404) } },
    }, async (req, reply) => {
      const actor = authorize(req, 'contacts:manage')
      const note = await tenantTx(ctx, actor, (tx) => addNote(tx, actor, { kind, id: req.params.id }, req.body))
      reply.status(201)
      return ok(note)
    })

    app.patch(`${base}/:id/notes/:note_id`, {
      config: { permission: ['contacts:manage'] },
      schema: { tags, summary: `Edit, pin or unpin a note on ${what}`, params: NoteParams, body: UpdateNoteBody, response: { 200: Envelope(NoteSchema), ...errors(400, 401, 403, 404) } },
    }, async (req) => {
      const actor = authorize(req, 'contacts:manage')
      return ok(await tenantTx(ctx, actor, (tx) => updateNote(tx, { kind, id: req.params.id }, req.params.note_id, req.body)))
    })

    app.delete(`${base}/:id/notes/:note_id`, {
      config: { permission: ['contacts:manage'] },
      schema: { tags, summary: `Delete a note on ${what}`, params: NoteParams, response: { 200: OkEnvelope, ...errors(400, 401, 403, 404) } },
    }, async (req) => {
      const actor = authorize(req, 'contacts:manage')
      await tenantTx(ctx, actor, (tx) => deleteNote(tx, actor, { kind, id: req.params.id }, req.params.note_id, req.ip))
      return ok({ ok: true })
    })
  }
}
