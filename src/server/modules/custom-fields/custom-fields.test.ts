import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { withTenant } from '../../platform/db/tenant.js'
import { uuidv7 } from '../../platform/ids.js'
import { addMember, call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { validateCustomFields } from './validate.js'

let app: App
let admin: Session
let manager: Session
let agent: Session
let viewer: Session
let customer: Session
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  manager = await addMember(app, admin, 'manager')
  agent = await addMember(app, admin, 'agent')
  viewer = await addMember(app, admin, 'viewer')
  customer = await addMember(app, admin, 'customer')
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

const data = (res: { json: Record<string, unknown> }): any => res.json.data
const OPTIONS = [{ value: 'free', label: 'Free' }, { value: 'pro', label: 'Pro' }]

async function define(s: Session, body: Record<string, unknown>): Promise<any> {
  const res = await call(app, 'POST', '/api/v1/custom-fields', { token: s.token, body })
  expect(res.statusCode, res.body).toBe(201)
  return data(res)
}

async function list(s: Session, query = ''): Promise<any[]> {
  const res = await call(app, 'GET', `/api/v1/custom-fields${query}`, { token: s.token })
  expect(res.statusCode, res.body).toBe(200)
  return data(res)
}

function inTenant<T>(s: Session, fn: Parameters<typeof withTenant<T>>[2]): Promise<T> {
  return withTenant(app.ctx.db, { tenantId: s.tenantId, userId: s.userId }, fn)
}

let ticketNumber = 1
async function insertTicket(s: Session, customFields: Record<string, unknown>): Promise<string> {
  return inTenant(s, async (tx) => {
    const status = await tx.selectFrom('ticket_statuses').select('id').where('is_default', '=', true).executeTakeFirstOrThrow()
    const id = uuidv7()
    await tx.insertInto('tickets').values({ tenant_id: s.tenantId, id, number: ticketNumber++, subject: 'S', status_id: status.id, custom_fields: JSON.stringify(customFields) }).execute()
    return id
  })
}

async function insertContact(s: Session, customFields: Record<string, unknown>): Promise<string> {
  const id = uuidv7()
  await inTenant(s, (tx) => tx.insertInto('contacts').values({ tenant_id: s.tenantId, id, name: 'C', custom_fields: JSON.stringify(customFields) }).execute())
  return id
}

const ticketFields = (s: Session, id: string) => inTenant(s, (tx) => tx.selectFrom('tickets').select('custom_fields').where('id', '=', id).executeTakeFirstOrThrow()).then((r) => r.custom_fields)

describe('custom field definitions', () => {
  it('defines fields of every type, deriving the key from the label', async () => {
    const org = await registerOrg(app)
    const plan = await define(org, { entity: 'ticket', label: 'Plan (tier)', type: 'select', options: OPTIONS, is_required: true })
    expect(plan).toMatchObject({ entity: 'ticket', key: 'plan_tier', label: 'Plan (tier)', type: 'select', options: OPTIONS, is_required: true, is_internal: false, is_active: true, position: 0 })
    const types = ['text', 'number', 'email', 'url', 'date', 'boolean']
    for (const type of types) expect(await define(org, { entity: 'ticket', label: `Field ${type}`, type })).toMatchObject({ key: `field_${type}`, type, options: [] })
    expect(await define(org, { entity: 'ticket', label: '2nd line', type: 'text' })).toMatchObject({ key: 'field_2nd_line' })
    expect(await define(org, { entity: 'ticket', label: 'Ünïcode Café', type: 'text' })).toMatchObject({ key: 'unicode_cafe' })
    const multi = await define(org, { entity: 'company', key: 'modules', label: 'Modules', type: 'multiselect', options: OPTIONS, is_internal: true })
    expect(multi).toMatchObject({ entity: 'company', key: 'modules', is_internal: true, position: 0 })
    const noKey = await call(app, 'POST', '/api/v1/custom-fields', { token: org.token, body: { entity: 'ticket', label: '日本語', type: 'text' } })
    expect(noKey.statusCode).toBe(400)
    expect(noKey.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'key' })] })

    const tickets = await list(org, '?entity=ticket')
    expect(tickets.map((f) => f.key)).toEqual(['plan_tier', ...types.map((t) => `field_${t}`), 'field_2nd_line', 'unicode_cafe'])
  })

  it('keeps keys unique per entity (deactivated fields included) but not across entities', async () => {
    const org = await registerOrg(app)
    const first = await define(org, { entity: 'ticket', label: 'Region', type: 'text' })
    const dup = await call(app, 'POST', '/api/v1/custom-fields', { token: org.token, body: { entity: 'ticket', label: 'Region', type: 'number' } })
    expect(dup.statusCode).toBe(409)
    expect(dup.json.error).toMatchObject({ code: 'conflict', details: [expect.objectContaining({ field: 'key' })] })
    await define(org, { entity: 'contact', label: 'Region', type: 'text' })
    await call(app, 'DELETE', `/api/v1/custom-fields/${first.id}`, { token: org.token })
    expect((await call(app, 'POST', '/api/v1/custom-fields', { token: org.token, body: { entity: 'ticket', key: 'region', label: 'R', type: 'text' } })).statusCode).toBe(409)
    // purging frees the key
    await call(app, 'DELETE', `/api/v1/custom-fields/${first.id}?purge=1`, { token: org.token })
    await define(org, { entity: 'ticket', key: 'region', label: 'R', type: 'text' })
    await define(stranger, { entity: 'ticket', label: 'Region', type: 'text' })
  })

  it('validates definitions, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ entity: 'ticket', label: 'X', type: 'select' }, 'options'],
      [{ entity: 'ticket', label: 'X', type: 'multiselect', options: [] }, 'options'],
      [{ entity: 'ticket', label: 'X', type: 'select', options: [{ value: 'a', label: 'A' }, { value: 'a', label: 'B' }] }, 'options.1.value'],
      [{ entity: 'ticket', label: 'X', type: 'select', options: [{ value: ' ', label: 'A' }] }, 'options.0.value'],
      [{ entity: 'ticket', label: 'X', type: 'text', options: OPTIONS }, 'options'],
      [{ entity: 'ticket', label: 'X', type: 'color' }, 'type'],
      [{ entity: 'deal', label: 'X', type: 'text' }, 'entity'],
      [{ entity: 'ticket', key: 'Bad Key', label: 'X', type: 'text' }, 'key'],
      [{ entity: 'ticket', label: '  ', type: 'text' }, 'label'],
      [{ entity: 'ticket', label: 'X', type: 'text', options: [{ value: 'a' }] }, 'options.0.label'],
    ]
    for (const [body, field] of cases) {
      const res = await call(app, 'POST', '/api/v1/custom-fields', { token: admin.token, body })
      expect(res.statusCode, JSON.stringify(body)).toBe(400)
      expect(res.json.error, JSON.stringify(body)).toMatchObject({ details: expect.arrayContaining([expect.objectContaining({ field })]) })
    }
  })

  it('lists by entity for those who may read it; customers get active, non-internal ticket fields only', async () => {
    const org = await registerOrg(app)
    const orgAgent = await addMember(app, org, 'agent')
    const orgCustomer = await addMember(app, org, 'customer')
    const visible = await define(org, { entity: 'ticket', key: 'product', label: 'Product', type: 'select', options: OPTIONS, is_required: true })
    await define(org, { entity: 'ticket', key: 'mrr', label: 'MRR', type: 'number', is_internal: true })
    const retired = await define(org, { entity: 'ticket', key: 'retired', label: 'Retired', type: 'text' })
    await call(app, 'DELETE', `/api/v1/custom-fields/${retired.id}`, { token: org.token })
    await define(org, { entity: 'contact', key: 'tier', label: 'Tier', type: 'text' })
    await define(org, { entity: 'company', key: 'size', label: 'Size', type: 'number' })

    expect((await list(orgAgent)).map((f) => `${f.entity}.${f.key}`)).toEqual(['company.size', 'contact.tier', 'ticket.product', 'ticket.mrr', 'ticket.retired'])
    expect((await list(orgAgent, '?entity=ticket&active=1')).map((f) => f.key)).toEqual(['product', 'mrr'])
    expect((await list(orgAgent, '?entity=ticket&active=false')).map((f) => f.key)).toEqual(['retired'])
    expect((await list(orgAgent, '?entity=contact')).map((f) => f.key)).toEqual(['tier'])

    const portal = await list(orgCustomer)
    expect(portal).toEqual([{ id: visible.id, entity: 'ticket', key: 'product', label: 'Product', type: 'select', options: OPTIONS, is_required: true, position: 0 }])
    expect(await list(orgCustomer, '?entity=ticket&active=0')).toEqual(portal)
    const contacts = await call(app, 'GET', '/api/v1/custom-fields?entity=contact', { token: orgCustomer.token })
    expect(contacts.statusCode).toBe(403)
    expect((await call(app, 'GET', '/api/v1/custom-fields?entity=deal', { token: orgAgent.token })).statusCode).toBe(400)
  })

  it('edits label, options, flags and position; entity, key and type are fixed', async () => {
    const field = await define(manager, { entity: 'ticket', key: `plan_${Date.now()}`, label: 'Plan', type: 'select', options: OPTIONS })
    const res = await call(app, 'PATCH', `/api/v1/custom-fields/${field.id}`, { token: manager.token, body: {
      label: 'Subscription', options: [...OPTIONS, { value: 'team', label: 'Team' }], is_required: true, is_internal: true, position: 7,
      key: field.key, entity: 'ticket', type: 'select',
    } })
    expect(res.statusCode, res.body).toBe(200)
    expect(data(res)).toMatchObject({ label: 'Subscription', is_required: true, is_internal: true, position: 7, options: [...OPTIONS, { value: 'team', label: 'Team' }] })
    const fixed = await call(app, 'PATCH', `/api/v1/custom-fields/${field.id}`, { token: manager.token, body: { key: 'other', type: 'text', entity: 'contact' } })
    expect(fixed.statusCode).toBe(400)
    expect((fixed.json.error as any).details.map((d: any) => d.field)).toEqual(['entity', 'key', 'type'])
    for (const [body, f] of [[{ options: [] }, 'options'], [{ label: ' ' }, 'label'], [{ options: [{ value: 'x', label: 'X' }, { value: 'x', label: 'Y' }] }, 'options.1.value']] as const) {
      const r = await call(app, 'PATCH', `/api/v1/custom-fields/${field.id}`, { token: manager.token, body })
      expect(r.statusCode, JSON.stringify(body)).toBe(400)
      expect(r.json.error).toMatchObject({ details: [expect.objectContaining({ field: f })] })
    }
    const text = await define(manager, { entity: 'contact', key: `t_${Date.now()}`, label: 'T', type: 'text' })
    expect((await call(app, 'PATCH', `/api/v1/custom-fields/${text.id}`, { token: manager.token, body: { options: OPTIONS } })).statusCode).toBe(400)
  })

  it('removing an option in use keeps the stored values; new writes must use a current option', async () => {
    const org = await registerOrg(app)
    const field = await define(org, { entity: 'ticket', key: 'plan', label: 'Plan', type: 'select', options: [...OPTIONS, { value: 'legacy', label: 'Legacy' }] })
    const multi = await define(org, { entity: 'ticket', key: 'addons', label: 'Add-ons', type: 'multiselect', options: [{ value: 'sso', label: 'SSO' }, { value: 'fax', label: 'Fax' }] })
    const ticket = await insertTicket(org, { plan: 'legacy', addons: ['sso', 'fax'] })
    await insertTicket(org, { plan: 'pro' })
    expect((await call(app, 'PATCH', `/api/v1/custom-fields/${field.id}`, { token: org.token, body: { options: OPTIONS } })).statusCode).toBe(200)
    expect((await call(app, 'PATCH', `/api/v1/custom-fields/${multi.id}`, { token: org.token, body: { options: [{ value: 'sso', label: 'SSO' }] } })).statusCode).toBe(200)
    expect(await ticketFields(org, ticket)).toEqual({ plan: 'legacy', addons: ['sso', 'fax'] })
    await inTenant(org, async (tx) => {
      const audits = await tx.selectFrom('audit_events').select('data').where('action', '=', 'custom_field.updated').orderBy('created_at').orderBy('id').execute()
      expect(audits.map((a) => a.data)).toEqual([
        expect.objectContaining({ key: 'plan', removed_options: ['legacy'], records_with_removed_options: 1 }),
        expect.objectContaining({ key: 'addons', removed_options: ['fax'], records_with_removed_options: 1 }),
      ])
      const existing = { plan: 'legacy', addons: ['sso', 'fax'] }
      await expect(validateCustomFields(tx, 'ticket', { plan: 'legacy', addons: ['sso', 'fax'] }, { existing, partial: true })).resolves.toEqual(existing)
      await expect(validateCustomFields(tx, 'ticket', { addons: ['fax'] }, { existing, partial: true })).rejects.toMatchObject({ details: [expect.objectContaining({ field: 'custom_fields.addons' })] })
    })
  })
})

