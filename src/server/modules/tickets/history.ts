import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { uuidv7 } from '../../platform/ids.js'

export interface HistoryEntry {
  /** What changed: a ticket column (`status`, `priority`, `custom_fields.plan`) or an event (`created`, `merged`, `split`, `linked`, `deleted`). */
  field: string
  old_value: unknown
  new_value: unknown
}

/** How the history names who acted: an API key, Aidly itself, or a person (staff or customer). */
export function actorKind(actor: Actor): 'user' | 'api_key' | 'system' {
  return actor.kind === 'user' ? 'user' : actor.kind
}

/**
 * Appends entries to a ticket's history in the caller's transaction, one row each, stamped with
 * the actor. Values are stored as JSON (`undefined` as null). Other modules (merge, split, links)
 * record their events through here so the timeline has one shape.
 */
export async function recordHistory(tx: Tx, actor: Actor, ticketId: string, entries: Array<{ field: string; old_value: unknown; new_value: unknown }>): Promise<void> {
  if (!entries.length) return
  await tx.insertInto('ticket_history').values(entries.map((e) => ({
    tenant_id: actor.tenantId,
    id: uuidv7(),
    ticket_id: ticketId,
    actor_id: actor.userId,
    actor_kind: actorKind(actor),
    field: e.field,
    old_value: JSON.stringify(e.old_value ?? null),
    new_value: JSON.stringify(e.new_value ?? null),
  }))).execute()
}
