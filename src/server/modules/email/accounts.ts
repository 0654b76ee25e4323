import { sql, type Selectable } from 'kysely'
import type { Actor } from '../../platform/auth/actor.js'
import { decryptSecret, encryptSecret } from '../../platform/auth/crypto.js'
import type { EmailAccountsTable, Tx } from '../../platform/db/schema.js'
import { conflict, invalid, isUniqueViolation, notFound } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { recordAudit } from '../../platform/audit.js'
import { findCategory, findTeam } from '../tickets/references.js'
import type { AccountOut, CreateAccountInput, UpdateAccountInput } from './schemas.js'

export type AccountRow = Selectable<EmailAccountsTable>

/** Connection settings with the secrets decrypted, for the IMAP reader and the SMTP sender only. */
export interface AccountSecrets {
  imapPassword: string | null
  smtpPassword: string | null
  oauthToken: string | null
}

export function accountSecrets(key: Buffer, row: AccountRow): AccountSecrets {
  const open = (v: string | null) => (v ? decryptSecret(key, v) : null)
  return { imapPassword: open(row.imap_password), smtpPassword: open(row.smtp_password), oauthToken: open(row.oauth_token) }
}

export function presentAccount(row: AccountRow, backlog = 0): AccountOut {
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    imap: row.imap_host ? {
      host: row.imap_host, port: row.imap_port ?? (row.imap_tls ? 993 : 143), tls: row.imap_tls,
      username: row.imap_username ?? '', mailbox: row.imap_mailbox, has_password: row.imap_password !== null,
    } : null,
    smtp: row.smtp_host ? {
      host: row.smtp_host, port: row.smtp_port ?? defaultSmtpPort(row.smtp_security), security: row.smtp_security,
      username: row.smtp_username, has_password: row.smtp_password !== null,
    } : null,
    has_oauth_token: row.oauth_token !== null,
    default_team_id: row.default_team_id,
    default_priority: row.default_priority,
    default_category_id: row.default_category_id,
    auto_create: row.auto_create,
    is_active: row.is_active,
    status: row.status,
    last_sync_at: row.last_sync_at,
    last_error: row.last_error,
    last_error_at: row.last_error_at,
    backlog,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

export function defaultSmtpPort(security: string): number {
  return security === 'tls' ? 465 : security === 'starttls' ? 587 : 25
}

async function backlogs(tx: Tx, tenantId: string): Promise<Map<string, number>> {
  const rows = await tx.selectFrom('email_messages').select(['account_id', sql<number>`count(*)::int`.as('n')])
    .where('tenant_id', '=', tenantId).where('status', '=', 'received').groupBy('account_id').execute()
  return new Map(rows.filter((r) => r.account_id).map((r) => [r.account_id!, r.n]))
}

export async function listAccounts(tx: Tx, actor: Actor): Promise<AccountOut[]> {
  const rows = await tx.selectFrom('email_accounts').selectAll().where('tenant_id', '=', actor.tenantId).orderBy('created_at').execute()
  const counts = await backlogs(tx, actor.tenantId)
  return rows.map((r) => presentAccount(r, counts.get(r.id) ?? 0))
}

export async function loadAccount(tx: Tx, tenantId: string, id: string, opts: { forUpdate?: boolean } = {}): Promise<AccountRow> {
  let q = tx.selectFrom('email_accounts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id)
  if (opts.forUpdate) q = q.forUpdate()
  const row = await q.executeTakeFirst()
  if (!row) throw notFound('Email account')
  return row
}

export async function getAccount(tx: Tx, actor: Actor, id: string): Promise<AccountOut> {
  const row = await loadAccount(tx, actor.tenantId, id)
  return presentAccount(row, (await backlogs(tx, actor.tenantId)).get(id) ?? 0)
}

type Columns = Partial<Omit<AccountRow, 'tenant_id' | 'id' | 'created_at' | 'updated_at' | 'imap_uidvalidity' | 'imap_last_uid'>>

/** Columns from a create or update body; secrets encrypted, a section sent as null cleared, omitted fields untouched. */
async function columnsFrom(tx: Tx, key: Buffer, tenantId: string, input: UpdateAccountInput): Promise<Columns> {
  const seal = (v: string | null | undefined) => (v === undefined ? undefined : v === null ? null : encryptSecret(key, v))
  const c: Columns = {}
  if (input.name !== undefined) c.name = input.name.trim()
  if (input.address !== undefined) c.address = input.address.trim().toLowerCase()
  if (input.imap === null) Object.assign(c, { imap_host: null, imap_port: null, imap_username: null, imap_password: null })
  else if (input.imap) {
    // Within a section, fields left out are kept (a password, a port): an update sends what changes.
    Object.assign(c, { imap_host: input.imap.host, imap_username: input.imap.username })
    if (input.imap.port !== undefined) c.imap_port = input.imap.port
    if (input.imap.tls !== undefined) c.imap_tls = input.imap.tls
    if (input.imap.mailbox !== undefined) c.imap_mailbox = input.imap.mailbox
    const password = seal(input.imap.password)
    if (password !== undefined) c.imap_password = password
  }
  if (input.smtp === null) Object.assign(c, { smtp_host: null, smtp_port: null, smtp_username: null, smtp_password: null })
  else if (input.smtp) {
    c.smtp_host = input.smtp.host
    if (input.smtp.port !== undefined) c.smtp_port = input.smtp.port
    if (input.smtp.username !== undefined) c.smtp_username = input.smtp.username
    if (input.smtp.security !== undefined) c.smtp_security = input.smtp.security
    const password = seal(input.smtp.password)
    if (password !== undefined) c.smtp_password = password
  }
  const token = seal(input.oauth_token)
  if (token !== undefined) c.oauth_token = token
  if (input.default_team_id !== undefined) c.default_team_id = input.default_team_id && (await findTeam(tx, tenantId, input.default_team_id, 'default_team_id')).id
  if (input.default_category_id !== undefined) c.default_category_id = input.default_category_id && (await findCategory(tx, tenantId, input.default_category_id, 'default_category_id')).id
  if (input.default_priority !== undefined) c.default_priority = input.default_priority
  if (input.auto_create !== undefined) c.auto_create = input.auto_create
  if (input.is_active !== undefined) c.is_active = input.is_active
  return c
}

function addressTaken(error: unknown): never {
  if (isUniqueViolation(error, 'email_accounts_address')) {
    throw conflict('Another mailbox already receives mail for this address.', [{ field: 'address', message: 'is already in use' }])
  }
  throw error
}

/** Adds a mailbox. Its address may belong to one mailbox only, in any organization (409). */
export async function createAccount(tx: Tx, actor: Actor, key: Buffer, input: CreateAccountInput, ip?: string): Promise<AccountOut> {
  const columns = await columnsFrom(tx, key, actor.tenantId, input)
  if (input.imap && !input.imap.password && !input.oauth_token) throw invalid('imap.password', 'is required to read this mailbox (or give an oauth_token)')
  const id = uuidv7()
  const row = await tx.insertInto('email_accounts')
    .values({ tenant_id: actor.tenantId, id, name: input.name.trim(), address: input.address.trim().toLowerCase(), ...columns })
    .returningAll().executeTakeFirstOrThrow().catch(addressTaken)
  await recordAudit(tx, actor, 'email_account.created', 'email_account', id, { address: row.address }, ip ?? null)
  return presentAccount(row)
}

/** Changes a mailbox. A changed host or mailbox name starts reading it afresh (UIDs belong to one mailbox). */
export async function updateAccount(tx: Tx, actor: Actor, key: Buffer, id: string, input: UpdateAccountInput, ip?: string): Promise<AccountOut> {
  const before = await loadAccount(tx, actor.tenantId, id, { forUpdate: true })
  const columns = await columnsFrom(tx, key, actor.tenantId, input)
  const moved = (columns.imap_host !== undefined && columns.imap_host !== before.imap_host)
    || (columns.imap_mailbox !== undefined && columns.imap_mailbox !== before.imap_mailbox)
    || (columns.imap_username !== undefined && columns.imap_username !== before.imap_username)
  const row = await tx.updateTable('email_accounts')
    .set({ ...columns, ...(moved ? { imap_uidvalidity: null, imap_last_uid: 0, status: 'new' as const } : {}), updated_at: sql`now()` })
    .where('tenant_id', '=', actor.tenantId).where('id', '=', id)
    .returningAll().executeTakeFirstOrThrow().catch(addressTaken)
  await recordAudit(tx, actor, 'email_account.updated', 'email_account', id, { fields: Object.keys(input) }, ip ?? null)
  return presentAccount(row, (await backlogs(tx, actor.tenantId)).get(id) ?? 0)
}

/** Removes a mailbox. Its stored messages stay (with no mailbox) — they are the tickets' history. */
export async function deleteAccount(tx: Tx, actor: Actor, id: string, ip?: string): Promise<void> {
  const row = await loadAccount(tx, actor.tenantId, id, { forUpdate: true })
  await tx.deleteFrom('email_accounts').where('tenant_id', '=', actor.tenantId).where('id', '=', id).execute()
  await recordAudit(tx, actor, 'email_account.deleted', 'email_account', id, { address: row.address }, ip ?? null)
}
