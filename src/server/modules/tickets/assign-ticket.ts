import type { Actor } from '../../platform/auth/actor.js'
import type { Tx } from '../../platform/db/schema.js'
import { conflict, forbidden } from '../../platform/errors.js'
import type { HistoryEntry } from './history.js'
import { loadVisibleTicket, type TicketRow } from './present.js'
import { findAssignee, findTeam } from './references.js'
import { saveTicketChanges, type TicketSet } from './ticket-writes.js'

export interface AssignTicketInput {
  /** The agent to assign; null unassigns; absent leaves it. */
  assignee_id?: string | null | undefined
  /** The team to assign; null clears it; absent leaves it. */
  team_id?: string | null | undefined
}

const ref = (id: string | null, name: string | null) => (id ? { id, name } : null)

async function assign(tx: Tx, actor: Actor, current: TicketRow, input: AssignTicketInput): Promise<TicketRow> {
  const set: TicketSet = {}
  const entries: HistoryEntry[] = []
  let assigneeId = current.assignee_id
  let teamId = current.team_id
  if (input.assignee_id !== undefined && input.assignee_id !== current.assignee_id) {
    const assignee = input.assignee_id === null ? null : await findAssignee(tx, actor.tenantId, input.assignee_id)
    assigneeId = assignee?.id ?? null
    set.assignee_id = assigneeId
    entries.push({ field: 'assignee', old_value: ref(current.assignee_id, current.assignee_name), new_value: assignee })
  }
  if (input.team_id !== undefined && input.team_id !== current.team_id) {
    const team = input.team_id === null ? null : await findTeam(tx, actor.tenantId, input.team_id)
    teamId = team?.id ?? null
    set.team_id = teamId
    entries.push({ field: 'team', old_value: ref(current.team_id, current.team_name), new_value: team })
  }
  return saveTicketChanges(tx, actor, current.id, set, entries, 'ticket.assigned', {
    assignee_id: assigneeId, team_id: teamId, previous_assignee_id: current.assignee_id, previous_team_id: current.team_id,
  })
}

/**
 * Assigns, reassigns or unassigns a ticket to an agent and/or a team. The agent must be an active
 * staff member and the team one of the organization's (400 naming the field otherwise). Emits
 * `ticket.assigned` when something changed.
 */
export async function assignTicket(tx: Tx, actor: Actor, id: string, input: AssignTicketInput): Promise<TicketRow> {
  const current = await loadVisibleTicket(tx, actor, id, { forUpdate: true })
  return assign(tx, actor, current, input)
}

/**
 * Self-assignment ("take it"): from the unassigned queue, or — with `force` — away from whoever
 * holds it (409 without). Taking one's own ticket changes nothing. The team stays as it is.
 */
export async function takeTicket(tx: Tx, actor: Actor, id: string, opts: { force?: boolean } = {}): Promise<TicketRow> {
  if (!actor.userId) throw forbidden('Only a person can take a ticket.')
  const current = await loadVisibleTicket(tx, actor, id, { forUpdate: true })
  if (current.assignee_id === actor.userId) return current
  if (current.assignee_id && !opts.force) {
    throw conflict(`${current.assignee_name ?? 'Someone else'} is already working on this ticket; take it over with ?force=1.`, [
      { field: 'assignee_id', message: 'the ticket is assigned to someone else', code: 'already_assigned' },
    ])
  }
  return assign(tx, actor, current, { assignee_id: actor.userId })
}
