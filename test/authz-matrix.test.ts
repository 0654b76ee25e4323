import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../src/server/app.js'
import { BUILTIN_ROLES, type Permission } from '../src/shared/permissions.js'
import { addMember, call, createTestApp, registerOrg, uniqueEmail, type Session } from './helpers.js'

/**
 * The authorization matrix: every /api/v1 route × every role × another tenant's ids.
 * - no credentials → 401;
 * - a role without the route's permission (or an API key on a route for people, or a customer on
 *   a route for staff) → 403;
 * - a role with it, given another organization's ids → 404;
 * - a role with it, reading a list → 200 with nothing of the other organization in it.
 * The table below is the specification: a route missing from it, or declaring a different
 * permission than the table says, fails the test. New routes join here.
 */
interface Rule {
  permission: Permission[]
  /** For people only: API keys get 403. */
  user?: boolean
  /** For staff only: customer-kind roles get 403 even though they hold the permission. */
  staff?: boolean
  /** A schema-valid body, so the foreign-id call reaches the handler. */
  body?: Record<string, unknown>
  /** Calling it as an allowed actor would change shared state (log out, enrol 2FA…): only 401/403 are checked. */
  selfAffecting?: boolean
  /** A query string the route needs to reach its handler. */
  query?: string
}

const UUID = '00000000-0000-7000-8000-000000000000'

