import { describe, expect, it } from 'vitest'
import { describeState } from './states.ts'

describe('describeState', () => {
  it('names who burned a secret when the server says', () => {
    expect(describeState('burned', 'creator')).toBe('Burned by you (the creator)')
    expect(describeState('burned', 'recipient')).toBe('Burned by a recipient')
    expect(describeState('burned', 'attempts')).toBe('Burned after too many wrong passphrases')
  })

  it('says just the state otherwise, and ignores a reason on a state that is not burned', () => {
    expect(describeState('burned')).toBe('Burned')
    expect(describeState('active', 'creator')).toBe('Active')
    expect(describeState('unknown')).toBe('Unknown — record deleted')
  })
})
