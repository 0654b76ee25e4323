import type { AppContext } from '../../platform/context.js'
import type { Tx } from '../../platform/db/schema.js'
import { queueTicketMail } from './outbound.js'

/**
 * Public replies by staff go to the requester by email (the agent_reply template). Runs in the
 * outbox dispatcher's transaction, so the mail is queued exactly once per reply. Customer replies,
 * internal notes and replies from API keys without a person are not mailed; a staff reply that
 * itself came in by email goes to everyone but its author.
 */
async function mailStaffReply(ctx: AppContext, tx: Tx, tenantId: string, payload: Record<string, unknown>): Promise<void> {
  if (payload.is_internal) return
  // A reply that came in by email from a non-staff sender has no author user (see process-inbound.ts): nothing to read.
  if (payload.source === 'email' && !payload.actor_id) return
  const commentId = String(payload.comment_id)
  const ticketId = String(payload.ticket_id)
  const comment = await tx.selectFrom('comments as c')
    .leftJoin('users as u', 'u.id', 'c.author_user_id')
    .select(['c.id', 'c.is_internal', 'c.source', 'c.author_user_id', 'c.deleted_at', 'u.email as author_email'])
    .where('c.tenant_id', '=', tenantId).where('c.id', '=', commentId)
    .executeTakeFirst()
  if (!comment || comment.is_internal || comment.deleted_at || !comment.author_user_id) return
  const staff = await tx.selectFrom('memberships as m')
    .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'm.tenant_id').onRef('r.id', '=', 'm.role_id'))
    .select('r.kind').where('m.tenant_id', '=', tenantId).where('m.user_id', '=', comment.author_user_id).executeTakeFirst()
  if (staff?.kind !== 'staff') return
  const already = await tx.selectFrom('email_messages').select('id')
    .where('tenant_id', '=', tenantId).where('comment_id', '=', commentId).where('direction', '=', 'outbound').executeTakeFirst()
  if (already) return
  await queueTicketMail(ctx, tx, tenantId, {
    channel: 'reply', ticketId, commentId,
    exclude: comment.source === 'email' && comment.author_email ? [comment.author_email] : [],
  })
}

/** A ticket moved into a resolved status tells its requester (the ticket_resolved template). */
async function mailResolved(ctx: AppContext, tx: Tx, tenantId: string, payload: Record<string, unknown>): Promise<void> {
  const changes = payload.changes as Record<string, { old: unknown; new: unknown }> | undefined
  const status = changes?.status
  if (!status) return
  const category = (v: unknown) => (v && typeof v === 'object' ? (v as { category?: string }).category : undefined)
  if (category(status.new) !== 'resolved' || category(status.old) === 'resolved') return
  await queueTicketMail(ctx, tx, tenantId, { channel: 'resolved', ticketId: String(payload.ticket_id) })
}

/** Subscribes the email channel to the events that send mail. */
export function registerEmailEvents(ctx: AppContext, onQueued: () => void): void {
  ctx.outbox.on('comment.added', async (event, tx) => {
    await mailStaffReply(ctx, tx, event.tenant_id, event.payload)
    onQueued()
  })
  ctx.outbox.on('ticket.updated', async (event, tx) => {
    await mailResolved(ctx, tx, event.tenant_id, event.payload)
    onQueued()
  })
}