const ROUTES: Record<string, Rule> = {
  'POST /api/v1/auth/logout': { permission: [], user: true, selfAffecting: true },
  'GET /api/v1/auth/me': { permission: [], user: true },
  'PATCH /api/v1/auth/me': { permission: [], user: true, selfAffecting: true },
  'POST /api/v1/auth/change-password': { permission: [], user: true, selfAffecting: true },
  'POST /api/v1/auth/switch': { permission: [], user: true, body: { organization_id: UUID } },
  'GET /api/v1/auth/sessions': { permission: [], user: true },
  'DELETE /api/v1/auth/sessions/:id': { permission: [], user: true },
  'POST /api/v1/auth/2fa/setup': { permission: [], user: true, selfAffecting: true },
  'POST /api/v1/auth/2fa/enable': { permission: [], user: true, selfAffecting: true },
  'POST /api/v1/auth/2fa/disable': { permission: [], user: true, selfAffecting: true },
  'GET /api/v1/organization': { permission: ['organization:read'] },
  'PATCH /api/v1/organization': { permission: ['organization:manage'], selfAffecting: true },
  'PUT /api/v1/organization/logo': { permission: ['organization:manage'], selfAffecting: true },
  'DELETE /api/v1/organization/logo': { permission: ['organization:manage'], selfAffecting: true },
  'POST /api/v1/organizations': { permission: [], user: true, selfAffecting: true },
  'GET /api/v1/teams': { permission: ['teams:read'] },
  'POST /api/v1/teams': { permission: ['teams:manage'], selfAffecting: true },
  'GET /api/v1/teams/:id': { permission: ['teams:read'] },
  'PATCH /api/v1/teams/:id': { permission: ['teams:manage'], body: { description: 'x' } },
  'DELETE /api/v1/teams/:id': { permission: ['teams:manage'] },
  'GET /api/v1/teams/:id/members': { permission: ['teams:read'] },
  'POST /api/v1/teams/:id/members': { permission: ['teams:manage'], body: { user_id: UUID } },
  'DELETE /api/v1/teams/:id/members/:user_id': { permission: ['teams:manage'] },
  'GET /api/v1/permissions': { permission: ['users:read'] },
  'GET /api/v1/roles': { permission: ['users:read'] },
  'GET /api/v1/roles/:id': { permission: ['users:read'] },
  'POST /api/v1/roles': { permission: ['roles:manage'], selfAffecting: true },
  'PATCH /api/v1/roles/:id': { permission: ['roles:manage'], body: { description: 'x' } },
  'DELETE /api/v1/roles/:id': { permission: ['roles:manage'] },
  'GET /api/v1/api-keys': { permission: ['api_keys:manage'] },
  'POST /api/v1/api-keys': { permission: ['api_keys:manage'], selfAffecting: true },
  'DELETE /api/v1/api-keys/:id': { permission: ['api_keys:manage'] },
  'GET /api/v1/audit-events': { permission: ['audit:read'] },
  'GET /api/v1/users': { permission: ['users:read'] },
  'POST /api/v1/users': { permission: ['users:manage'], selfAffecting: true },
  'GET /api/v1/users/:id': { permission: ['users:read'] },
  'PATCH /api/v1/users/:id': { permission: ['users:manage'], body: { title: 'x' } },
  'DELETE /api/v1/users/:id': { permission: ['users:manage'] },
  'GET /api/v1/invitations': { permission: ['invitations:manage'] },
  'POST /api/v1/invitations': { permission: ['invitations:manage'], selfAffecting: true },
  'DELETE /api/v1/invitations/:id': { permission: ['invitations:manage'] },
  'POST /api/v1/invitations/:id/resend': { permission: ['invitations:manage'] },

  // Helpdesk settings
  'GET /api/v1/ticket-statuses': { permission: ['tickets:read'] },
  'POST /api/v1/ticket-statuses': { permission: ['settings:manage'], selfAffecting: true },
  'POST /api/v1/ticket-statuses/reorder': { permission: ['settings:manage'], selfAffecting: true },
  'PATCH /api/v1/ticket-statuses/:id': { permission: ['settings:manage'], body: { color: '#111111' } },
  'DELETE /api/v1/ticket-statuses/:id': { permission: ['settings:manage'] },
  'PUT /api/v1/ticket-statuses/:id/transitions': { permission: ['settings:manage'], body: { to: [] } },
  'GET /api/v1/ticket-categories': { permission: ['tickets:read'] },
  'POST /api/v1/ticket-categories': { permission: ['settings:manage'], selfAffecting: true },
  'PATCH /api/v1/ticket-categories/:id': { permission: ['settings:manage'], body: { position: 1 } },
  'DELETE /api/v1/ticket-categories/:id': { permission: ['settings:manage'] },
  'GET /api/v1/custom-fields': { permission: ['tickets:read'] },
  'POST /api/v1/custom-fields': { permission: ['settings:manage'], selfAffecting: true },
  'PATCH /api/v1/custom-fields/:id': { permission: ['settings:manage'], body: { label: 'x' } },
  'DELETE /api/v1/custom-fields/:id': { permission: ['settings:manage'] },

  // Tickets
  'POST /api/v1/tickets': { permission: ['tickets:create'], selfAffecting: true },
  'GET /api/v1/tickets': { permission: ['tickets:read'] },
  'GET /api/v1/tickets/search': { permission: ['tickets:read'], query: '?q=printer' },
  'GET /api/v1/tickets/stats': { permission: ['tickets:read'] },
  'POST /api/v1/tickets/bulk': { permission: ['tickets:update'], selfAffecting: true },
  'GET /api/v1/tickets/:id': { permission: ['tickets:read'] },
  'PATCH /api/v1/tickets/:id': { permission: ['tickets:update'], body: { priority: 'low' } },
  'DELETE /api/v1/tickets/:id': { permission: ['tickets:delete'] },
  'POST /api/v1/tickets/:id/restore': { permission: ['tickets:delete'] },
  'POST /api/v1/tickets/:id/assign': { permission: ['tickets:assign'], body: { assignee_id: null } },
  'POST /api/v1/tickets/:id/take': { permission: ['tickets:assign'], user: true },
  'POST /api/v1/tickets/:id/close': { permission: ['tickets:read'] },
  'POST /api/v1/tickets/:id/spam': { permission: ['tickets:update'], body: { is_spam: true } },
  'GET /api/v1/tickets/:id/history': { permission: ['tickets:read'] },
  'GET /api/v1/views': { permission: ['tickets:read'] },
  'POST /api/v1/views': { permission: ['tickets:read'], selfAffecting: true },
  'GET /api/v1/views/:id': { permission: ['tickets:read'] },
  'PATCH /api/v1/views/:id': { permission: ['tickets:read'], body: { name: 'x' } },
  'DELETE /api/v1/views/:id': { permission: ['tickets:read'] },
  'GET /api/v1/views/:id/tickets': { permission: ['tickets:read'] },

  // Conversation
  'GET /api/v1/tickets/:id/comments': { permission: ['tickets:read'] },
  'POST /api/v1/tickets/:id/comments': { permission: ['comments:create'], body: { body: 'x' } },
  'PATCH /api/v1/tickets/:id/comments/:comment_id': { permission: ['comments:create'], body: { body: 'x' } },
  'GET /api/v1/tickets/:id/comments/:comment_id/revisions': { permission: ['tickets:read'] },
  'POST /api/v1/tickets/:id/comments/:comment_id/split': { permission: ['tickets:create', 'tickets:update'], body: {} },
  'POST /api/v1/tickets/:id/attachments': { permission: ['comments:create'] },
  'GET /api/v1/attachments/:id': { permission: ['tickets:read'] },
  'DELETE /api/v1/attachments/:id': { permission: ['comments:create'] },
  'POST /api/v1/tickets/:id/merge': { permission: ['tickets:update'], body: { source_ids: [UUID] } },
  'GET /api/v1/tickets/:id/links': { permission: ['tickets:read'] },
  'POST /api/v1/tickets/:id/links': { permission: ['tickets:update'], body: { ticket_id: UUID, kind: 'related' } },
  'DELETE /api/v1/tickets/:id/links/:linked_id': { permission: ['tickets:update'] },
  'GET /api/v1/tickets/:id/time-entries': { permission: ['tickets:read'] },
  'POST /api/v1/tickets/:id/time-entries': { permission: ['tickets:update'], user: true, body: { minutes: 5 } },
  'DELETE /api/v1/tickets/:id/time-entries/:entry_id': { permission: ['tickets:update'] },

  // Contacts and companies
  'GET /api/v1/contacts': { permission: ['contacts:read'] },
  'POST /api/v1/contacts': { permission: ['contacts:manage'], selfAffecting: true },
  'GET /api/v1/contacts/duplicates': { permission: ['contacts:read'] },
  'GET /api/v1/contacts/export': { permission: ['contacts:read'] },
  'POST /api/v1/contacts/import': { permission: ['contacts:manage'], selfAffecting: true },
  'GET /api/v1/contacts/:id': { permission: ['contacts:read'] },
  'PATCH /api/v1/contacts/:id': { permission: ['contacts:manage'], body: { name: 'x' } },
  'DELETE /api/v1/contacts/:id': { permission: ['contacts:manage'] },
  'GET /api/v1/contacts/:id/tickets': { permission: ['contacts:read', 'tickets:read'] },
  'POST /api/v1/contacts/:id/portal-access': { permission: ['users:manage'] },
  'GET /api/v1/contacts/:id/merge-preview': { permission: ['contacts:read'], query: `?source_ids=${UUID}` },
  'POST /api/v1/contacts/:id/merge': { permission: ['contacts:manage'], body: { source_ids: [UUID], strategy: 'keep_primary' } },
  'GET /api/v1/contacts/:id/notes': { permission: ['contacts:read'] },
  'POST /api/v1/contacts/:id/notes': { permission: ['contacts:manage'], body: { body: 'x' } },
  'PATCH /api/v1/contacts/:id/notes/:note_id': { permission: ['contacts:manage'], body: { body: 'x' } },
  'DELETE /api/v1/contacts/:id/notes/:note_id': { permission: ['contacts:manage'] },
  'GET /api/v1/companies': { permission: ['contacts:read'] },
  'POST /api/v1/companies': { permission: ['contacts:manage'], selfAffecting: true },
  'GET /api/v1/companies/export': { permission: ['contacts:read'] },
  'POST /api/v1/companies/import': { permission: ['contacts:manage'], selfAffecting: true },
  'GET /api/v1/companies/:id': { permission: ['contacts:read'] },
  'PATCH /api/v1/companies/:id': { permission: ['contacts:manage'], body: { name: 'x' } },
  'DELETE /api/v1/companies/:id': { permission: ['contacts:manage'] },
  'GET /api/v1/companies/:id/contacts': { permission: ['contacts:read'] },
  'GET /api/v1/companies/:id/tickets': { permission: ['contacts:read', 'tickets:read'] },
  'POST /api/v1/companies/:id/merge': { permission: ['contacts:manage'], body: { source_ids: [UUID] } },
  'GET /api/v1/companies/:id/notes': { permission: ['contacts:read'] },
  'POST /api/v1/companies/:id/notes': { permission: ['contacts:manage'], body: { body: 'x' } },
  'PATCH /api/v1/companies/:id/notes/:note_id': { permission: ['contacts:manage'], body: { body: 'x' } },
  'DELETE /api/v1/companies/:id/notes/:note_id': { permission: ['contacts:manage'] },

  // Email channel
  'GET /api/v1/email/accounts': { permission: ['channels:manage'] },
  'POST /api/v1/email/accounts': { permission: ['channels:manage'], selfAffecting: true },
  'GET /api/v1/email/accounts/:id': { permission: ['channels:manage'] },
  'PATCH /api/v1/email/accounts/:id': { permission: ['channels:manage'], body: { name: 'x' } },
  'DELETE /api/v1/email/accounts/:id': { permission: ['channels:manage'] },
  'POST /api/v1/email/accounts/:id/test': { permission: ['channels:manage'] },
  'POST /api/v1/email/accounts/:id/sync': { permission: ['channels:manage'] },
  'POST /api/v1/email/inbound': { permission: ['channels:manage'], selfAffecting: true },
  'GET /api/v1/email/messages': { permission: ['channels:manage'] },
  'GET /api/v1/email/messages/:id': { permission: ['channels:manage'] },
  'GET /api/v1/email/messages/:id/raw': { permission: ['channels:manage'] },
  'GET /api/v1/email/unrouted': { permission: ['channels:manage'] },
  'POST /api/v1/email/unrouted/:id/assign': { permission: ['channels:manage', 'comments:create'], body: { ticket_id: UUID } },
  'POST /api/v1/email/unrouted/:id/retry': { permission: ['channels:manage'], body: {} },
  'POST /api/v1/email/unrouted/:id/discard': { permission: ['channels:manage'] },
  'GET /api/v1/email/templates': { permission: ['channels:manage'] },
  'PUT /api/v1/email/templates/:key': { permission: ['channels:manage'], selfAffecting: true },
  'DELETE /api/v1/email/templates/:key': { permission: ['channels:manage'], selfAffecting: true },
  'GET /api/v1/tickets/:id/emails': { permission: ['tickets:read', 'comments:internal'] },

  // Realtime (a WebSocket upgrade; its audience rule is tested in realtime.test.ts)
  'GET /api/v1/realtime': { permission: [], user: true, selfAffecting: true },

  // Background jobs
  'GET /api/v1/jobs': { permission: ['settings:manage'] },
  'GET /api/v1/jobs/dead': { permission: ['settings:manage'] },
  'POST /api/v1/jobs/dead/:id/retry': { permission: ['settings:manage'] },

  // Notifications: each person's own (read-all only touches the caller's rows)
  'GET /api/v1/notifications': { permission: [], user: true },
  'GET /api/v1/notifications/unread-count': { permission: [], user: true },
  'POST /api/v1/notifications/:id/read': { permission: [], user: true },
  'POST /api/v1/notifications/read-all': { permission: [], user: true, selfAffecting: true },

  // The staff dashboard's recent activity (customers have tickets:read but get 403)
  'GET /api/v1/activity': { permission: ['tickets:read'], staff: true },
}

