import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../platform/errors.js'
import { uuidv7 } from '../../platform/ids.js'
import { PRIORITIES } from '../tickets/present.js'
import { filtersToQuery, parseTicketFilters } from './filters.js'
import { decodeCursor, encodeCursor } from './sorting.js'

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    if (error instanceof AppError) return error.details[0]?.field
    throw error
  }
  return undefined
}

describe('parsing filters', () => {
  it('reads lists from repeated keys and comma lists alike, without repeats', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.constantFrom(...PRIORITIES), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }), (groups) => {
      const parsed = parseTicketFilters({ priority: groups.map((g) => g.join(',')) })
      expect(parsed.priority).toEqual([...new Set(groups.flat())])
    }))
  })

  it('gives back what it stores: a parsed view filter parses to itself', () => {
    const id = uuidv7()
    const parsed = parseTicketFilters({
      status: `${id.toUpperCase()}, ${id}`, status_category: 'new,open', tag: 'VIP, billing', assignee: 'me', team: 'none',
      overdue: 'true', spam: false, created_after: '2026-01-01T10:00:00+02:00', 'cf.plan': 'pro', 'cf.seats': 3, deleted: 'only',
    })
    expect(parsed).toEqual({
      status: [id], status_category: ['new', 'open'], tag: ['vip', 'billing'], assignee: 'me', team: 'none', overdue: true, spam: false,
      created_after: '2026-01-01T08:00:00.000Z', cf: { plan: 'pro', seats: '3' }, deleted: 'only',
    })
    expect(parseTicketFilters(JSON.parse(JSON.stringify(filtersToQuery(parsed))) as Record<string, unknown>)).toEqual(parsed)
  })

  it('names the field it refuses', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ nonsense: 1 }, 'nonsense'],
      [{ priority: 'low,,critical' }, 'priority'],
      [{ priority: ',' }, 'priority'],
      [{ status_category: ['open', 'shut'] }, 'status_category'],
      [{ tag: 'x'.repeat(101) }, 'tag'],
      [{ assignee: ['me', 'none'] }, 'assignee'],
      [{ created_before: '2026-01-01' }, 'created_before'],
      [{ created_before: '2026-02-30T00:00:00Z' }, 'created_before'],
      [{ include_deleted: 'yes' }, 'include_deleted'],
      [{ 'cf.plan': { nested: true } }, 'cf.plan'],
    ]
    for (const [raw, field] of cases) expect(fieldOf(() => parseTicketFilters(raw)), JSON.stringify(raw)).toBe(field)
  })
})

describe('cursors', () => {
  it('round-trip and belong to one sort', () => {
    const id = uuidv7()
    const cursor = encodeCursor('-updated_at', '2026-03-01 12:00:00.123456+00', id)
    expect(decodeCursor(cursor, '-updated_at')).toEqual({ key: '2026-03-01 12:00:00.123456+00', id })
    expect(fieldOf(() => decodeCursor(cursor, 'updated_at'))).toBe('cursor')
    for (const bad of ['', 'e30', Buffer.from('[]').toString('base64url'), Buffer.from(JSON.stringify({ s: '-updated_at', k: 1, id })).toString('base64url')]) {
      expect(fieldOf(() => decodeCursor(bad, '-updated_at')), bad).toBe('cursor')
    }
  })
})
