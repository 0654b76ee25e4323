import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable, Writable } from 'node:stream'
import type { FastifyRequest } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../../app.js'
import { withTenant } from '../../../platform/db/tenant.js'
import { addMember, call, createTestApp, databaseUrl, registerOrg, type Session } from '../../../../../test/helpers.js'
import { factories } from '../test-support.js'
import { csvBody } from './http-csv.js'

let app: App
let f: ReturnType<typeof factories>

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 1000 })
  f = factories(app)
})
afterAll(async () => { await app.close() })

async function upload(as: Session, url: string, csv: string | Buffer, contentType = 'text/csv; charset=utf-8') {
  const res = await app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${as.token}`, 'content-type': contentType }, payload: csv })
  return Object.assign(res, { data: (res.json() as any).data, error: (res.json() as any).error })
}

async function download(as: Session, url: string) {
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${as.token}` } })
  return res
}

describe('contact CSV import', () => {
  it('imports rows, reports a bad row with its line and field, and keeps the rest', async () => {
    const org = await registerOrg(app)
    const acme = await f.newCompany(org, { name: 'Acme', domains: ['acme.example'] })
    const existing = await f.newContact(org, { name: 'Old Name', email: 'existing@example.com', tags: ['old'] })
    const csv = [
      '\ufeffName,E-mail,Phone,Company,Tags,Time Zone,City,VIP',
      '"Doe, Jane",jane@example.com,+1 555 0100,Initrode,"a, b",Europe/Paris,"Paris",yes',
      'No Company,bob@acme.example,,,,,,',
      'Broken,not-an-email,,,,,,',
      '"Multi',
      'Line",multi@example.com,,,,,,',
      'Bad Zone,zone@example.com,,,,Mars/Base,,',
      ',existing@EXAMPLE.com,,,new,,,true',
      '',
      'Last One,last@example.com,,Acme,,,,no',
    ].join('\r\n')
    const res = await upload(org, '/api/v1/contacts/import', csv)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.data).toMatchObject({ imported: 4, updated: 1, failed: 2 })
    expect(res.data.errors).toEqual([
      { line: 4, field: 'email', message: 'must be an email address' },
      { line: 7, field: 'time_zone', message: expect.any(String) },
    ])

    const list = await call(app, 'GET', '/api/v1/contacts?limit=100&sort=name', { token: org.token })
    const byEmail = new Map((list.json.data as any[]).map((c) => [c.email, c]))
    expect(byEmail.get('jane@example.com')).toMatchObject({
      name: 'Doe, Jane', phones: [{ type: 'work', number: '+1 555 0100' }], company: { name: 'Initrode' }, tags: ['a', 'b'],
      time_zone: 'Europe/Paris', address: { city: 'Paris' }, is_vip: true,
    })
    expect(byEmail.get('bob@acme.example')).toMatchObject({ company_id: acme.id })
    expect(byEmail.get('multi@example.com')).toMatchObject({ name: 'Multi\nLine' })
    expect(byEmail.get('last@example.com')).toMatchObject({ company_id: acme.id, is_vip: false })
    // the existing contact was updated by email (any case): empty cells left alone, tags added
    expect(byEmail.get('existing@example.com')).toMatchObject({ id: existing.id, name: 'Old Name', tags: ['old', 'new'], is_vip: true })
    expect(byEmail.has('not-an-email')).toBe(false)

    const audit = await withTenant(app.ctx.db, { tenantId: org.tenantId }, (tx) => tx.selectFrom('audit_events').select('data').where('action', '=', 'contacts.imported').execute())
    expect(audit.map((a) => a.data)).toEqual([expect.objectContaining({ imported: 4, updated: 1, failed: 2, via: 'api' })])
  })

  it('refuses an unusable header before writing anything, and non-CSV bodies', async () => {
    const org = await registerOrg(app)
    const unknown = await upload(org, '/api/v1/contacts/import', 'name,emial\nA,a@example.com\n')
    expect(unknown.statusCode).toBe(400)
    expect(unknown.error).toMatchObject({ code: 'validation_error', details: [{ field: 'emial', message: 'is not a known column' }] })
    const noName = await upload(org, '/api/v1/contacts/import', 'phone,city\n123,Paris\n')
    expect(noName.statusCode).toBe(400)
    const badCustom = await upload(org, '/api/v1/contacts/import', 'name,cf.nope\nA,1\n')
    expect(badCustom.error).toMatchObject({ details: [{ field: 'cf.nope', message: expect.stringContaining('not a custom field') }] })
    expect((await upload(org, '/api/v1/contacts/import', '')).statusCode).toBe(400)
    const json = await app.inject({ method: 'POST', url: '/api/v1/contacts/import', headers: { authorization: `Bearer ${org.token}` }, payload: { name: 'x' } })
    expect(json.statusCode).toBe(415)
    expect((await call(app, 'GET', '/api/v1/contacts', { token: org.token })).json.meta).toMatchObject({ total: 0 })
  })

  it('stops at the size limit with 413', async () => {
    const req = { body: Readable.from([Buffer.alloc(600, 'a'), Buffer.alloc(600, 'b')]), headers: {} } as unknown as FastifyRequest
    const read = async () => { for await (const _chunk of csvBody(req, 1000)) { /* drain */ } }
    await expect(read()).rejects.toMatchObject({ code: 'payload_too_large', status: 413 })
    const declared = { body: Readable.from([]), headers: { 'content-length': '5000' } } as unknown as FastifyRequest
    await expect((async () => { for await (const _c of csvBody(declared, 1000)) { /* drain */ } })()).rejects.toMatchObject({ status: 413 })
  })

  it('exports every contact as CSV and imports the export back to the same contacts', async () => {
    const org = await registerOrg(app)
    const field = await call(app, 'POST', '/api/v1/custom-fields', { token: org.token, body: { entity: 'contact', label: 'Seats', key: 'seats', type: 'number' } })
    expect(field.statusCode, field.body).toBe(201)
    const multi = await call(app, 'POST', '/api/v1/custom-fields', { token: org.token, body: { entity: 'contact', label: 'Products', key: 'products', type: 'multiselect', options: [{ value: 'desk', label: 'Desk' }, { value: 'chat', label: 'Chat' }] } })
    expect(multi.statusCode, multi.body).toBe(201)
    const company = await f.newCompany(org, { name: 'Comma, Inc.' })
    await f.newContact(org, {
      name: '=cmd|calc', email: 'formula@example.com', phones: [{ type: 'mobile', number: '+33 6 12 34 56 78' }, { type: 'work', number: '+33 1 23 45 67 89' }],
      company_id: company.id, tags: ['x', 'y'], language: 'fr', time_zone: 'Europe/Paris',
      address: { street: '1 "Quoted" Street\nBuilding B', city: 'Lyon', postal_code: '69001', country: 'FR' },
      custom_fields: { seats: 12, products: ['desk', 'chat'] }, is_vip: true, can_see_company_tickets: true,
    })
    await f.newContact(org, { name: 'Plain Person' })
    for (let i = 0; i < 5; i++) await f.newContact(org, { name: `Bulk ${i}`, email: `bulk${i}@example.com` })

    const res = await download(org, '/api/v1/contacts/export')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"$/)
    expect(res.body.startsWith('\ufeffid,name,email,phones,company,tags')).toBe(true)
    expect(res.body).toContain(`,'=cmd|calc,`)
    expect(res.body).toContain('cf.seats,cf.products')
    const before = (await call(app, 'GET', '/api/v1/contacts?limit=100&sort=name', { token: org.token })).json.data as any[]
    expect(before).toHaveLength(7)

    // into a fresh organization (same custom fields), the export makes the same contacts
    const copy = await registerOrg(app)
    for (const body of [field, multi].map((r) => r.json.data as any)) {
      await call(app, 'POST', '/api/v1/custom-fields', { token: copy.token, body: { entity: 'contact', label: body.label, key: body.key, type: body.type, options: body.options } })
    }
    const imported = await upload(copy, '/api/v1/contacts/import', res.rawPayload)
    expect(imported.statusCode, imported.body).toBe(200)
    expect(imported.data).toMatchObject({ imported: 7, updated: 0, failed: 0 })
    const after = (await call(app, 'GET', '/api/v1/contacts?limit=100&sort=name', { token: copy.token })).json.data as any[]
    const comparable = (c: any) => ({ ...c, id: undefined, company_id: undefined, company: c.company?.name ?? null, created_at: undefined, updated_at: undefined })
    expect(after.map(comparable)).toEqual(before.map(comparable))
    // and into the same organization, it updates every contact with an email and changes nothing
    const again = await upload(org, '/api/v1/contacts/import', res.rawPayload)
    expect(again.data).toMatchObject({ updated: 6, imported: 1, failed: 0 })
  })

  it('streams the export in keyset batches (never the whole table at once)', async () => {
    const org = await registerOrg(app)
    for (let i = 0; i < 5; i++) await f.newContact(org, { name: `Batch ${i}` })
    const { exportContacts } = await import('./export-contacts.js')
    const chunks: string[] = []
    const actor = { kind: 'user' as const, userId: org.userId, tenantId: org.tenantId, sessionId: null, apiKeyId: null, role: { id: '', key: 'admin', name: 'Admin', kind: 'staff' as const, ticketScope: 'all' as const, permissions: new Set<string>() } }
    for await (const chunk of exportContacts(app.ctx.db, actor, 2)) chunks.push(chunk)
    // a header chunk, then batches of 2, 2 and 1 rows
    expect(chunks.map((c) => c.split('\r\n').length - 1)).toEqual([1, 2, 2, 1])
  })
})