describe('retiring a custom field', () => {
  it('deactivates by default: values stay, the field is no longer accepted, reactivation brings it back', async () => {
    const org = await registerOrg(app)
    const field = await define(org, { entity: 'ticket', key: 'region', label: 'Region', type: 'text' })
    const ticket = await insertTicket(org, { region: 'EU' })
    const res = await call(app, 'DELETE', `/api/v1/custom-fields/${field.id}`, { token: org.token })
    expect(res.statusCode, res.body).toBe(200)
    expect(data(res)).toEqual({ id: field.id, purged: false, records_cleared: 0 })
    expect(await ticketFields(org, ticket)).toEqual({ region: 'EU' })
    expect((await list(org, '?entity=ticket')).find((f) => f.id === field.id)).toMatchObject({ is_active: false })
    await inTenant(org, (tx) => expect(validateCustomFields(tx, 'ticket', { region: 'US' }, {})).rejects.toMatchObject({ status: 400 }))
    const back = await call(app, 'PATCH', `/api/v1/custom-fields/${field.id}`, { token: org.token, body: { is_active: true } })
    expect(data(back)).toMatchObject({ is_active: true })
    await inTenant(org, (tx) => expect(validateCustomFields(tx, 'ticket', { region: 'US' }, {})).resolves.toEqual({ region: 'US' }))
  })

  it('?purge=1 removes the key from every record of that entity only, and deletes the definition', async () => {
    const org = await registerOrg(app)
    const field = await define(org, { entity: 'ticket', key: 'region', label: 'Region', type: 'text' })
    await define(org, { entity: 'contact', key: 'region', label: 'Region', type: 'text' })
    const a = await insertTicket(org, { region: 'EU', other: 1 })
    const b = await insertTicket(org, { region: 'US' })
    const c = await insertTicket(org, { other: 2 })
    const contact = await insertContact(org, { region: 'EU' })
    const theirs = await insertTicket(stranger, { region: 'EU' })
    const res = await call(app, 'DELETE', `/api/v1/custom-fields/${field.id}?purge=1`, { token: org.token })
    expect(res.statusCode, res.body).toBe(200)
    expect(data(res)).toEqual({ id: field.id, purged: true, records_cleared: 2 })
    expect(await ticketFields(org, a)).toEqual({ other: 1 })
    expect(await ticketFields(org, b)).toEqual({})
    expect(await ticketFields(org, c)).toEqual({ other: 2 })
    expect(await ticketFields(stranger, theirs)).toEqual({ region: 'EU' })
    const contactRow = await inTenant(org, (tx) => tx.selectFrom('contacts').select('custom_fields').where('id', '=', contact).executeTakeFirstOrThrow())
    expect(contactRow.custom_fields).toEqual({ region: 'EU' })
    expect((await list(org, '?entity=ticket')).some((f) => f.id === field.id)).toBe(false)
    expect((await call(app, 'DELETE', `/api/v1/custom-fields/${field.id}`, { token: org.token })).statusCode).toBe(404)
    await inTenant(org, async (tx) => {
      const audits = await tx.selectFrom('audit_events').select(['action', 'data']).where('subject_id', '=', field.id).orderBy('created_at').orderBy('id').execute()
      expect(audits).toEqual([
        { action: 'custom_field.created', data: expect.objectContaining({ key: 'region' }) },
        { action: 'custom_field.purged', data: expect.objectContaining({ records_cleared: 2 }) },
      ])
    })
  })
})

