import { describe, expect, it } from 'vitest'
import { MAX_PAYLOAD_BYTES, REDIRECT_URL_MAX_CHARS } from '@burnlink/shared'
import { BATCH, isBatchSize, redirectUrlProblem, textTooLong, utf8Length } from './form-rules.ts'

describe('text length', () => {
  it('counts UTF-8 bytes, not characters', () => {
    expect(utf8Length('abc')).toBe(3)
    expect(utf8Length('é')).toBe(2)
    expect(utf8Length('🔥')).toBe(4)
  })

  it(`allows exactly ${MAX_PAYLOAD_BYTES} bytes`, () => {
    expect(textTooLong('a'.repeat(MAX_PAYLOAD_BYTES))).toBe(false)
    expect(textTooLong('a'.repeat(MAX_PAYLOAD_BYTES + 1))).toBe(true)
    // Fewer characters than the limit, more bytes.
    expect(textTooLong('é'.repeat(MAX_PAYLOAD_BYTES / 2 + 1))).toBe(true)
  })
})

describe('redirectUrlProblem', () => {
  it('asks for an address when there is none', () => {
    expect(redirectUrlProblem('', false)).toBe('empty')
    expect(redirectUrlProblem('   ', false)).toBe('empty')
  })

  it('accepts https, with spaces around it', () => {
    expect(redirectUrlProblem('https://example.com/path?q=1', false)).toBeNull()
    expect(redirectUrlProblem('  https://example.com  ', false)).toBeNull()
  })

  it('accepts http only where the server allows it', () => {
    expect(redirectUrlProblem('http://example.com', false)).toBe('scheme')
    expect(redirectUrlProblem('http://example.com', true)).toBeNull()
  })

  it("names which of the protocol's rules the URL broke", () => {
    expect(redirectUrlProblem('javascript:alert(1)', true)).toBe('scheme')
    expect(redirectUrlProblem('not a url', false)).toBe('notUrl')
    expect(redirectUrlProblem('https://user:pw@example.com', false)).toBe('credentials')
    expect(redirectUrlProblem(`https://example.com/${'a'.repeat(REDIRECT_URL_MAX_CHARS)}`, false)).toBe('tooLong')
    // Short as typed, too long once normalised (spaces become %20).
    expect(redirectUrlProblem(`https://example.com/${' x'.repeat(REDIRECT_URL_MAX_CHARS / 2 - 20)}`, false)).toBe(
      'tooLong',
    )
  })
})

describe('isBatchSize', () => {
  it.each([BATCH.min, 10, BATCH.max])('accepts %s people', (n) => {
    expect(isBatchSize(n)).toBe(true)
  })

  it.each([BATCH.min - 1, BATCH.max + 1, 2.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s', (n) => {
    expect(isBatchSize(n)).toBe(false)
  })
})
