import { Type, type Static } from 'typebox'
import { Obj } from '../../platform/http.js'

const Ref = Type.Object({ id: Type.String(), name: Type.String() })

const TicketRef = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  ticket_number: Type.String({ description: 'As people say it, e.g. TKT-000123' }),
  subject: Type.String(),
})

/** What every item has: what it is, on which ticket, who did it and when. */
const common = {
  id: Type.String({ description: 'The history entry’s or the comment’s id' }),
  ticket: TicketRef,
  actor: Type.Union([Ref, Type.Null()], { description: 'Who did it: a person, or the contact for a customer’s reply; null for Aidly itself and API keys' }),
  at: Type.String(),
}

export const HistoryItemSchema = Type.Object({
  kind: Type.Literal('history'),
  ...common,
  field: Type.String({ description: 'As in GET /tickets/{id}/history: a ticket field (status, priority, assignee, team…) or an event (created, merged, split, linked, deleted…)' }),
  old_value: Type.Unknown({ description: 'null for the description (too large for a feed)' }),
  new_value: Type.Unknown({ description: 'null for the description (too large for a feed)' }),
})

export const CommentItemSchema = Type.Object({
  kind: Type.Literal('comment'),
  ...common,
  comment: Type.Object({
    id: Type.String(),
    is_internal: Type.Boolean({ description: 'An internal note (only listed for those who may read them)' }),
    excerpt: Type.String({ description: 'The start of the text, on one line (at most 160 characters)' }),
  }),
})

export const ActivityItemSchema = Type.Union([HistoryItemSchema, CommentItemSchema])
export type ActivityItemOut = Static<typeof ActivityItemSchema>

export const ActivityQuery = Obj({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
})
