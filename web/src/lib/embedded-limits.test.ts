import { describe, expect, it } from 'vitest'
import { DEFAULT_SERVER_LIMITS } from '@burnlink/shared'
import { parseEmbeddedLimits } from './embedded-limits.ts'

const custom = { ...DEFAULT_SERVER_LIMITS, maxViews: 3, allowHttpRedirects: true }

describe('parseEmbeddedLimits', () => {
  it('takes what the server wrote', () => {
    expect(parseEmbeddedLimits(JSON.stringify(custom))).toEqual(custom)
  })

  it.each([
    ['no attribute', null],
    ['an empty placeholder (a page the server did not fill)', ''],
    ['broken JSON', '{"maxViews":'],
    ['not an object', '[1,2]'],
    ['null', 'null'],
    ['a missing key', JSON.stringify({ ...custom, maxFiles: undefined })],
    ['a number as a string', JSON.stringify({ ...custom, maxViews: '3' })],
    ['a fraction', JSON.stringify({ ...custom, maxTtlSeconds: 1.5 })],
    ['zero', JSON.stringify({ ...custom, maxFiles: 0 })],
    ['a boolean as a number', JSON.stringify({ ...custom, allowHttpRedirects: 1 })],
  ])('refuses %s, so the app asks the API instead', (_, content) => {
    expect(parseEmbeddedLimits(content)).toBeUndefined()
  })
})
