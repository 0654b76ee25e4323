import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { withTenant } from '../../platform/db/tenant.js'
import { AppError } from '../../platform/errors.js'
import { call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { validateCustomFields, type ValidateCustomFieldsOptions } from './validate.js'
import { checkCustomFieldValue, isRealDate, sameJson, type FieldDefinition } from './values.js'

let app: App
let admin: Session
let other: Session

async function define(s: Session, body: Record<string, unknown>): Promise<any> {
  const res = await call(app, 'POST', '/api/v1/custom-fields', { token: s.token, body })
  expect(res.statusCode, res.body).toBe(201)
  return res.json.data
}

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  admin = await registerOrg(app)
  other = await registerOrg(app)
  const plan = { options: [{ value: 'free', label: 'Free' }, { value: 'pro', label: 'Pro' }, { value: 'enterprise', label: 'Enterprise' }] }
  await define(admin, { entity: 'ticket', key: 'plan', label: 'Plan', type: 'select', ...plan, is_required: true })
  await define(admin, { entity: 'ticket', key: 'notes', label: 'Notes', type: 'text' })
  await define(admin, { entity: 'ticket', key: 'seats', label: 'Seats', type: 'number' })
  await define(admin, { entity: 'ticket', key: 'billing_email', label: 'Billing email', type: 'email' })
  await define(admin, { entity: 'ticket', key: 'site', label: 'Site', type: 'url' })
  await define(admin, { entity: 'ticket', key: 'renewal', label: 'Renewal', type: 'date' })
  await define(admin, { entity: 'ticket', key: 'modules', label: 'Modules', type: 'multiselect', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }, { value: 'c', label: 'C' }] })
  await define(admin, { entity: 'ticket', key: 'trial', label: 'Trial', type: 'boolean' })
  await define(admin, { entity: 'ticket', key: 'risk', label: 'Churn risk', type: 'select', options: [{ value: 'low', label: 'Low' }, { value: 'high', label: 'High' }], is_internal: true, is_required: true })
  await define(admin, { entity: 'ticket', key: 'account_id', label: 'Account', type: 'text', is_internal: true })
  const old = await define(admin, { entity: 'ticket', key: 'legacy', label: 'Legacy', type: 'text' })
  expect((await call(app, 'DELETE', `/api/v1/custom-fields/${old.id}`, { token: admin.token })).statusCode).toBe(200)
  await define(admin, { entity: 'contact', key: 'plan', label: 'Contact plan', type: 'text' })
  // another organization's definitions never apply here
  await define(other, { entity: 'ticket', key: 'secret', label: 'Secret', type: 'text', is_required: true })
})
afterAll(async () => { await app.close() })

type Input = Record<string, unknown> | undefined

function run(input: Input, opts: ValidateCustomFieldsOptions = {}, entity: 'ticket' | 'contact' | 'company' = 'ticket', as = admin) {
  return withTenant(app.ctx.db, { tenantId: as.tenantId, userId: as.userId }, (tx) => validateCustomFields(tx, entity, input, opts))
}

