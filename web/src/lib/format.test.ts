import { describe, expect, it } from 'vitest'
import { formatBytes, formatDateTime, formatDuration, formatExpiry, formatViews, plural } from './format.ts'

const MINUTE = 60
const HOUR = 3600
const DAY = 86400

describe('formatDuration', () => {
  it.each([
    [0, 'less than a minute'],
    [59.9, 'less than a minute'],
    [-120, 'less than a minute'],
    [MINUTE, '1 minute'],
    [2 * MINUTE - 0.1, '1 minute'],
    [5 * MINUTE, '5 minutes'],
    [HOUR + 2 * MINUTE + 30, '1 hour 2 minutes'],
    [DAY, '1 day'],
    [7 * DAY, '7 days'],
  ])('says %s seconds as "%s"', (seconds, words) => {
    expect(formatDuration(seconds)).toBe(words)
  })

  it('keeps the two largest units and drops the rest, rounding down', () => {
    expect(formatDuration(DAY + HOUR + MINUTE + 1)).toBe('1 day 1 hour')
    expect(formatDuration(2 * DAY + HOUR - 1)).toBe('2 days 59 minutes')
  })

  it('skips a unit that is zero instead of saying "0 hours"', () => {
    expect(formatDuration(2 * DAY + 30 * MINUTE)).toBe('2 days 30 minutes')
  })
})

describe('formatExpiry', () => {
  it('says how long from now, then the date and time', () => {
    const now = Date.parse('2026-05-12T12:00:00Z')
    const iso = '2026-05-12T12:59:30Z'
    expect(formatExpiry(iso, now)).toBe(`in 59 minutes (${formatDateTime(iso)})`)
  })
})

describe('plural, formatViews and formatBytes', () => {
  it.each([
    [0, '0 links'],
    [1, '1 link'],
    [2, '2 links'],
  ])('plural(%s, "link") is "%s"', (n, words) => {
    expect(plural(n, 'link')).toBe(words)
  })

  it.each([
    [1, 'once'],
    [2, 'twice'],
    [3, '3 times'],
    [100, '100 times'],
  ])('formatViews(%s) is "%s"', (n, words) => {
    expect(formatViews(n)).toBe(words)
  })

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1048576, '1024.0 KiB'],
  ])('formatBytes(%s) is "%s"', (n, words) => {
    expect(formatBytes(n)).toBe(words)
  })
})
