import { describe, expect, it } from 'vitest'
import { ApiError, ProtocolError } from '@burnlink/shared'
import { createProblemText } from './create-problem.ts'

describe('createProblemText', () => {
  it('says a failure before sending was the encryption, with its reason', () => {
    expect(createProblemText(new ProtocolError('payload', 'the redirect URL must use https'))).toBe(
      'The secret could not be encrypted: the redirect URL must use https.',
    )
    expect(createProblemText('worker crashed')).toBe('The secret could not be encrypted: worker crashed.')
  })

  it.each([new ApiError(0, 'network', 'could not reach the server'), new ApiError(503, 'unavailable', 'storage down')])(
    'says no link was made when the server stayed out of reach ($code)',
    (error) => {
      expect(createProblemText(error)).toBe(
        'The server did not answer, even after trying again for a while. No link was made: try again in a moment.',
      )
    },
  )

  it('asks to wait on a rate limit, and says when the secret is too large', () => {
    expect(createProblemText(new ApiError(429, 'rate_limited', 'slow'))).toMatch(/^Too many secrets from here/)
    expect(createProblemText(new ApiError(413, 'payload_too_large', 'big'))).toBe(
      'The secret is too large for this server.',
    )
  })

  it("passes on the server's own reason for any other refusal, a bare 500 included", () => {
    expect(createProblemText(new ApiError(400, 'invalid_request', 'ttl must be at least 60'))).toBe(
      'The server refused the secret: ttl must be at least 60.',
    )
    expect(createProblemText(new ApiError(500, 'internal', 'the server answered with status 500'))).toBe(
      'The server refused the secret: the server answered with status 500.',
    )
  })
})
