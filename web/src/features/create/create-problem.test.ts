import { describe, expect, it } from 'vitest'
import { ApiError, ProtocolError } from '@burnlink/shared'
import { createProblem } from './create-problem.ts'

describe('createProblem', () => {
  it('says a failure before sending was the encryption, with its reason', () => {
    expect(createProblem(new ProtocolError('payload', 'the redirect URL must use https'))).toEqual({
      key: 'create.error.encrypt',
      params: { reason: 'the redirect URL must use https' },
    })
    expect(createProblem('worker crashed').params).toEqual({ reason: 'worker crashed' })
  })

  it.each([new ApiError(0, 'network', 'could not reach the server'), new ApiError(503, 'unavailable', 'storage down')])(
    'says no link was made when the server stayed out of reach ($code)',
    (error) => {
      expect(createProblem(error).key).toBe('create.error.unavailable')
    },
  )

  it('asks to wait on a rate limit, and says when the secret is too large', () => {
    expect(createProblem(new ApiError(429, 'rate_limited', 'slow')).key).toBe('create.error.rateLimited')
    expect(createProblem(new ApiError(413, 'payload_too_large', 'big')).key).toBe('create.error.tooLarge')
  })

  it("names any other refusal by its code, never by the server's English message", () => {
    expect(createProblem(new ApiError(400, 'invalid_request', 'ttl must be at least 60'))).toEqual({
      key: 'create.error.refused',
      params: { code: 'invalid_request' },
    })
    expect(createProblem(new ApiError(500, 'internal', 'status 500')).params).toEqual({ code: 'internal' })
  })
})