describe('company CSV import and export', () => {
  it('upserts by domain then name, creates parents named in rows, reports bad rows, and round-trips', async () => {
    const org = await registerOrg(app)
    const agent = await addMember(app, org, 'agent')
    const existing = await f.newCompany(org, { name: 'Known Co', domains: ['known.example'] })
    const csv = [
      'name,domains,parent,phone,website,tags',
      'Renamed Known,known.example; more.example,,,,',
      'Child Co,child.example,Parent Co,+1 555 0100,child.example,"x, y"',
      'Bad Domain,not a domain!,,,,',
      'Parent Co,parent.example,,,,',
      'Thief,known.example,,,,',
    ].join('\n')
    const res = await upload(agent, '/api/v1/companies/import', csv)
    expect(res.statusCode, res.body).toBe(200)
    // Thief matches Known by domain → an update (the name changes); Parent Co was made by Child's row → updated
    expect(res.data).toMatchObject({ imported: 1, updated: 3, failed: 1 })
    expect(res.data.errors).toEqual([{ line: 4, field: 'domains.0', message: expect.any(String) }])
    const list = ((await call(app, 'GET', '/api/v1/companies?limit=100', { token: org.token })).json.data as any[])
    const byName = new Map(list.map((c) => [c.name, c]))
    expect(byName.get('Thief')).toMatchObject({ id: existing.id, domains: ['known.example', 'more.example'] })
    expect(byName.get('Child Co')).toMatchObject({ parent: { name: 'Parent Co' }, website: 'https://child.example/', tags: ['x', 'y'], phone: '+1 555 0100' })
    expect(byName.get('Parent Co')).toMatchObject({ domains: ['parent.example'] })

    const exported = await download(org, '/api/v1/companies/export')
    expect(exported.statusCode).toBe(200)
    const copy = await registerOrg(app)
    const back = await upload(copy, '/api/v1/companies/import', exported.rawPayload)
    expect(back.data).toMatchObject({ failed: 0 })
    const copied = ((await call(app, 'GET', '/api/v1/companies?limit=100', { token: copy.token })).json.data as any[])
    const shape = (c: any) => ({ name: c.name, domains: c.domains, parent: c.parent?.name ?? null, phone: c.phone, website: c.website, tags: c.tags })
    expect(copied.map(shape)).toEqual(list.map(shape))
  })
})

