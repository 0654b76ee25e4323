import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../../src/server/app.js'
import { withSystem } from '../../src/server/platform/db/tenant.js'
import { createTestApp } from '../helpers.js'

let app: App
beforeAll(async () => { app = await createTestApp() })
afterAll(async () => { await app.close() })

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code })

describe('transactions', () => {
  it('run again, whole, after a deadlock or serialization failure, and give up after three tries', async () => {
    let calls = 0
    const result = await withSystem(app.ctx.db, async (tx) => {
      calls++
      await tx.selectFrom('organizations').select('id').limit(1).execute()
      if (calls < 3) throw pgError(calls === 1 ? '40P01' : '40001')
      return 'done'
    })
    expect(result).toBe('done')
    expect(calls).toBe(3)

    let always = 0
    await expect(withSystem(app.ctx.db, async () => { always++; throw pgError('40P01') })).rejects.toThrow('pg 40P01')
    expect(always).toBe(3)
  })

  it('never retry other errors, and refuse to nest', async () => {
    let calls = 0
    await expect(withSystem(app.ctx.db, async () => { calls++; throw pgError('23505') })).rejects.toThrow('pg 23505')
    expect(calls).toBe(1)
    await expect(withSystem(app.ctx.db, () => withSystem(app.ctx.db, async () => 1))).rejects.toThrow(/inside another/)
  })
})
