import type { AppContext } from '../../platform/context.js'
import { hashPassword } from '../../platform/auth/crypto.js'
import { withSystem, withTenant } from '../../platform/db/tenant.js'
import { uuidv7 } from '../../platform/ids.js'
import { findUserByEmail } from '../auth/login.js'
import { createOrganization } from '../organizations/create-organization.js'
import { seedDemoHelpdesk } from './seed-helpdesk.js'

export const DEMO_SLUG = 'acme'
export const DEMO_PASSWORD = 'demo-password'

export const DEMO_PEOPLE = [
  { email: 'admin@acme.example', name: 'Ada Admin', role: 'admin', teams: [] as string[] },
  { email: 'maya@acme.example', name: 'Maya Manager', role: 'manager', teams: ['Tier 1 Support', 'Billing'] },
  { email: 'alex@acme.example', name: 'Alex Agent', role: 'agent', teams: ['Tier 1 Support'] },
  { email: 'sam@acme.example', name: 'Sam Agent', role: 'agent', teams: ['Billing'] },
  { email: 'carla@customer.example', name: 'Carla Customer', role: 'customer', teams: [] },
] as const

const TEAMS = [
  { name: 'Tier 1 Support', description: 'First line: triage, how-to questions and account access' },
  { name: 'Billing', description: 'Invoices, refunds, plan changes' },
]

/**
 * Creates the "Acme Support" demo organization on first start (idempotent: skipped when the slug
 * exists). Returns the sign-in details to print, or null when it already existed.
 */
export async function seedDemo(ctx: AppContext): Promise<Array<{ email: string; role: string }> | null> {
  const hash = await hashPassword(DEMO_PASSWORD)
  const created = await withSystem(ctx.db, async (tx) => {
    const exists = await tx.selectFrom('organizations').select('id').where('slug', '=', DEMO_SLUG).executeTakeFirst()
    if (exists) return null
    const ids = new Map<string, string>()
    for (const p of DEMO_PEOPLE) {
      const existing = await findUserByEmail(tx, p.email)
      const id = existing?.id ?? uuidv7()
      if (!existing) await tx.insertInto('users').values({ id, email: p.email, name: p.name, password_hash: hash, password_changed_at: new Date() }).execute()
      ids.set(p.email, id)
    }
    const admin = DEMO_PEOPLE[0]
    const org = await createOrganization(tx, { name: 'Acme Support', slug: DEMO_SLUG, ownerUserId: ids.get(admin.email)!, timeZone: 'Europe/Berlin' })
    const roles = new Map((await tx.selectFrom('roles').select(['id', 'key']).where('tenant_id', '=', org.id).execute()).map((r) => [r.key, r.id]))
    const teamIds = new Map<string, string>()
    for (const t of TEAMS) {
      const id = uuidv7()
      teamIds.set(t.name, id)
      await tx.insertInto('teams').values({ tenant_id: org.id, id, name: t.name, description: t.description }).execute()
    }
    // A mailbox without IMAP: mail posted to /api/v1/email/inbound (or the SMTP listener) for
    // support@acme.example becomes Tier 1 tickets. Add IMAP settings to read a real mailbox.
    await tx.insertInto('email_accounts').values({
      tenant_id: org.id, id: uuidv7(), name: 'Acme Support', address: 'support@acme.example', default_team_id: teamIds.get('Tier 1 Support')!,
    }).onConflict((oc) => oc.column('address').doNothing()).execute()
    for (const p of DEMO_PEOPLE.slice(1)) {
      await tx.insertInto('memberships').values({ tenant_id: org.id, id: uuidv7(), user_id: ids.get(p.email)!, role_id: roles.get(p.role)! }).execute()
      for (const team of p.teams) {
        await tx.insertInto('team_members').values({ tenant_id: org.id, team_id: teamIds.get(team)!, user_id: ids.get(p.email)!, is_lead: p.role === 'manager' }).execute()
      }
    }
    return {
      tenantId: org.id,
      staff: {
        adminId: ids.get('admin@acme.example')!, managerId: ids.get('maya@acme.example')!,
        agents: { 'Tier 1 Support': ids.get('alex@acme.example')!, Billing: ids.get('sam@acme.example')! },
        customerUserId: ids.get('carla@customer.example')!, customerEmail: 'carla@customer.example', customerName: 'Carla Customer',
        teamIds: { 'Tier 1 Support': teamIds.get('Tier 1 Support')!, Billing: teamIds.get('Billing')! },
      },
    }
  })
  if (!created) return null
  await withTenant(ctx.db, { tenantId: created.tenantId, userId: created.staff.adminId }, (tx) => seedDemoHelpdesk(tx, created.tenantId, created.staff))
  return DEMO_PEOPLE.map((p) => ({ email: p.email, role: p.role }))
}