/** Routes anyone may call. Anything else must be in ROUTES. */
const PUBLIC = new Set([
  'POST /api/v1/auth/register', 'POST /api/v1/auth/login', 'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/forgot-password', 'POST /api/v1/auth/reset-password',
  'GET /api/v1/public/organizations/:slug', 'GET /api/v1/public/organizations/:slug/logo',
  'GET /api/v1/portal/:slug', 'POST /api/v1/portal/:slug/signup', 'POST /api/v1/portal/verify',
  'GET /api/v1/invitations/lookup', 'POST /api/v1/invitations/accept',
])

interface Actor { name: string; token: string; permissions: Set<string>; isKey: boolean; isCustomer: boolean }

let app: App
const actors: Actor[] = []
/** Ids of organization B's things, by path parameter. */
const foreign: Record<string, string> = {}
let foreignIds: string[] = []

function permissionsOf(role: string): Set<string> {
  return new Set(BUILTIN_ROLES.find((r) => r.key === role)!.permissions)
}

async function create(s: Session, url: string, body: Record<string, unknown>): Promise<any> {
  const res = await call(app, 'POST', url, { token: s.token, body })
  if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return res.json.data
}

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 100_000 })
  const a = await registerOrg(app, 'Org A')
  actors.push({ name: 'admin', token: a.token, permissions: permissionsOf('admin'), isKey: false, isCustomer: false })
  for (const role of ['manager', 'agent', 'viewer', 'customer']) {
    const s = await addMember(app, a, role)
    actors.push({ name: role, token: s.token, permissions: permissionsOf(role), isKey: false, isCustomer: role === 'customer' })
  }
  const key = await create(a, '/api/v1/api-keys', { name: 'matrix', role: 'agent' })
  actors.push({ name: 'api key (agent)', token: key.key, permissions: permissionsOf('agent'), isKey: true, isCustomer: false })

  // Organization B and one of everything in it.
  const b = await registerOrg(app, 'Org B')
  const member = await addMember(app, b, 'agent')
  const team = await create(b, '/api/v1/teams', { name: 'B team' })
  const role = await create(b, '/api/v1/roles', { name: 'B role', kind: 'staff', permissions: ['tickets:read'], ticket_scope: 'own' })
  const invitation = await create(b, '/api/v1/invitations', { email: uniqueEmail('invitee'), role: 'agent' })
  const bKey = await create(b, '/api/v1/api-keys', { name: 'B key', role: 'agent' })
  const sessions = (await call(app, 'GET', '/api/v1/auth/sessions', { token: b.token })).json.data as Array<{ id: string }>
  const ticket = await create(b, '/api/v1/tickets', { subject: 'B printer is on fire', description_text: 'printer printer', requester: { email: uniqueEmail('requester'), name: 'Req B' } })
  const other = await create(b, '/api/v1/tickets', { subject: 'B second ticket', requester: { email: uniqueEmail('requester2') } })
  await create(b, `/api/v1/tickets/${ticket.id}/links`, { ticket_id: other.id, kind: 'related' })
  const comment = await create(b, `/api/v1/tickets/${ticket.id}/comments`, { body: 'printer note', is_internal: true })
  const entry = await create(b, `/api/v1/tickets/${ticket.id}/time-entries`, { minutes: 5 })
  const boundary = 'matrixboundary'
  const upload = await app.inject({
    method: 'POST', url: `/api/v1/tickets/${ticket.id}/attachments`,
    headers: { authorization: `Bearer ${b.token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.txt"\r\nContent-Type: text/plain\r\n\r\nprinter\r\n--${boundary}--\r\n`,
  })
  if (upload.statusCode !== 201) throw new Error(`upload: ${upload.statusCode} ${upload.body}`)
  const attachment = (upload.json().data as Array<{ id: string }>)[0]!
  const status = await create(b, '/api/v1/ticket-statuses', { name: 'B waiting', category: 'pending' })
  const category = await create(b, '/api/v1/ticket-categories', { name: 'B hardware' })
  const field = await create(b, '/api/v1/custom-fields', { entity: 'ticket', label: 'B plan', type: 'text' })
  const contact = await create(b, '/api/v1/contacts', { name: 'B contact', email: uniqueEmail('bcontact') })
  const contactNote = await create(b, `/api/v1/contacts/${contact.id}/notes`, { body: 'B note' })
  const company = await create(b, '/api/v1/companies', { name: 'B company' })
  const companyNote = await create(b, `/api/v1/companies/${company.id}/notes`, { body: 'B company note' })
  const view = await create(b, '/api/v1/views', { name: 'B view', filters: {} })
  const mailbox = await create(b, '/api/v1/email/accounts', { name: 'B support', address: uniqueEmail('bsupport') })
  const lost = await app.inject({
    method: 'POST', url: '/api/v1/email/inbound', headers: { authorization: `Bearer ${b.token}`, 'content-type': 'message/rfc822' },
    payload: `From: someone@example.test\r\nTo: nobody@example.test\r\nSubject: B printer\r\nMessage-ID: <${uniqueEmail('m')}>\r\n\r\nprinter\r\n`,
  })
  if (lost.statusCode !== 200) throw new Error(`inbound: ${lost.statusCode} ${lost.body}`)
  const unrouted = (lost.json().data as { id: string }).id
  Object.assign(foreign, {
    users: member.userId, teams: team.id, roles: role.id, invitations: invitation.id, 'api-keys': bKey.id, sessions: sessions[0]!.id,
    user_id: member.userId, tickets: ticket.id, comment_id: comment.id, linked_id: other.id, entry_id: entry.id, attachments: attachment.id,
    'ticket-statuses': status.id, 'ticket-categories': category.id, 'custom-fields': field.id, contacts: contact.id, companies: company.id,
    views: view.id, contact_note_id: contactNote.id, company_note_id: companyNote.id,
    accounts: mailbox.id, messages: unrouted, unrouted,
  })
  foreignIds = [b.tenantId, b.userId, member.userId, team.id, role.id, invitation.id, bKey.id, sessions[0]!.id, ticket.id, other.id, comment.id,
    entry.id, attachment.id, status.id, category.id, field.id, contact.id, contactNote.id, company.id, companyNote.id, view.id, mailbox.id, unrouted]
}, 180_000)
afterAll(async () => { await app.close() })