async function failure(input: Input, opts: ValidateCustomFieldsOptions = {}, entity: 'ticket' | 'contact' | 'company' = 'ticket'): Promise<AppError> {
  const error = await run(input, opts, entity).then(() => null, (e: unknown) => e)
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

const fieldsOf = (e: AppError) => e.details.map((d) => d.field)
const REQUIRED = { plan: 'pro', risk: 'low' }

describe('validateCustomFields', () => {
  it('accepts a value of every type and returns them normalized', async () => {
    const out = await run({
      ...REQUIRED, notes: '  call back  ', seats: 12.5, billing_email: ' ap@example.com ', site: 'https://example.com/a?b=1',
      renewal: '2028-02-29', modules: ['c', 'a'], trial: false,
    })
    expect(out).toEqual({
      plan: 'pro', risk: 'low', notes: 'call back', seats: 12.5, billing_email: 'ap@example.com', site: 'https://example.com/a?b=1',
      renewal: '2028-02-29', modules: ['c', 'a'], trial: false,
    })
  })

  it('refuses an unknown key, a deactivated field and another organization\'s field as 400 on custom_fields.<key>', async () => {
    const e = await failure({ ...REQUIRED, colour: 'red', legacy: 'x', secret: 's' })
    expect(e.status).toBe(400)
    expect(e.code).toBe('validation_error')
    expect(e.details).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'custom_fields.colour', message: 'is not a custom field of tickets' }),
      expect.objectContaining({ field: 'custom_fields.legacy', message: 'is not a custom field of tickets' }),
      expect.objectContaining({ field: 'custom_fields.secret', message: 'is not a custom field of tickets' }),
    ]))
    // contact fields are separate from ticket fields with the same key
    expect(await run({ plan: 'anything goes' }, {}, 'contact')).toEqual({ plan: 'anything goes' })
    expect((await failure({ seats: 1 }, {}, 'company')).details[0]).toMatchObject({ field: 'custom_fields.seats', message: 'is not a custom field of companies' })
  })

  it.each([
    ['notes', 42], ['notes', 'x'.repeat(10_001)], ['seats', '12'], ['seats', Number.NaN], ['seats', Number.POSITIVE_INFINITY],
    ['billing_email', 'not-an-email'], ['billing_email', 7], ['site', 'ftp://example.com'], ['site', 'javascript:alert(1)'], ['site', 'example.com'],
    ['renewal', '2027-02-29'], ['renewal', '2027-13-01'], ['renewal', '01/02/2027'], ['renewal', '2027-1-1'],
    ['plan', 'gold'], ['plan', ['pro']], ['modules', 'a'], ['modules', ['a', 'z']], ['modules', ['a', 'a']], ['modules', [1]],
    ['trial', 'true'], ['trial', 0],
  ])('refuses %s = %j as 400 naming the field', async (key, value) => {
    const e = await failure({ ...REQUIRED, [key]: value })
    expect(e.status).toBe(400)
    expect(e.details).toEqual([expect.objectContaining({ field: `custom_fields.${key}` })])
  })

  it('collects every problem before answering, and includes missing required fields in a 400', async () => {
    const e = await failure({ seats: 'many', trial: 'yes', nope: 1 })
    expect(e.status).toBe(400)
    expect(fieldsOf(e).sort()).toEqual(['custom_fields.nope', 'custom_fields.plan', 'custom_fields.risk', 'custom_fields.seats', 'custom_fields.trial'])
    expect(e.details.find((d) => d.field === 'custom_fields.plan')).toMatchObject({ code: 'required' })
  })

  it('demands required fields on create with 422 unprocessable', async () => {
    const e = await failure(undefined)
    expect(e.status).toBe(422)
    expect(e.code).toBe('unprocessable')
    expect(fieldsOf(e).sort()).toEqual(['custom_fields.plan', 'custom_fields.risk'])
    // blank values do not satisfy a required field
    expect(fieldsOf(await failure({ plan: '', risk: 'low' }))).toEqual(['custom_fields.plan'])
    expect((await failure({ plan: null, risk: 'low' })).status).toBe(422)
  })

  it('does not ask customers for internal required fields and refuses their internal keys like unknown ones', async () => {
    expect(await run({ plan: 'free' }, { customer: true })).toEqual({ plan: 'free' })
    const e = await failure({ plan: 'free', risk: 'high', account_id: 'A-1' }, { customer: true })
    expect(e.status).toBe(400)
    expect(e.details).toEqual([
      expect.objectContaining({ field: 'custom_fields.risk', message: 'is not a custom field of tickets' }),
      expect.objectContaining({ field: 'custom_fields.account_id', message: 'is not a custom field of tickets' }),
    ])
    // a customer's update keeps the internal values they cannot see
    const existing = { plan: 'free', risk: 'high', account_id: 'A-1' }
    expect(await run({ plan: 'pro' }, { customer: true, existing, partial: true })).toEqual({ ...existing, plan: 'pro' })
    expect((await failure({ risk: null }, { customer: true, existing, partial: true })).status).toBe(400)
  })

  it('overlays updates on the existing values; null, "" and [] remove a key', async () => {
    const existing = { plan: 'pro', risk: 'low', notes: 'old', modules: ['a'], seats: 3 }
    const out = await run({ notes: null, modules: [], seats: 4, trial: true }, { existing, partial: true })
    expect(out).toEqual({ plan: 'pro', risk: 'low', seats: 4, trial: true })
    expect(await run({ notes: '   ' }, { existing, partial: true })).not.toHaveProperty('notes')
    // the caller's object is not changed
    expect(existing).toEqual({ plan: 'pro', risk: 'low', notes: 'old', modules: ['a'], seats: 3 })
  })

  it('on a partial update, only complains about required fields the input clears', async () => {
    // a record made before `plan` was required may still be edited
    expect(await run({ notes: 'x' }, { existing: {}, partial: true })).toEqual({ notes: 'x' })
    const e = await failure({ plan: null, notes: 'x' }, { existing: { plan: 'pro' }, partial: true })
    expect(e.status).toBe(422)
    expect(e.details).toEqual([expect.objectContaining({ field: 'custom_fields.plan', code: 'required' })])
    // a full update (not partial) checks them all
    expect(fieldsOf(await failure({ notes: 'x' }, { existing: { plan: 'pro' } }))).toEqual(['custom_fields.risk'])
  })

  it('accepts stored values sent back unchanged, even for a removed option or a deactivated field', async () => {
    const existing = { plan: 'legacy-tier', risk: 'low', legacy: 'kept' }
    expect(await run({ ...existing, notes: 'n' }, { existing, partial: true })).toEqual({ ...existing, notes: 'n' })
    // ...but not a new value for either, and staff may clear the deactivated field's value
    expect(fieldsOf(await failure({ legacy: 'changed' }, { existing, partial: true }))).toEqual(['custom_fields.legacy'])
    expect(await run({ legacy: null }, { existing, partial: true })).toEqual({ plan: 'legacy-tier', risk: 'low' })
    expect(fieldsOf(await failure({ legacy: 'kept' }, { existing, partial: true, customer: true }))).toEqual(['custom_fields.legacy'])
  })

  it('refuses custom_fields that is not an object', async () => {
    const e = await failure(['plan'] as unknown as Record<string, unknown>)
    expect(e.details).toEqual([expect.objectContaining({ field: 'custom_fields' })])
  })

  it('keeps key names like __proto__ and constructor from touching the result object', async () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1, "plan": "pro", "risk": "low"}') as Record<string, unknown>
    const e = await failure(input)
    expect(fieldsOf(e).sort()).toEqual(['custom_fields.__proto__', 'custom_fields.constructor'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('(property) any combination of valid values is accepted and stored as given', async () => {
    const arb = fc.record({
      plan: fc.constantFrom('free', 'pro', 'enterprise'),
      risk: fc.constantFrom('low', 'high'),
      notes: fc.string({ maxLength: 200 }).filter((s) => s.trim() === s && s.length > 0),
      seats: fc.double({ noNaN: true, noDefaultInfinity: true }),
      modules: fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { minLength: 1 }),
      trial: fc.boolean(),
      renewal: fc.date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    }, { requiredKeys: ['plan', 'risk'] })
    await fc.assert(fc.asyncProperty(arb, async (input) => {
      const out = await run(input)
      expect(out).toEqual(input)
    }), { numRuns: 40 })
  })

  it('(property) a merged update equals the existing values overlaid by the input minus the nulls', async () => {
    const value = fc.oneof(fc.constant(null), fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s))
    await fc.assert(fc.asyncProperty(fc.record({ notes: value }, { requiredKeys: [] }), fc.record({ notes: fc.string({ minLength: 1, maxLength: 5 }).filter((s) => s.trim() === s) }, { requiredKeys: [] }), async (input, existing) => {
      const out = await run(input, { existing, partial: true })
      const expected: Record<string, unknown> = { ...existing, ...input }
      for (const k of Object.keys(expected)) if (expected[k] === null) delete expected[k]
      expect(out).toEqual(expected)
    }), { numRuns: 30 })
  })
})

