import { describe, expect, it } from 'vitest'
import { ApiError, ProtocolError } from '@burnlink/shared'
import en from '../locales/en.json'
import { PROBLEM_KINDS, problemFrom, RETRYABLE, type ProblemKind } from './problems.ts'

describe('problemFrom', () => {
  it.each<[string, ApiError, ProblemKind]>([
    ['404', new ApiError(404, 'not_found', 'no secret'), 'not_found'],
    ['410 viewed', new ApiError(410, 'gone', 'gone', 'viewed'), 'viewed'],
    ['410 expired', new ApiError(410, 'gone', 'gone', 'expired'), 'expired'],
    ['410 burned', new ApiError(410, 'gone', 'gone', 'burned'), 'burned'],
    // A gone secret that calls itself active, or says nothing, is over all the same.
    ['410 active', new ApiError(410, 'gone', 'gone', 'active'), 'burned'],
    ['410 without a state', new ApiError(410, 'gone', 'gone'), 'burned'],
    ['429', new ApiError(429, 'rate_limited', 'slow down'), 'rate_limited'],
    ['no answer at all', new ApiError(0, 'network', 'could not reach the server'), 'unavailable'],
    ['503', new ApiError(503, 'unavailable', 'storage down'), 'unavailable'],
    ['a bare 500', new ApiError(500, 'internal', 'the server answered with status 500'), 'unavailable'],
    ['400', new ApiError(400, 'invalid_request', 'bad body'), 'unexpected'],
    ['409', new ApiError(409, 'conflict', 'exists'), 'unexpected'],
  ])('maps an API %s to %s', (_, error, kind) => {
    expect(problemFrom(error)).toBe(kind)
  })

  it('calls a damaged link malformed, and any other protocol failure damaged', () => {
    expect(problemFrom(new ProtocolError('link', 'this secret link is incomplete or damaged'))).toBe('malformed')
    expect(problemFrom(new ProtocolError('auth', 'decryption failed'))).toBe('damaged')
    expect(problemFrom(new ProtocolError('header', 'bad header'))).toBe('damaged')
  })

  it("says when the content is not the link creator's", () => {
    expect(problemFrom(new ProtocolError('signature', "not made by the link's creator"))).toBe('not_from_creator')
  })

  it('calls anything else unexpected', () => {
    expect(problemFrom(new TypeError('x is undefined'))).toBe('unexpected')
    expect(problemFrom('a string')).toBe('unexpected')
  })
})

describe('problem words', () => {
  it('exist in English for every problem, as a title and a text', () => {
    const keys = PROBLEM_KINDS.flatMap((kind) => [`problem.${kind}.title`, `problem.${kind}.text`])
    expect(Object.keys(en)).toEqual(expect.arrayContaining(keys))
  })

  it('offer a retry exactly for the problems that may pass', () => {
    expect([...RETRYABLE].sort()).toEqual(['rate_limited', 'unavailable', 'unexpected'])
  })
})