describe('custom field authorization', () => {
  it('answers 401 without a token, 403 to roles without settings:manage, 404 to another organization for every route', async () => {
    const mine = await define(admin, { entity: 'ticket', key: `mine_${Date.now()}`, label: 'Mine', type: 'text' })
    const routes: Array<{ method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string; body?: Record<string, unknown>; write: boolean; byId: boolean }> = [
      { method: 'GET', url: '/api/v1/custom-fields?entity=ticket', write: false, byId: false },
      { method: 'POST', url: '/api/v1/custom-fields', body: { entity: 'ticket', label: `X ${Date.now()}`, type: 'text' }, write: true, byId: false },
      { method: 'PATCH', url: `/api/v1/custom-fields/${mine.id}`, body: { label: 'Hacked' }, write: true, byId: true },
      { method: 'DELETE', url: `/api/v1/custom-fields/${mine.id}`, write: true, byId: true },
      { method: 'DELETE', url: `/api/v1/custom-fields/${mine.id}?purge=1`, write: true, byId: true },
    ]
    for (const r of routes) {
      const label = `${r.method} ${r.url}`
      expect((await call(app, r.method, r.url, { body: r.body })).statusCode, label).toBe(401)
      for (const s of [agent, viewer, customer]) {
        expect((await call(app, r.method, r.url, { token: s.token, body: r.body })).statusCode, label).toBe(r.write ? 403 : 200)
      }
      if (r.byId) expect((await call(app, r.method, r.url, { token: stranger.token, body: r.body })).statusCode, label).toBe(404)
    }
    expect((await list(stranger)).some((f) => f.id === mine.id)).toBe(false)
    expect((await list(admin, '?entity=ticket')).find((f) => f.id === mine.id)).toMatchObject({ label: 'Mine', is_active: true })
  })
})
