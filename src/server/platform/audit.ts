import type { Actor } from './auth/actor.js'
import type { Tx } from './db/schema.js'
import { uuidv7 } from './ids.js'

/** Appends to the organization's audit log in the caller's transaction. */
export async function recordAudit(
  tx: Tx, actor: Actor, action: string, subjectType: string, subjectId: string | null, data: Record<string, unknown> = {}, ip: string | null = null,
): Promise<void> {
  await tx.insertInto('audit_events').values({
    tenant_id: actor.tenantId, id: uuidv7(), actor_id: actor.userId, action, subject_type: subjectType, subject_id: subjectId,
    data: JSON.stringify(actor.apiKeyId ? { ...data, api_key_id: actor.apiKeyId } : data), ip,
  }).execute()
}
