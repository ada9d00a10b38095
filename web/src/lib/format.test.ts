import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { formatBytes, formatDateTime, formatDuration as format, type CountWords } from './format.ts'
import { pluralRule } from './locales.ts'

/** The app's own words for the units, picked the way the i18n picks a plural form. */
function countWords(code: string): CountWords {
  const messages = JSON.parse(readFileSync(new URL(`../locales/${code}.json`, import.meta.url), 'utf8')) as Record<
    string,
    string
  >
  const rule = pluralRule(code)
  return (key, n) => messages[key]!.split(' | ')[rule(n)]!.replace('{n}', String(n))
}
const formatDuration = (seconds: number, code: string) => format(seconds, code, countWords(code))

const MINUTE = 60
const HOUR = 3600
const DAY = 86400

describe('formatDuration', () => {
  it.each([
    [MINUTE, '1 minute'],
    [2 * MINUTE - 0.1, '1 minute'],
    [5 * MINUTE, '5 minutes'],
    [HOUR + 2 * MINUTE + 30, '1 hour 2 minutes'],
    [DAY, '1 day'],
    [7 * DAY, '7 days'],
  ])('says %s seconds as "%s"', (seconds, words) => {
    expect(formatDuration(seconds, 'en')).toBe(words)
  })

  it('leaves less than a minute to the caller', () => {
    for (const seconds of [0, 59.9, -120]) expect(formatDuration(seconds, 'en')).toBeNull()
  })

  it('keeps the two largest units and drops the rest, rounding down', () => {
    expect(formatDuration(DAY + HOUR + MINUTE + 1, 'en')).toBe('1 day 1 hour')
    expect(formatDuration(2 * DAY + HOUR - 1, 'en')).toBe('2 days 59 minutes')
  })

  it('skips a unit that is zero instead of saying "0 hours"', () => {
    expect(formatDuration(2 * DAY + 30 * MINUTE, 'en')).toBe('2 days 30 minutes')
  })

  it('speaks the locale, with its own plural forms', () => {
    expect(formatDuration(2 * DAY + 3 * HOUR, 'de')).toBe('2 Tage, 3 Stunden')
    expect(formatDuration(5 * MINUTE, 'pl')).toBe('5 minut')
    expect(formatDuration(2 * MINUTE, 'pl')).toBe('2 minuty')
    expect(formatDuration(2 * HOUR, 'ar')).toBe('ساعتان')
    expect(formatDuration(3 * DAY, 'ar')).toBe('3 أيام')
  })
})

describe('formatDateTime and formatBytes', () => {
  it('writes dates the locale’s way', () => {
    const iso = '2026-05-12T12:59:30Z'
    expect(formatDateTime(iso, 'de')).not.toBe(formatDateTime(iso, 'en'))
    expect(formatDateTime(iso, 'de')).toContain('2026')
  })

  it.each([
    [0, 'en', '0 B'],
    [1023, 'en', '1,023 B'],
    [1024, 'en', '1.0 KiB'],
    [1536, 'en', '1.5 KiB'],
    [1536, 'de', '1,5 KiB'],
    [1048575, 'en', '1,023.9 KiB'],
    [1048576, 'en', '1.0 MiB'],
    [20 * 1048576 + 1, 'de', '20,0 MiB'],
    [1.5 * 1024 ** 3, 'en', '1.5 GiB'],
  ])('formatBytes(%s, %s) is "%s"', (n, locale, words) => {
    expect(formatBytes(n, locale)).toBe(words)
  })
})