/** The route's path with B's ids in it: `:id` takes the id of the collection it follows. */
function foreignPath(url: string): string {
  const notes = url.startsWith('/api/v1/companies/') ? 'company_note_id' : 'contact_note_id'
  return url.replace(/\/([a-z-]+)\/:id/g, (_m, collection: string) => `/${collection}/${foreign[collection] ?? UUID}`)
    .replace(/:note_id/g, foreign[notes]!)
    .replace(/:([a-z_]+)/g, (_m, name: string) => foreign[name] ?? UUID)
}

describe('authorization matrix', () => {
  it('covers every route: each is public on purpose or listed with the permission it declares', () => {
    const registered = app.ctx.routes.filter((r) => r.url.startsWith('/api/v1/'))
    for (const r of registered) {
      const key = `${r.method} ${r.url}`
      if (r.public) {
        expect(PUBLIC.has(key), `${key} is public but not in the PUBLIC list`).toBe(true)
        continue
      }
      const rule = ROUTES[key]
      expect(rule, `${key} must be added to the authorization matrix`).toBeDefined()
      expect([...r.permission].sort(), `${key} declared permission`).toEqual([...rule!.permission].sort())
      expect(r.user, `${key} declared for people only`).toBe(rule!.user === true)
    }
    const keys = new Set(registered.map((r) => `${r.method} ${r.url}`))
    for (const key of [...Object.keys(ROUTES), ...PUBLIC]) expect(keys.has(key), `${key} is listed but not registered`).toBe(true)
  })

  for (const [key, rule] of Object.entries(ROUTES)) {
    const [method, url] = key.split(' ') as [string, string]
    it(`${key}`, async () => {
      const path = foreignPath(url) + (rule.query ?? '')
      const anonymous = await call(app, method as 'GET', path, rule.body ? { body: rule.body } : {})
      expect(anonymous.statusCode, `${key} without a token`).toBe(401)

      for (const actor of actors) {
        const allowed = rule.permission.every((p) => actor.permissions.has(p)) && !(rule.user && actor.isKey) && !(rule.staff && actor.isCustomer)
        // Self-affecting routes (log out, enrol 2FA, edit the organization…) are not called by allowed
        // actors here: their module tests cover what they do. Only their refusals are checked.
        if (allowed && rule.selfAffecting) continue
        const res = await call(app, method as 'GET', path, { token: actor.token, ...(rule.body ? { body: rule.body } : {}) })
        const who = `${key} as ${actor.name}`
        if (!allowed) {
          expect(res.statusCode, `${who} (lacks permission)`).toBe(403)
          expect(res.json.error).toMatchObject({ code: 'forbidden' })
          continue
        }
        if (url.includes(':')) {
          expect(res.statusCode, `${who} with another organization's ids: ${res.body}`).toBe(404)
        } else if (rule.body && url === '/api/v1/auth/switch') {
          expect(res.statusCode, who).toBe(404)
        } else {
          expect(res.statusCode, `${who}: ${res.body}`).toBe(200)
          for (const id of foreignIds) expect(res.body, `${who} leaked another organization's id`).not.toContain(id)
        }
      }
    })
  }
})