describe('field value checks (pure, property-based)', () => {
  const select: FieldDefinition = { key: 's', type: 'select', options: [{ value: 'x', label: 'X' }, { value: 'y', label: 'Y' }] }
  const multi: FieldDefinition = { ...select, type: 'multiselect' }

  it('a date is accepted exactly when it is a real calendar date', () => {
    expect(isRealDate('0000-02-29')).toBe(true) // found by the property below: year 0 is a leap year
    expect(isRealDate('1900-02-29')).toBe(false)
    fc.assert(fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
      const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
      const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
      const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0
      expect(isRealDate(text)).toBe(m >= 1 && m <= 12 && d >= 1 && d <= days)
    }), { numRuns: 2000 })
  })

  it('select accepts exactly its option values', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      expect(checkCustomFieldValue(select, s).ok).toBe(s === '' || s === 'x' || s === 'y')
    }))
  })

  it('multiselect accepts exactly duplicate-free arrays of option values', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('x', 'y', 'z')), (items) => {
      const valid = items.every((i) => i !== 'z') && new Set(items).size === items.length
      expect(checkCustomFieldValue(multi, items).ok).toBe(valid)
    }))
  })

  it('number accepts exactly finite numbers; boolean exactly booleans', () => {
    fc.assert(fc.property(fc.anything(), (v) => {
      if (v === null) return
      expect(checkCustomFieldValue({ key: 'n', type: 'number', options: [] }, v).ok).toBe(typeof v === 'number' && Number.isFinite(v))
      expect(checkCustomFieldValue({ key: 'b', type: 'boolean', options: [] }, v).ok).toBe(typeof v === 'boolean')
    }))
  })

  it('text up to 10 000 characters after trimming; nothing longer', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_100 }), (n) => {
      const r = checkCustomFieldValue({ key: 't', type: 'text', options: [] }, 'a'.repeat(n))
      expect(r.ok).toBe(n <= 10_000)
    }), { numRuns: 50 })
  })

  it('url only with http(s); email needs a local part and a dotted domain', () => {
    fc.assert(fc.property(fc.webUrl(), (u) => { expect(checkCustomFieldValue({ key: 'u', type: 'url', options: [] }, u).ok).toBe(true) }))
    fc.assert(fc.property(fc.emailAddress(), (e) => {
      expect(checkCustomFieldValue({ key: 'e', type: 'email', options: [] }, e).ok).toBe(e.length <= 320 && /\.[^.@]+$/.test(e.split('@')[1] ?? ''))
    }))
    for (const bad of ['mailto:a@b.co', 'file:///etc/passwd', 'data:text/html,x', 'http://']) {
      expect(checkCustomFieldValue({ key: 'u', type: 'url', options: [] }, bad).ok).toBe(false)
    }
  })

  it('sameJson is structural equality on JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      expect(sameJson(v, JSON.parse(JSON.stringify(v)))).toBe(true)
    }))
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false)
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(false)
    expect(sameJson([], {})).toBe(false)
  })
})
