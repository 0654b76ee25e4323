import type { Insertable } from 'kysely'
import type { ContactsTable, StatusCategory, Tx } from '../../platform/db/schema.js'
import { textToHtml } from '../../platform/html.js'
import { uuidv7 } from '../../platform/ids.js'
import { DEMO_COMPANIES, DEMO_THREADS, FIRST_NAMES, LAST_NAMES } from './demo-content.js'

/** A small seeded PRNG (mulberry32), so every fresh demo looks the same. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const HOUR = 3600_000
const DAY = 24 * HOUR

export interface DemoStaff {
  adminId: string
  managerId: string
  agents: Record<'Tier 1 Support' | 'Billing', string>
  customerUserId: string
  customerEmail: string
  customerName: string
  teamIds: Record<'Tier 1 Support' | 'Billing', string>
}

/**
 * Fills the demo organization's helpdesk: companies, contacts (one linked to the demo customer's
 * portal account), and `count` tickets spread over the last 60 days with replies, internal notes,
 * follow-ups, history and time entries, in realistic proportions of status and priority.
 * Runs in a tenant transaction, so row-level security checks every row it writes.
 */
export async function seedDemoHelpdesk(tx: Tx, tenantId: string, staff: DemoStaff, count = 320, now = Date.now()): Promise<number> {
  const rand = prng(20261122)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!
  const statuses = await tx.selectFrom('ticket_statuses').select(['id', 'name', 'category']).where('tenant_id', '=', tenantId).orderBy('position').execute()
  const statusRef = (c: StatusCategory) => statuses.find((s) => s.category === c)!
  const statusOf = (c: StatusCategory) => statusRef(c).id

  const companyIds: string[] = []
  for (const c of DEMO_COMPANIES) {
    const id = uuidv7()
    companyIds.push(id)
    await tx.insertInto('companies').values({ tenant_id: tenantId, id, name: c.name, domains: [c.domain], custom_fields: '{}' }).execute()
  }

  const contacts: Array<{ id: string; companyId: string | null }> = []
  const customerCompany = companyIds[DEMO_COMPANIES.findIndex((c) => c.domain === 'customer.example')]!
  const carla = uuidv7()
  contacts.push({ id: carla, companyId: customerCompany })
  const contactRows: Array<Insertable<ContactsTable>> = [{
    tenant_id: tenantId, id: carla, email: staff.customerEmail, name: staff.customerName, company_id: customerCompany,
    user_id: staff.customerUserId, phones: '[]', address: '{}', custom_fields: '{}', tags: ['portal'],
  }]
  const usedEmails = new Set([staff.customerEmail])
  for (let i = 0; i < 48; i++) {
    const first = pick(FIRST_NAMES)
    const last = pick(LAST_NAMES)
    const companyIndex = i < 40 ? i % (DEMO_COMPANIES.length - 1) : -1
    const domain = companyIndex >= 0 ? DEMO_COMPANIES[companyIndex]!.domain : 'mail.example'
    const email = `${first}.${last}${i}@${domain}`.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
    if (usedEmails.has(email)) continue
    usedEmails.add(email)
    const id = uuidv7()
    const companyId = companyIndex >= 0 ? companyIds[companyIndex]! : null
    contacts.push({ id, companyId })
    contactRows.push({
      tenant_id: tenantId, id, email, name: `${first} ${last}`, company_id: companyId, user_id: null,
      phones: JSON.stringify(rand() < 0.5 ? [{ type: 'work', number: `+1 555 01${String(10 + i).padStart(2, '0')}` }] : []),
      address: '{}', custom_fields: '{}', tags: rand() < 0.15 ? ['vip'] : [],
    })
  }
  await tx.insertInto('contacts').values(contactRows).execute()

  const tickets: Array<Record<string, unknown>> = []
  const comments: Array<Record<string, unknown>> = []
  const history: Array<Record<string, unknown>> = []
  const times: Array<Record<string, unknown>> = []
  const createdTimes = Array.from({ length: count }, () => now - Math.floor(rand() * 60 * DAY)).sort((a, b) => a - b)

  createdTimes.forEach((createdMs, index) => {
    const thread = pick(DEMO_THREADS)
    const requester = index % 45 === 7 ? contacts[0]! : pick(contacts.slice(1))
    const ageDays = (now - createdMs) / DAY
    const roll = rand()
    const category: StatusCategory = ageDays > 14
      ? (roll < 0.55 ? 'closed' : roll < 0.85 ? 'resolved' : roll < 0.93 ? 'pending' : 'open')
      : (roll < 0.25 ? 'new' : roll < 0.6 ? 'open' : roll < 0.78 ? 'pending' : roll < 0.85 ? 'on_hold' : 'resolved')
    const p = rand()
    const priority = p < 0.25 ? 'low' : p < 0.7 ? 'medium' : p < 0.92 ? 'high' : 'urgent'
    const unassigned = category === 'new' && rand() < 0.6
    const assigneeId = unassigned ? null : (rand() < 0.15 ? staff.managerId : staff.agents[thread.team])
    const id = uuidv7()
    const created = new Date(createdMs)
    const replied = category !== 'new'
    const firstResponse = replied ? new Date(createdMs + (0.5 + rand() * 8) * HOUR) : null
    const lastActivity = new Date(Math.min(now, createdMs + (replied ? 1 + rand() * 72 : 0.1) * HOUR))
    const resolvedAt = category === 'resolved' || category === 'closed' ? lastActivity : null
    tickets.push({
      tenant_id: tenantId, id, number: index + 1, subject: thread.subject,
      description_html: textToHtml(thread.body), description_text: thread.body,
      status_id: statusOf(category), priority, source: rand() < 0.6 ? 'email' : pick(['web_form', 'phone', 'chat', 'api'] as const),
      requester_id: requester.id, company_id: requester.companyId, assignee_id: assigneeId,
      team_id: unassigned ? null : staff.teamIds[thread.team], tags: thread.tags,
      due_at: category !== 'closed' && rand() < 0.4 ? new Date(createdMs + 3 * DAY) : null,
      custom_fields: '{}', first_response_at: firstResponse, resolved_at: resolvedAt,
      closed_at: category === 'closed' ? lastActivity : null, created_by: null,
      created_at: created, updated_at: lastActivity, last_activity_at: lastActivity,
    })
    history.push({ tenant_id: tenantId, id: uuidv7(), ticket_id: id, actor_id: null, actor_kind: 'contact', field: 'created', old_value: 'null', new_value: JSON.stringify({ subject: thread.subject }), created_at: created })
    if (!firstResponse || !assigneeId) return
    comments.push({ tenant_id: tenantId, id: uuidv7(), ticket_id: id, author_user_id: assigneeId, body_html: textToHtml(`Hi,\n\n${thread.reply}\n\nBest regards`), body_text: `Hi,\n\n${thread.reply}\n\nBest regards`, is_internal: false, source: 'web', created_at: firstResponse, updated_at: firstResponse })
    if (thread.note && rand() < 0.7) {
      const at = new Date(firstResponse.getTime() - 10 * 60_000)
      comments.push({ tenant_id: tenantId, id: uuidv7(), ticket_id: id, author_user_id: assigneeId, body_html: textToHtml(thread.note), body_text: thread.note, is_internal: true, source: 'web', created_at: at, updated_at: at })
    }
    if (thread.followUp && rand() < 0.6) {
      const at = new Date(Math.min(now, firstResponse.getTime() + (1 + rand() * 20) * HOUR))
      comments.push({ tenant_id: tenantId, id: uuidv7(), ticket_id: id, author_contact_id: requester.id, body_html: textToHtml(thread.followUp), body_text: thread.followUp, is_internal: false, source: 'email', created_at: at, updated_at: at })
    }
    if (category !== 'new') {
      history.push({ tenant_id: tenantId, id: uuidv7(), ticket_id: id, actor_id: assigneeId, actor_kind: 'user', field: 'status', old_value: JSON.stringify(statusRef('new')), new_value: JSON.stringify(statusRef(category)), created_at: lastActivity })
    }
    if (resolvedAt && rand() < 0.5) {
      times.push({ tenant_id: tenantId, id: uuidv7(), ticket_id: id, user_id: assigneeId, minutes: 5 + Math.floor(rand() * 55), note: 'Investigation and reply', spent_on: created.toISOString().slice(0, 10), created_at: lastActivity })
    }
  })

  const batch = async (table: 'tickets' | 'comments' | 'ticket_history' | 'time_entries', rows: Array<Record<string, unknown>>) => {
    for (let i = 0; i < rows.length; i += 200) {
      await tx.insertInto(table).values(rows.slice(i, i + 200) as never).execute()
    }
  }
  await batch('tickets', tickets)
  await batch('comments', comments)
  await batch('ticket_history', history)
  await batch('time_entries', times)
  await tx.updateTable('ticket_counters').set({ last_number: count }).where('tenant_id', '=', tenantId).execute()
  return count
}
