import type { TFunction } from 'i18next'
import type { ActivityItem } from './shared'
import { historyFieldLabel, historyValue } from './text'

/**
 * Where the ticket goes in an activity sentence. The sentence is translated whole (word order is
 * the language's), with this mark standing for the ticket; the page puts the ticket's link there.
 * A private-use character: it cannot come from a translation, and names never carry it.
 */
export const TICKET_MARK = '\uE002'

type HistoryItem = Extract<ActivityItem, { kind: 'history' }>

const record = (value: unknown): Record<string, unknown> | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null
const empty = (value: unknown) => value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)

/** The number of the other ticket a merge, split or link names (`{ ticket_number }`, maybe under `into`/`from`), else "another ticket". */
function otherTicket(value: unknown, t: TFunction, key?: 'into' | 'from'): string {
  const outer = record(value)
  const inner = key ? record(outer?.[key]) : outer
  return typeof inner?.ticket_number === 'string' ? inner.ticket_number : t('activity.anotherTicket')
}

function historySentence(item: HistoryItem, actor: string, t: TFunction, language: string): string {
  const ticket = TICKET_MARK
  const to = () => historyValue(item.new_value, t, item.field, language)
  const changed = record(item.new_value)
  switch (item.field) {
    case 'created':
      return t('activity.opened', { actor, ticket })
    case 'assignee':
      return empty(item.new_value) ? t('activity.unassigned', { actor, ticket }) : t('activity.assigned', { actor, ticket, to: to() })
    case 'team':
      return empty(item.new_value) ? t('activity.teamCleared', { actor, ticket }) : t('activity.teamSet', { actor, ticket, to: to() })
    case 'description':
      return t('activity.editedDescription', { actor, ticket })
    case 'merged':
      return changed && 'into' in changed
        ? t('activity.mergedInto', { actor, ticket, other: otherTicket(changed, t, 'into') })
        : t('activity.merged', { actor, ticket, other: otherTicket(changed, t, 'from') })
    case 'split':
      return changed && 'from' in changed
        ? t('activity.splitFrom', { actor, ticket, other: otherTicket(changed, t, 'from') })
        : t('activity.split', { actor, ticket })
    case 'linked':
      return empty(item.new_value)
        ? t('activity.unlinked', { actor, ticket, other: otherTicket(item.old_value, t) })
        : t('activity.linked', { actor, ticket, other: otherTicket(item.new_value, t) })
    case 'restored':
      return t('activity.restored', { actor, ticket })
    case 'is_spam':
      return item.new_value === true ? t('activity.spam', { actor, ticket }) : t('activity.notSpam', { actor, ticket })
    case 'attachment_removed':
      return t('activity.fileRemoved', { actor, ticket })
    case 'email_failed':
      return t('activity.emailFailed', { ticket })
    case 'email_bounced':
      return t('activity.emailBounced', { ticket })
  }
  const field = historyFieldLabel(item.field, t)
  if (field === item.field && !item.field.startsWith('custom_fields.')) return t('activity.updated', { actor, ticket })
  if (empty(item.new_value)) return t('activity.cleared', { actor, field, ticket })
  return t('activity.changed', { actor, field, to: to(), ticket })
}

/**
 * One item of the recent activity as a sentence in the UI language, with TICKET_MARK where the
 * ticket goes: "Cora Customer replied on ⟨ticket⟩", "Andy Agent changed the status to Pending on
 * ⟨ticket⟩", "… added an internal note on ⟨ticket⟩".
 */
export function activitySentence(item: ActivityItem, t: TFunction, language: string): string {
  const actor = item.actor?.name ?? t('activity.someone')
  if (item.kind === 'comment') {
    return item.comment.is_internal ? t('activity.noted', { actor, ticket: TICKET_MARK }) : t('activity.replied', { actor, ticket: TICKET_MARK })
  }
  return historySentence(item, actor, t, language)
}
