import { afterEach, describe, expect, it } from 'vitest'
import { formatDateTime, setDefaultTimeZone } from './format'

describe('formatDateTime', () => {
  afterEach(() => setDefaultTimeZone(null))

  it('shows a moment in the signed-in user’s zone unless the caller names one', () => {
    const iso = '2026-03-01T23:30:00Z'
    setDefaultTimeZone('Asia/Tokyo') // UTC+9: already 2 March, 08:30
    expect(formatDateTime(iso, 'en')).toMatch(/Mar 2, 2026.*8:30/)
    expect(formatDateTime(iso, 'en', 'America/New_York')).toMatch(/Mar 1, 2026.*6:30/)
    setDefaultTimeZone('Not/AZone')
    expect(formatDateTime(iso, 'en')).toContain('2026')
  })
})
