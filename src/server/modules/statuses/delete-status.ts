import { sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import { recordAudit } from '../../platform/audit.js'
import type { Tx } from '../../platform/db/schema.js'
import { conflict, invalid, notFound } from '../../platform/errors.js'
import { actorKind } from '../tickets/history.js'
import { statusStampColumns } from '../tickets/ticket-writes.js'
import { assertAnotherNew, lockStatusSettings } from './manage-statuses.js'
import { cacheChanged } from '../../platform/shared-cache.js'

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/**
 * Deletes a status. Tickets using it (deleted ones included, which still reference it) must be
 * moved first: with `replaceWith` they move to that status in one statement — their
 * resolved/closed timestamps following its category, one `status` history row each, the admin
 * as actor — and transitions that led to the deleted status lead to the replacement instead.
 * Without it, a status in use is a 409 naming the count, and so is a status that another one may
 * only move to (deleting it would leave that one unrestricted). The default status and the last
 * status of category `new` are never deleted (409).
 */
export async function deleteStatus(tx: Tx, actor: Actor, id: string, replaceWith: string | undefined, ip: string | null): Promise<{ id: string; tickets_moved: number; replaced_with: string | null }> {
  await lockStatusSettings(tx, actor)
  const status = await tx.selectFrom('ticket_statuses').select(['id', 'name', 'category', 'is_default']).where('id', '=', id).forUpdate().executeTakeFirst()
  if (!status) throw notFound('Status')
  if (status.is_default) throw conflict('The default status cannot be deleted; make another status the default first.', [{ field: 'id', message: 'is the default status' }])
  if (status.category === 'new') await assertAnotherNew(tx, id, 'id')

  let replacement: { id: string; name: string; category: typeof status.category } | undefined
  if (replaceWith !== undefined) {
    if (replaceWith === id) throw invalid('replace_with', 'must be another status than the one deleted')
    replacement = await tx.selectFrom('ticket_statuses').select(['id', 'name', 'category']).where('id', '=', replaceWith).where('is_active', '=', true).executeTakeFirst()
    if (!replacement) throw invalid('replace_with', 'is not an active status of this organization')
  }

  // The status row is locked (FOR UPDATE above): a ticket being created in or moved into it waits
  // for this transaction, so the count, the move and the delete see the same set of tickets.
  const count = await tx.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).where('status_id', '=', id).executeTakeFirstOrThrow()
  const inUse = Number(count.n)
  if (inUse && !replacement) {
    throw conflict(`${plural(inUse, 'ticket uses', 'tickets use')} this status; pass replace_with to move them to another status.`, [
      { field: 'replace_with', message: `is needed: ${plural(inUse, 'ticket', 'tickets')} to move`, code: 'in_use' },
    ])
  }

  {
    // A status whose only allowed next status is this one would, once the transition row cascades
    // away, have none left — which means "any": deleting must not widen a workflow silently. The
    // replacement takes the deleted status's place in other lists, but not in its own.
    const stranded = await sql<{ name: string }>`
      SELECT s.name FROM status_transitions st JOIN ticket_statuses s ON s.tenant_id = st.tenant_id AND s.id = st.from_status_id
      WHERE st.tenant_id = ${actor.tenantId} AND st.to_status_id = ${id} AND st.from_status_id <> ${id}
        AND (${replacement?.id ?? null}::uuid IS NULL OR st.from_status_id = ${replacement?.id ?? null}::uuid)
        AND NOT EXISTS (SELECT 1 FROM status_transitions o WHERE o.tenant_id = st.tenant_id AND o.from_status_id = st.from_status_id AND o.to_status_id <> ${id})
      ORDER BY s.position, s.name`.execute(tx)
    if (stranded.rows.length) {
      const names = stranded.rows.map((r) => `"${r.name}"`).join(', ')
      throw conflict(`${names} may only move to this status; change their transitions or pass replace_with first.`, [
        { field: 'replace_with', message: `is needed: ${names} would be left without an allowed next status`, code: 'transition_target' },
      ])
    }
  }

  let moved = 0
  if (replacement && inUse) {
    const sets = [sql`status_id = ${replacement.id}::uuid`, sql`updated_at = now()`, sql`last_activity_at = now()`]
    if (replacement.category !== status.category) {
      for (const [column, value] of Object.entries(statusStampColumns(replacement.category))) sets.push(sql`${sql.ref(column)} = ${value}`)
    }
    const from = JSON.stringify({ id: status.id, name: status.name, category: status.category })
    const to = JSON.stringify({ id: replacement.id, name: replacement.name, category: replacement.category })
    // One statement however many tickets move: the ids never leave the database.
    const result = await sql<{ n: string | number }>`WITH moved AS (
        UPDATE tickets SET ${sql.join(sets)} WHERE tenant_id = ${actor.tenantId} AND status_id = ${id} RETURNING tenant_id, id
      ), logged AS (
        INSERT INTO ticket_history (tenant_id, id, ticket_id, actor_id, actor_kind, field, old_value, new_value)
        SELECT tenant_id, gen_random_uuid(), id, ${actor.userId}::uuid, ${actorKind(actor)}, 'status', ${from}::jsonb, ${to}::jsonb FROM moved
        RETURNING 1
      ) SELECT count(*) AS n FROM logged`.execute(tx)
    moved = Number(result.rows[0]?.n ?? 0)
  }
  if (replacement) {
    await sql`INSERT INTO status_transitions (tenant_id, from_status_id, to_status_id)
      SELECT tenant_id, from_status_id, ${replacement.id}::uuid FROM status_transitions
      WHERE tenant_id = ${actor.tenantId} AND to_status_id = ${id} AND from_status_id <> ${replacement.id}
      ON CONFLICT DO NOTHING`.execute(tx)
  }
  cacheChanged('tenant-config')
  await tx.deleteFrom('ticket_statuses').where('id', '=', id).execute()
  await recordAudit(tx, actor, 'ticket_status.deleted', 'ticket_status', id, {
    name: status.name, category: status.category, replaced_with: replacement?.id ?? null, tickets_moved: moved,
  }, ip)
  return { id, tickets_moved: moved, replaced_with: replacement?.id ?? null }
}
