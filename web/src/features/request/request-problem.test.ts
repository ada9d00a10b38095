import { describe, expect, it } from 'vitest'
import { ApiError, ProtocolError } from '@burnlink/shared'
import { isOwnProblem, requestProblemFrom } from './request-problem.ts'

describe('requestProblemFrom', () => {
  it('names the three problems of requests, and leaves the rest to the general words', () => {
    expect(requestProblemFrom(new ProtocolError('request_key', 'x'))).toBe('key_mismatch')
    expect(requestProblemFrom(new ApiError(409, 'already_answered', 'x'))).toBe('already_answered')
    expect(requestProblemFrom(new ApiError(409, 'not_answered', 'x'))).toBe('not_answered')
    expect(requestProblemFrom(new ApiError(410, 'gone', 'x', 'viewed'))).toBe('viewed')
    expect(requestProblemFrom(new ProtocolError('link', 'x'))).toBe('malformed')
    expect(requestProblemFrom(new ProtocolError('auth', 'x'))).toBe('damaged')
    expect(isOwnProblem('key_mismatch')).toBe(true)
    expect(isOwnProblem('viewed')).toBe(false)
  })
})
