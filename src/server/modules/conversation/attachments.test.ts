import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../app.js'
import { call, createTestApp, registerOrg, type Session } from '../../../../test/helpers.js'
import { data, multipart, openTicket, postComment, setupOrg, upload, PNG, type Org } from './test-fixtures.js'

const LIMIT = 4096

let app: App
let org: Org
let stranger: Session

beforeAll(async () => {
  app = await createTestApp({ authRateLimitPerMinute: 10_000, attachmentMaxBytes: LIMIT })
  org = await setupOrg(app)
  stranger = await registerOrg(app)
})
afterAll(async () => { await app.close() })

const download = (as: Session | string, id: string) => call(app, 'GET', `/api/v1/attachments/${id}`, { token: typeof as === 'string' ? as : as.token })

describe('attachments', () => {
  it('uploads, attaches and downloads the same bytes, typed from the content', async () => {
    const ticket = await openTicket(app, org.customer)
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(200)])
    const res = await upload(app, org.customer, ticket.id, [
      { filename: 'screenshot.png', data: PNG, type: 'text/plain' },
      { filename: '../../etc/report\u0000.pdf', data: pdf, type: 'image/png' },
    ])
    expect(res.statusCode, res.body).toBe(201)
    const [png, report] = data(res)
    expect(png).toMatchObject({ filename: 'screenshot.png', content_type: 'image/png', size_bytes: PNG.length })
    expect(report).toMatchObject({ filename: 'report.pdf', content_type: 'application/pdf', size_bytes: pdf.length })
    await postComment(app, org.customer, ticket.id, { body: 'files', attachment_ids: [png.id, report.id] })

    for (const who of [org.customer, org.agent]) {
      const got = await download(who, png.id)
      expect(got.statusCode).toBe(200)
      expect(got.rawPayload.equals(PNG)).toBe(true)
      expect(got.headers).toMatchObject({
        'content-type': 'image/png', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'",
      })
      expect(got.headers['content-disposition']).toMatch(/^inline; filename="screenshot.png"/)
    }
    const gotPdf = await download(org.customer, report.id)
    expect(gotPdf.rawPayload.equals(pdf)).toBe(true)
    expect(gotPdf.headers['content-type']).toBe('application/pdf')
  })

  it('serves HTML renamed to .png, and SVG, as an octet-stream download', async () => {
    const ticket = await openTicket(app, org.customer)
    const html = '<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>'
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
    const res = await upload(app, org.customer, ticket.id, [{ filename: 'cat.png', data: html, type: 'image/png' }, { filename: 'logo.svg', data: svg, type: 'image/svg+xml' }])
    expect(res.statusCode, res.body).toBe(201)
    expect(data(res).map((a: { content_type: string }) => a.content_type)).toEqual(['text/html', 'image/svg+xml'])
    for (const a of data(res)) {
      const got = await download(org.customer, a.id)
      expect(got.statusCode).toBe(200)
      expect(got.headers['content-type']).toBe('application/octet-stream')
      expect(got.headers['content-disposition']).toMatch(/^attachment; /)
      expect(got.headers['x-content-type-options']).toBe('nosniff')
    }
  })

  it('refuses a file over the limit with 413, and more than 10 files with 400', async () => {
    const ticket = await openTicket(app, org.agent)
    const big = await upload(app, org.agent, ticket.id, [{ filename: 'ok.txt', data: 'small' }, { filename: 'big.bin', data: randomBytes(LIMIT + 1) }])
    expect(big.statusCode, big.body).toBe(413)
    expect(big.json.error).toMatchObject({ code: 'payload_too_large' })
    const exactly = await upload(app, org.agent, ticket.id, [{ filename: 'edge.bin', data: randomBytes(LIMIT) }])
    expect(exactly.statusCode, exactly.body).toBe(201)
    const many = await upload(app, org.agent, ticket.id, Array.from({ length: 11 }, (_, i) => ({ filename: `${i}.txt`, data: `file ${i}` })))
    expect(many.statusCode, many.body).toBe(400)
    expect(many.json.error).toMatchObject({ details: [expect.objectContaining({ field: 'file' })] })
    const ten = await upload(app, org.agent, ticket.id, Array.from({ length: 10 }, (_, i) => ({ filename: `${i}.txt`, data: `file ${i}` })))
    expect(ten.statusCode, ten.body).toBe(201)
  })

  it('refuses uploads that are not multipart files', async () => {
    const ticket = await openTicket(app, org.agent)
    const json = await call(app, 'POST', `/api/v1/tickets/${ticket.id}/attachments`, { token: org.agent.token, body: { file: 'x' } })
    expect(json.statusCode).toBe(415)
    const none = await call(app, 'POST', `/api/v1/tickets/${ticket.id}/attachments`, { token: org.agent.token, ...multipart([]) })
    expect(none.statusCode).toBe(400)
    const empty = await upload(app, org.agent, ticket.id, [{ filename: 'empty.txt', data: '' }])
    expect(empty.statusCode).toBe(400)
    const wrongField = await upload(app, org.agent, ticket.id, [{ filename: 'a.txt', data: 'x', field: 'document' }])
    expect(wrongField.statusCode).toBe(400)
    expect(wrongField.json.error).toMatchObject({ details: [{ field: 'document' }] })
  })

  it('never shows a file on an internal note, or another requester’s file, to a customer', async () => {
    const ticket = await openTicket(app, org.customer)
    const file = data(await upload(app, org.agent, ticket.id, [{ filename: 'internal.txt', data: 'agent eyes only' }]))[0]
    // Not attached yet: the agent's draft upload is not the customer's to see.
    expect((await download(org.customer, file.id)).statusCode).toBe(404)
    await postComment(app, org.agent, ticket.id, { body: 'see file', is_internal: true, attachment_ids: [file.id] })
    expect((await download(org.customer, file.id)).statusCode).toBe(404)
    expect((await download(org.viewer, file.id)).statusCode).toBe(404)
    expect((await download(org.agent, file.id)).statusCode).toBe(200)

    const theirs = await openTicket(app, org.otherCustomer)
    const theirFile = data(await upload(app, org.otherCustomer, theirs.id, [{ filename: 'mine.txt', data: 'private' }]))[0]
    await postComment(app, org.otherCustomer, theirs.id, { body: 'x', attachment_ids: [theirFile.id] })
    expect((await download(org.otherCustomer, theirFile.id)).statusCode).toBe(200)
    expect((await download(org.customer, theirFile.id)).statusCode).toBe(404)
    expect((await download(stranger, theirFile.id)).statusCode).toBe(404)
    // Nor may they upload to it.
    expect((await upload(app, org.customer, theirs.id, [{ filename: 'a.txt', data: 'x' }])).statusCode).toBe(404)
  })

  it('deletes an upload: the uploader or an editor before it is attached, staff editors after', async () => {
    const ticket = await openTicket(app, org.customer)
    const [a, b, c] = data(await upload(app, org.customer, ticket.id, [{ filename: 'a.txt', data: 'a' }, { filename: 'b.txt', data: 'b' }, { filename: 'c.txt', data: 'c' }]))
    expect((await call(app, 'DELETE', `/api/v1/attachments/${a.id}`, { token: org.customer.token })).statusCode).toBe(200)
    expect((await download(org.customer, a.id)).statusCode).toBe(404)
    expect((await call(app, 'DELETE', `/api/v1/attachments/${b.id}`, { token: org.agent.token })).statusCode).toBe(200)
    expect((await call(app, 'DELETE', `/api/v1/attachments/${b.id}`, { token: org.viewer.token })).statusCode).toBe(403)
    await postComment(app, org.customer, ticket.id, { body: 'x', attachment_ids: [c.id] })
    expect((await call(app, 'DELETE', `/api/v1/attachments/${c.id}`, { token: org.customer.token })).statusCode).toBe(403)
    expect((await call(app, 'DELETE', `/api/v1/attachments/${c.id}`, { token: stranger.token })).statusCode).toBe(404)
    expect((await call(app, 'DELETE', `/api/v1/attachments/${c.id}`, { token: org.agent.token })).statusCode).toBe(200)
    const history = data(await call(app, 'GET', `/api/v1/tickets/${ticket.id}/history`, { token: org.agent.token }))
    expect(history.at(-1)).toMatchObject({ field: 'attachment_removed', old_value: { id: c.id, filename: 'c.txt' } })
  })
})
