import type { Tx } from '../../platform/db/schema.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const MENTION_SPAN = /<span\b[^>]*\bdata-mention-id\s*=\s*"([^"]*)"/gi
const MENTION_EMAIL = /(?:^|[^\w.+-])@([a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})/gi

/** The people a body points at: `<span data-mention-id="…">` ids in the (sanitized) HTML and `@email` in its text. */
export function mentionCandidates(html: string, text: string): { ids: string[]; emails: string[] } {
  const ids = new Set<string>()
  for (const m of html.matchAll(MENTION_SPAN)) if (UUID.test(m[1]!)) ids.add(m[1]!.toLowerCase())
  const emails = new Set<string>()
  for (const m of text.matchAll(MENTION_EMAIL)) emails.add(m[1]!.toLowerCase())
  return { ids: [...ids], emails: [...emails] }
}

/**
 * The user ids among the candidates that are active staff members of the current organization —
 * anyone else (another organization's user, a customer, a deactivated member, a made-up id) is
 * dropped silently. One statement; at most 50 of each kind are looked up.
 */
export async function resolveMentions(tx: Tx, tenantId: string, candidates: { ids: string[]; emails: string[] }): Promise<string[]> {
  const ids = candidates.ids.slice(0, 50)
  const emails = candidates.emails.slice(0, 50)
  if (!ids.length && !emails.length) return []
  const rows = await tx.selectFrom('memberships as m')
    .innerJoin('roles as r', (j) => j.onRef('r.tenant_id', '=', 'm.tenant_id').onRef('r.id', '=', 'm.role_id'))
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select('u.id')
    .where('m.tenant_id', '=', tenantId).where('m.is_active', '=', true).where('r.kind', '=', 'staff')
    .where((eb) => eb.or([
      ...(ids.length ? [eb('m.user_id', 'in', ids)] : []),
      ...(emails.length ? [eb(eb.fn('lower', ['u.email']), 'in', emails)] : []),
    ]))
    .orderBy('u.id')
    .execute()
  return rows.map((r) => r.id)
}
