import { describe, expect, it } from 'vitest'
import type { SecretStatus, TimelineEvent } from '@burnlink/shared'
import { newSteps, timelineSteps } from './timeline.ts'

const at = (minute: number) => `2026-12-06T10:${String(minute).padStart(2, '0')}:00.000Z`

function status(types: TimelineEvent['type'][], over: Partial<SecretStatus> = {}): SecretStatus {
  return {
    state: 'active',
    views: 0,
    maxViews: 1,
    failedAttempts: 0,
    createdAt: at(0),
    expiresAt: at(59),
    events: types.map((type, i) => ({ type, at: at(i + 1) })),
    ...over,
  }
}

describe('timelineSteps', () => {
  it('tells a bare open apart from the open on the way to a reveal', () => {
    const s = status(['opened', 'opened', 'revealed', 'viewed'], { state: 'viewed' })
    expect(timelineSteps(s)).toEqual([
      { key: 'timeline.openedOnly', at: at(1), index: 0 },
      { key: 'timeline.revealed', at: at(3), index: 2 },
      { key: 'timeline.viewed', at: at(4), index: 3 },
    ])
  })

  it('names wrong passphrases, an expiry, and who burned it', () => {
    expect(timelineSteps(status(['opened', 'wrong_passphrase', 'expired'])).map((s) => s.key)).toEqual([
      'timeline.wrong',
      'timeline.expired',
    ])
    for (const burnReason of ['creator', 'recipient', 'attempts'] as const) {
      expect(timelineSteps(status(['burned'], { state: 'burned', burnReason }))).toEqual([
        { key: `timeline.burnedBy.${burnReason}`, at: at(1), index: 0 },
      ])
    }
  })

  it('has no step before anything happened', () => {
    expect(timelineSteps(status([]))).toEqual([])
  })
})

describe('newSteps', () => {
  it('is nothing on the first look, and nothing when the record went away', () => {
    expect(newSteps(undefined, status(['opened']))).toEqual([])
    expect(newSteps(null, status(['opened']))).toEqual([])
    expect(newSteps(status(['opened']), null)).toEqual([])
    expect(newSteps(status(['opened']), status(['opened']))).toEqual([])
  })

  it('is what came after the earlier status, with an open that since led to a reveal folded into it', () => {
    const before = status(['opened'])
    expect(newSteps(before, status(['opened', 'opened']))).toEqual([
      { key: 'timeline.openedOnly', at: at(2), index: 1 },
    ])
    const after = status(['opened', 'revealed', 'viewed'], { state: 'viewed' })
    expect(newSteps(before, after).map((s) => s.key)).toEqual(['timeline.revealed', 'timeline.viewed'])
  })

  it('tells an expiry noticed at the next look', () => {
    const before = status(['opened'])
    expect(newSteps(before, status(['opened', 'expired'], { state: 'expired' })).map((s) => s.key)).toEqual([
      'timeline.expired',
    ])
  })
})
