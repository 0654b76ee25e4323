import { describe, expect, it } from 'vitest'
import { isUuid, uuidv7 } from './ids.js'

describe('uuidv7', () => {
  it('makes valid version-7 UUIDs that sort in creation order', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7())
    for (const id of ids.slice(0, 50)) {
      expect(isUuid(id)).toBe(true)
      expect(id[14]).toBe('7')
      expect(['8', '9', 'a', 'b']).toContain(id[19])
    }
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('encodes the current time in the first 48 bits', () => {
    const ms = parseInt(uuidv7().replace(/-/g, '').slice(0, 12), 16)
    expect(Math.abs(ms - Date.now())).toBeLessThan(5000)
  })
})
