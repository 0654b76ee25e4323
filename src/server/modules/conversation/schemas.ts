import { Type, type Static, type TSchema } from 'typebox'
import { Obj, PageQuery, Uuid } from '../../platform/http.js'

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])
const Ref = Type.Object({ id: Type.String(), name: Type.String() })

/** Longest comment body accepted, in characters (HTML or plain text as sent). */
export const MAX_BODY_CHARS = 100_000

export const AttachmentSchema = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  content_type: Type.String({ description: 'Read from the file’s bytes, never taken from the client' }),
  size_bytes: Type.Integer(),
  url: Type.String({ description: 'Where to download it (needs the same credentials)' }),
})
export type AttachmentOut = Static<typeof AttachmentSchema>

export const UploadedSchema = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  content_type: Type.String(),
  size_bytes: Type.Integer(),
})

export const CommentSchema = Type.Object({
  id: Type.String(),
  ticket_id: Type.String(),
  body: Type.String({ description: 'Sanitized HTML' }),
  body_text: Type.String(),
  is_internal: Type.Boolean(),
  source: Type.String(),
  author: Nullable(Type.Object({
    type: Type.Union([Type.Literal('user'), Type.Literal('contact')]),
    id: Type.String(),
    name: Type.String(),
  }, { description: 'null for notes written by the system or an API key' })),
  mentions: Type.Array(Ref),
  attachments: Type.Array(AttachmentSchema),
  edited_at: Nullable(Type.String()),
  created_at: Type.String(),
})
export type CommentOut = Static<typeof CommentSchema>

export const RevisionSchema = Type.Object({
  id: Type.String(),
  body: Type.String({ description: 'The body as it was before this edit' }),
  edited_by: Nullable(Ref),
  created_at: Type.String({ description: 'When the edit replaced it' }),
})

const Body = Type.String({ maxLength: MAX_BODY_CHARS, description: 'Rich text (HTML); stored sanitized' })
const BodyText = Type.String({ maxLength: MAX_BODY_CHARS, description: 'Plain text, turned into paragraphs; instead of body' })
const Content = Type.String({ maxLength: MAX_BODY_CHARS, description: 'The same as body (HTML), the name docs/API.md uses' })

export const CommentBodyFields = {
  body: Type.Optional(Body),
  body_text: Type.Optional(BodyText),
  content: Type.Optional(Content),
}

export const CreateCommentBody = Obj({
  ...CommentBodyFields,
  is_internal: Type.Optional(Type.Boolean({ default: false, description: 'An internal note: staff only, never shown to customers' })),
  attachment_ids: Type.Optional(Type.Array(Uuid, { maxItems: 50, uniqueItems: true, description: 'Files uploaded to this ticket earlier and not yet attached' })),
})
export type CreateCommentInput = Static<typeof CreateCommentBody>

export const UpdateCommentBody = Obj(CommentBodyFields)
export type CommentBodyInput = Static<typeof UpdateCommentBody>

export const ListCommentsQuery = Obj({ ...PageQuery })
export const CommentParams = Obj({ id: Uuid, comment_id: Uuid })

export const MergeBody = Obj({
  source_ids: Type.Array(Uuid, { minItems: 1, maxItems: 20, uniqueItems: true, description: 'Tickets merged into this one, which survives' }),
})

export const LinkKindSchema = Type.Union([Type.Literal('related'), Type.Literal('duplicate')])
export const LinkSchema = Type.Object({
  ticket: Type.Object({
    id: Type.String(),
    ticket_number: Type.String(),
    subject: Type.String(),
    status: Type.Object({ id: Type.String(), name: Type.String(), category: Type.String(), color: Type.String() }),
  }),
  kind: LinkKindSchema,
  created_at: Type.String(),
})
export const CreateLinkBody = Obj({ ticket_id: Uuid, kind: LinkKindSchema })
export const LinkParams = Obj({ id: Uuid, linked_id: Uuid })

export const SplitBody = Obj({ subject: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) })

export const TimeEntrySchema = Type.Object({
  id: Type.String(),
  user: Ref,
  minutes: Type.Integer(),
  note: Nullable(Type.String()),
  spent_on: Type.String({ format: 'date' }),
  created_at: Type.String(),
})
export type TimeEntryOut = Static<typeof TimeEntrySchema>

export const TimeSummarySchema = Type.Object({
  entries: Type.Array(TimeEntrySchema),
  total_minutes: Type.Integer({ description: 'All entries of the ticket, not only this page' }),
  per_user: Type.Array(Type.Object({ user: Ref, minutes: Type.Integer() })),
})

export const CreateTimeEntryBody = Obj({
  minutes: Type.Integer({ minimum: 1, maximum: 14_400 }),
  note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
  spent_on: Type.Optional(Type.String({ format: 'date', description: 'The day the time was spent (default: today)' })),
})
export const TimeEntryParams = Obj({ id: Uuid, entry_id: Uuid })
export const ListTimeQuery = Obj({ ...PageQuery })
