import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely'
import type { Tx } from '../../platform/db/schema.js'
import { selectMembers, type MemberRow } from './present.js'
import type { ListUsersQuery } from './schemas.js'

type MembersQuery = ReturnType<typeof selectMembers>
type MembersDB = MembersQuery extends SelectQueryBuilder<infer D, infer _T, infer _O> ? D : never
type MembersEb = ExpressionBuilder<MembersDB, 'm' | 'u' | 'r'>

/** `%`, `_` and `\` match themselves in a LIKE pattern. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

function filters(tenantId: string, f: ListUsersQuery) {
  return (eb: MembersEb) => {
    const all = [eb('m.tenant_id', '=', tenantId)]
    if (f.role !== undefined) all.push(eb('r.key', '=', f.role))
    if (f.is_active !== undefined) all.push(eb('m.is_active', '=', f.is_active))
    if (f.team_id !== undefined) {
      const teamId = f.team_id
      all.push(eb.exists(eb.selectFrom('team_members as tm').select('tm.user_id')
        .whereRef('tm.tenant_id', '=', 'm.tenant_id').whereRef('tm.user_id', '=', 'm.user_id').where('tm.team_id', '=', teamId)))
    }
    if (f.q !== undefined) {
      const pattern = likeContains(f.q.trim())
      all.push(eb.or([eb('u.name', 'ilike', pattern), eb('u.email', 'ilike', pattern)]))
    }
    return eb.and(all)
  }
}

/** One page of the organization's people and the total matching — two queries, whatever the page size. */
export async function listUsers(tx: Tx, tenantId: string, f: ListUsersQuery): Promise<{ rows: MemberRow[]; total: number; page: number; limit: number }> {
  const page = f.page ?? 1
  const limit = f.limit ?? 25
  const sort = f.sort ?? 'name'
  const desc = sort.startsWith('-')
  const key = desc ? sort.slice(1) : sort
  const direction = desc ? 'desc' : 'asc'
  let q = selectMembers(tx).where(filters(tenantId, f))
  q = key === 'created_at' ? q.orderBy('m.created_at', direction)
    : key === 'email' ? q.orderBy(sql`lower(u.email)`, direction)
    : q.orderBy(sql`lower(u.name)`, direction)
  const rows = await q.orderBy('u.id', direction).limit(limit).offset((page - 1) * limit).execute()
  const counted = await selectMembers(tx).clearSelect().where(filters(tenantId, f))
    .select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow()
  return { rows, total: Number(counted.total), page, limit }
}
