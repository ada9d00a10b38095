import { describe, expect, it } from 'vitest'
import { isBareOpen, type TimelineEvent } from '../src/index.ts'

const at = '2026-12-06T10:02:00.000Z'
const events = (...types: TimelineEvent['type'][]): TimelineEvent[] => types.map((type) => ({ type, at }))

describe('isBareOpen', () => {
  it('tells an open that went no further from the page on its way to a reveal', () => {
    const timeline = events('opened', 'opened', 'wrong_passphrase', 'opened', 'revealed', 'opened', 'expired')
    expect(timeline.map((_, i) => isBareOpen(timeline, i))).toEqual([true, false, false, false, false, true, false])
  })

  it('counts the last open as bare while nothing follows it', () => {
    expect(isBareOpen(events('opened'), 0)).toBe(true)
    expect(isBareOpen(events('revealed'), 0)).toBe(false)
    expect(isBareOpen([], 0)).toBe(false)
  })
})
