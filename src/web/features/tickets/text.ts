import type { TFunction } from 'i18next'
import { createElement, Fragment, type ReactNode } from 'react'
import { isPriority, isStatusCategory as isCategory, type StatusCategory, type StatusRef } from './api'
import { DEFAULT_VIEW_NAMES, defaultViewKind, type SavedView } from './shared'

/** Words for what the ticket API answers with codes or built-in English names. */

export function priorityLabel(priority: string, t: TFunction): string {
  return isPriority(priority) ? t(`tickets.priority.${priority}`) : priority
}

export function categoryLabel(category: string, t: TFunction): string {
  return isCategory(category) ? t(`tickets.statusCategory.${category}`) : category
}

/** The built-in status names, by category, as a new organization gets them. */
const DEFAULT_STATUS_NAMES: Record<StatusCategory, string> = {
  new: 'New',
  open: 'Open',
  pending: 'Pending',
  on_hold: 'On hold',
  resolved: 'Resolved',
  closed: 'Closed',
  cancelled: 'Cancelled',
}

/** A status's name: translated while it is the built-in one, else as the organization named it. */
export function statusLabel(status: Pick<StatusRef, 'name' | 'category'>, t: TFunction): string {
  return isCategory(status.category) && DEFAULT_STATUS_NAMES[status.category] === status.name
    ? t(`tickets.statusCategory.${status.category}`)
    : status.name
}

export function viewLabel(view: SavedView, t: TFunction): string {
  const kind = defaultViewKind(view)
  return kind && DEFAULT_VIEW_NAMES[kind] === view.name ? t(`tickets.views.default.${kind}`) : view.name
}

export function formatBytes(bytes: number, language: string): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return new Intl.NumberFormat(language, {
    style: 'unit',
    unit: units[unit],
    // "23 bytes", "1.2 kB": the short form of "byte" is not an abbreviation in every language.
    unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value)
}

/** "Ada", "Ada and Sam", "Ada, Sam and Lee" in the UI language. */
export function formatNames(names: string[], language: string): string {
  try {
    return new Intl.ListFormat(language, { style: 'long', type: 'conjunction' }).format(names)
  } catch {
    return names.join(', ')
  }
}

/**
 * Search highlights are escaped HTML with the matches in <mark>. Rather than inject HTML, read it
 * with the (inert) DOMParser and keep only text and <mark>.
 */
export function highlighted(html: string): ReactNode {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html')
  const parts: ReactNode[] = []
  doc.body.childNodes.forEach((node, index) => {
    if (node.nodeName === 'MARK') parts.push(createElement('mark', { key: index }, node.textContent))
    else parts.push(node.textContent)
  })
  return createElement(Fragment, null, ...parts)
}

/** One value of a history entry in words: names of referenced things, lists, dates, or "none". */
export function historyValue(value: unknown, t: TFunction, field: string, language: string): string {
  if (value === null || value === undefined || value === '') return t('tickets.history.none')
  if (Array.isArray(value)) return value.length ? value.map((v) => historyValue(v, t, field, language)).join(', ') : t('tickets.history.none')
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>
    if (field === 'status' && typeof record.name === 'string' && typeof record.category === 'string') {
      return statusLabel({ name: record.name, category: record.category }, t)
    }
    if (typeof record.name === 'string') return record.name
    if (typeof record.subject === 'string') return record.subject
    return JSON.stringify(value)
  }
  if (field === 'priority' && typeof value === 'string') return priorityLabel(value, t)
  if (field === 'due_at' && typeof value === 'string') {
    const date = new Date(value)
    if (!Number.isNaN(date.getTime())) return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(date)
  }
  return String(value)
}

const HISTORY_FIELDS = [
  'status',
  'priority',
  'assignee',
  'team',
  'tags',
  'subject',
  'description',
  'category',
  'due_at',
  'requester',
  'company',
] as const
type HistoryField = (typeof HISTORY_FIELDS)[number]
const HISTORY_EVENTS = ['created', 'merged', 'split', 'linked', 'deleted', 'restored'] as const
type HistoryEvent = (typeof HISTORY_EVENTS)[number]

export function historyFieldLabel(field: string, t: TFunction): string {
  if ((HISTORY_FIELDS as readonly string[]).includes(field)) return t(`tickets.history.fields.${field as HistoryField}`)
  if (field.startsWith('custom_fields.')) return field.slice('custom_fields.'.length)
  return field
}

export function historyEventLabel(field: string, t: TFunction): string | null {
  return (HISTORY_EVENTS as readonly string[]).includes(field) ? t(`tickets.history.events.${field as HistoryEvent}`) : null
}
