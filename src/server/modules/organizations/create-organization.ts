import { BUILTIN_ROLES } from '../../../shared/permissions.js'
import type { Tx } from '../../platform/db/schema.js'
import { AppError } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { emit } from '../../platform/outbox.js'
import { seedHelpdeskDefaults } from '../tickets/defaults.js'

/** A URL-safe slug from a name: lowercase ASCII letters, digits and single dashes. */
export function slugify(name: string): string {
  const slug = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50).replace(/-+$/, '')
  return slug || 'org'
}

export interface NewOrganization {
  name: string
  slug?: string
  timeZone?: string
  ownerUserId: string
}

/**
 * Creates an organization with its built-in roles and makes `ownerUserId` its admin. Runs as the
 * schema owner (the organization does not exist yet, so there is no tenant to scope to).
 * A taken explicit slug is a 409; a derived slug gets a numeric suffix.
 */
export async function createOrganization(tx: Tx, input: NewOrganization): Promise<{ id: string; slug: string }> {
  const base = input.slug ?? slugify(input.name)
  let slug = base
  if (input.slug) {
    const taken = await tx.selectFrom('organizations').select('id').where('slug', '=', slug).executeTakeFirst()
    if (taken) throw new AppError('slug_taken', undefined, [{ field: 'slug', message: 'is already taken' }])
  } else {
    const similar = await tx.selectFrom('organizations').select('slug')
      .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)])).execute()
    const used = new Set(similar.map((r) => r.slug))
    for (let n = 2; used.has(slug); n++) slug = `${base.slice(0, 55)}-${n}`
  }
  const id = uuidv7()
  await tx.insertInto('organizations').values({
    id, name: input.name, slug, time_zone: input.timeZone ?? 'UTC',
    branding: JSON.stringify({ primary_color: '#2563eb' }), settings: JSON.stringify({ agent_ticket_scope: 'team' }),
  }).execute()
  const roleIds = new Map<string, string>()
  for (const role of BUILTIN_ROLES) {
    const roleId = uuidv7()
    roleIds.set(role.key, roleId)
    await tx.insertInto('roles').values({
      tenant_id: id, id: roleId, key: role.key, name: role.name, description: role.description,
      kind: role.kind, permissions: role.permissions, ticket_scope: role.ticket_scope, is_system: true,
    }).execute()
  }
  await tx.insertInto('memberships').values({ tenant_id: id, id: uuidv7(), user_id: input.ownerUserId, role_id: roleIds.get('admin')! }).execute()
  await seedHelpdeskDefaults(tx, id)
  await emit(tx, id, 'organization.created', { organization_id: id, owner_user_id: input.ownerUserId })
  return { id, slug }
}

export function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}
