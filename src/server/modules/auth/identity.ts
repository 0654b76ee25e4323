import type { AppContext } from '../../platform/context.js'
import { withTenant } from '../../platform/db/tenant.js'
import { presentOrganization, type OrganizationOut } from '../organizations/present.js'
import { presentUser, selectMembers, type UserOut } from '../users/present.js'

/** The signed-in user (as a member of the organization) and the organization. */
export async function loadIdentity(ctx: AppContext, userId: string, tenantId: string): Promise<{ user: UserOut; organization: OrganizationOut }> {
  return withTenant(ctx.db, { tenantId, userId }, async (tx) => {
    const member = await selectMembers(tx).where('m.user_id', '=', userId).executeTakeFirstOrThrow()
    const org = await tx.selectFrom('organizations').selectAll().where('id', '=', tenantId).executeTakeFirstOrThrow()
    return { user: presentUser(member), organization: presentOrganization(org) }
  })
}
