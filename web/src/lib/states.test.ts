import { describe, expect, it } from 'vitest'
import en from '../locales/en.json'
import { stateKey } from './states.ts'

const words = (key: string) => (en as Record<string, string>)[key]

describe('stateKey', () => {
  it('names who burned a secret when the server says', () => {
    expect(words(stateKey('burned', 'creator'))).toBe('Burned by you (the creator)')
    expect(words(stateKey('burned', 'recipient'))).toBe('Burned by a recipient')
    expect(words(stateKey('burned', 'attempts'))).toBe('Burned after too many wrong passphrases')
  })

  it('says just the state otherwise, and ignores a reason on a state that is not burned', () => {
    expect(words(stateKey('burned'))).toBe('Burned')
    expect(words(stateKey('active', 'creator'))).toBe('Active')
    expect(words(stateKey('unknown'))).toBe('Unknown — record deleted')
  })
})