describe('aidly import / export (CLI)', () => {
  it('imports a CSV file into an organization found by slug, with progress on stderr, and exports it again', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aidly-cli-'))
    const pglite = databaseUrl() === 'memory://'
    const { loadConfig } = await import('../../../platform/config.js')
    const env = { LOG_LEVEL: 'silent', AIDLY_DEMO: '0', AIDLY_DATA_DIR: dir, ...(pglite ? {} : { DATABASE_URL: databaseUrl() }) }
    const config = loadConfig(env, { secret: 'test-secret-that-is-long-enough-for-aidly-0123456789' })
    // an organization in that database, made through the API
    const { buildApp } = await import('../../../app.js')
    const cliApp = await buildApp(config)
    const org = await registerOrg(cliApp, 'CLI Org')
    const slug = (await call(cliApp, 'GET', '/api/v1/organization', { token: org.token })).json.data as any
    await cliApp.close()

    const file = path.join(dir, 'contacts.csv')
    writeFileSync(file, ['name,email,company', ...Array.from({ length: 600 }, (_, i) => `Person ${i},p${i}@example.com,${i % 2 ? 'Odd' : 'Even'}`), 'Bad,bad-email,'].join('\n'))
    const { runImportExport } = await import('../../../../cli/import-export.js')
    const capture = () => {
      let text = ''
      return { stream: new Writable({ write(chunk, _enc, done) { text += String(chunk); done() } }), text: () => text }
    }
    const out = capture()
    const err = capture()
    const code = await runImportExport(config, 'import', ['contacts', file, '--org', slug.slug], { stdout: out.stream, stderr: err.stream })
    expect(code).toBe(2)
    expect(out.text()).toBe('600 imported, 0 updated, 1 failed\n')
    expect(err.text()).toMatch(/^500\/601\n601\/601\n/)
    expect(err.text()).toContain('line 602: email: must be an email address')

    const exportFile = path.join(dir, 'out.csv')
    const out2 = capture()
    const err2 = capture()
    expect(await runImportExport(config, 'export', ['contacts', exportFile, '--org', slug.slug], { stdout: out2.stream, stderr: err2.stream })).toBe(0)
    const lines = readFileSync(exportFile, 'utf8').trim().split('\r\n')
    expect(lines).toHaveLength(601)
    expect(err2.text()).toContain('600 contacts written')

    const bad = capture()
    expect(await runImportExport(config, 'import', ['contacts', file, '--org', 'no-such-org'], { stdout: capture().stream, stderr: bad.stream })).toBe(1)
    expect(bad.text()).toContain('no-such-org')
    expect(await runImportExport(config, 'import', ['widgets', file, '--org', slug.slug], { stdout: capture().stream, stderr: capture().stream })).toBe(64)

    // and the real command, as an operator runs it: the same rows again are all updates
    const spawned = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/aidly.ts', 'import', 'contacts', file, '--org', slug.slug], {
      cwd: path.resolve(import.meta.dirname, '../../../../..'), env: { ...process.env, ...env, AIDLY_SECRET: 'test-secret-that-is-long-enough-for-aidly-0123456789' }, encoding: 'utf8', timeout: 60_000,
    })
    expect(spawned.stdout, spawned.stderr).toBe('0 imported, 600 updated, 1 failed\n')
    expect(spawned.stderr).toContain('601/601')
    expect(spawned.status).toBe(2)
  }, 90_000)
})
