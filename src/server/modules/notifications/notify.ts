import type { AppContext } from '../../platform/context.js'
import type { NotificationKind, Tx } from '../../platform/db/schema.js'
import { uuidv7 } from '../../platform/ids.js'
import { emit } from '../../platform/outbox.js'

interface NewNotification {
  kind: NotificationKind
  ticketId: string
  commentId?: string | null
  actorId: string | null
  recipients: readonly string[]
}

/**
 * Writes one notification per recipient (never to the person who caused it, and only to active
 * staff members — a customer or a deactivated member has no bell) and announces each with
 * `notification.created`, which the realtime module delivers to that person alone once committed.
 */
export async function notify(tx: Tx, tenantId: string, input: NewNotification): Promise<number> {
  const wanted = [...new Set(input.recipients)].filter((id) => id !== input.actorId)
  if (!wanted.length) return 0
  const staff = await tx.selectFrom('memberships as m')
    .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'm.tenant_id').onRef('r.id', '=', 'm.role_id'))
    .select('m.user_id')
    .where('m.tenant_id', '=', tenantId).where('m.user_id', 'in', wanted).where('m.is_active', '=', true).where('r.kind', '=', 'staff')
    .execute()
  for (const { user_id } of staff) {
    const id = uuidv7()
    await tx.insertInto('notifications').values({
      tenant_id: tenantId, id, user_id, kind: input.kind, ticket_id: input.ticketId, comment_id: input.commentId ?? null, actor_id: input.actorId,
    }).execute()
    await emit(tx, tenantId, 'notification.created', { notification_id: id, user_id, kind: input.kind, ticket_id: input.ticketId })
  }
  return staff.length
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

/** Mentions and assignments become notifications, in the outbox dispatcher's transaction (so exactly once per event). */
export function registerNotificationEvents(ctx: AppContext): void {
  ctx.outbox.on('comment.mentioned', async (event, tx) => {
    const p = event.payload
    const ticketId = str(p.ticket_id)
    if (!ticketId || !Array.isArray(p.user_ids)) return
    const comment = str(p.comment_id)
      ? await tx.selectFrom('comments').select(['author_user_id', 'deleted_at']).where('tenant_id', '=', event.tenant_id).where('id', '=', str(p.comment_id)!).executeTakeFirst()
      : undefined
    if (comment?.deleted_at) return
    await notify(tx, event.tenant_id, {
      kind: 'mention', ticketId, commentId: str(p.comment_id), actorId: comment?.author_user_id ?? str(p.actor_id),
      recipients: p.user_ids.filter((id): id is string => typeof id === 'string'),
    })
  })
  ctx.outbox.on('ticket.assigned', async (event, tx) => {
    const p = event.payload
    const ticketId = str(p.ticket_id)
    const assignee = str(p.assignee_id)
    if (!ticketId || !assignee || assignee === str(p.previous_assignee_id)) return
    await notify(tx, event.tenant_id, { kind: 'assignment', ticketId, actorId: str(p.actor_id), recipients: [assignee] })
  })
  ctx.outbox.on('ticket.created', async (event, tx) => {
    // A ticket created already assigned (by an agent, a rule or a mailbox default) tells its assignee too.
    const ticketId = str(event.payload.ticket_id)
    const assignee = str(event.payload.assignee_id)
    if (!ticketId || !assignee) return
    await notify(tx, event.tenant_id, { kind: 'assignment', ticketId, actorId: str(event.payload.actor_id), recipients: [assignee] })
  })
}
