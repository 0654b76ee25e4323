import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../src/server/app.js'
import { GENERATED_TYPES, typesFor } from '../../scripts/gen-api-types.js'
import { createTestApp } from '../helpers.js'

// The web app's types come from the server's OpenAPI document; a server change that alters a
// route's schema must be followed by `npm run gen:api`, or the web app would compile against
// shapes the server no longer sends.
describe('generated web API types', () => {
  let app: App
  beforeAll(async () => {
    app = await createTestApp()
  })
  afterAll(async () => {
    await app.close()
  })

  it('match the OpenAPI document the server serves', async () => {
    const document = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json()
    const expected = await typesFor(document)
    const committed = readFileSync(GENERATED_TYPES, 'utf8')
    expect(committed === expected, 'src/web/api/generated/openapi.ts is stale: run `npm run gen:api`').toBe(true)
  })
})
