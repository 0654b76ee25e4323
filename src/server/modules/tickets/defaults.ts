import type { StatusCategory, Tx } from '../../platform/db/schema.js'
import { uuidv7 } from '../../platform/ids.js'
import { cacheChanged } from '../../platform/shared-cache.js'

export const OPEN_CATEGORIES: StatusCategory[] = ['new', 'open', 'pending', 'on_hold']

export const DEFAULT_STATUSES: Array<{ name: string; category: StatusCategory; color: string; is_default?: boolean }> = [
  { name: 'New', category: 'new', color: '#3b82f6', is_default: true },
  { name: 'Open', category: 'open', color: '#f59e0b' },
  { name: 'Pending', category: 'pending', color: '#8b5cf6' },
  { name: 'On hold', category: 'on_hold', color: '#64748b' },
  { name: 'Resolved', category: 'resolved', color: '#10b981' },
  { name: 'Closed', category: 'closed', color: '#374151' },
  { name: 'Cancelled', category: 'cancelled', color: '#9ca3af' },
]

export const DEFAULT_VIEWS = [
  { name: 'My open', filters: { assignee: 'me', status_category: OPEN_CATEGORIES }, sort: '-updated_at' },
  { name: 'Unassigned', filters: { assignee: 'none', status_category: OPEN_CATEGORIES }, sort: '-created_at' },
  { name: 'Overdue', filters: { overdue: true }, sort: 'due_at' },
  { name: 'All open', filters: { status_category: OPEN_CATEGORIES }, sort: '-updated_at' },
]

/** What a new organization's helpdesk starts with: statuses, the ticket counter, shared views. */
export async function seedHelpdeskDefaults(tx: Tx, tenantId: string): Promise<void> {
  await tx.insertInto('ticket_counters').values({ tenant_id: tenantId }).execute()
  cacheChanged('tenant-config')
  await tx.insertInto('ticket_statuses').values(DEFAULT_STATUSES.map((s, position) => ({
    tenant_id: tenantId, id: uuidv7(), name: s.name, category: s.category, color: s.color, position, is_default: s.is_default ?? false,
  }))).execute()
  await tx.insertInto('saved_views').values(DEFAULT_VIEWS.map((v, position) => ({
    tenant_id: tenantId, id: uuidv7(), name: v.name, owner_id: null, filters: JSON.stringify(v.filters), sort: v.sort, position, is_default: true,
  }))).execute()
}
