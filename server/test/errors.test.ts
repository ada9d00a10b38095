import { describe, expect, it } from 'vitest'
import { ErrorBody } from '@burnlink/shared'
import { API_ERRORS, apiError, frameworkError, type ApiErrorKind } from '../src/errors.ts'

/** One set of arguments per kind that takes any, so every entry can be built. */
const ARGS: Partial<Record<ApiErrorKind, unknown[]>> = {
  invalidRequest: ['ttl is too long'],
  wrongPassphrase: [2],
  gone: ['viewed'],
  payloadTooLarge: ['Request body is too large'],
  unsupportedMediaType: ['Unsupported Media Type'],
  rateLimited: [30],
  byteBudgetSpent: [1800],
}

describe('the error table', () => {
  it.each(Object.keys(API_ERRORS) as ApiErrorKind[])('builds %s as a protocol error body', (kind) => {
    // @ts-expect-error: the arguments come from a table keyed by kind.
    const err = apiError(kind, ...(ARGS[kind] ?? []))
    expect(err.statusCode).toBe(API_ERRORS[kind].status)
    expect(err.statusCode).toBeGreaterThanOrEqual(400)
    expect(ErrorBody.parse(err.body)).toEqual(err.body)
    expect(err.body.error).toBe(API_ERRORS[kind].code)
  })

  it('carries the fields of gone and wrong passphrase', () => {
    expect(apiError('gone', 'burned').body).toEqual({
      error: 'gone',
      message: 'This secret was burned and no longer exists.',
      state: 'burned',
    })
    expect(apiError('wrongPassphrase', 1).body).toEqual({
      error: 'wrong_passphrase',
      message: 'Wrong passphrase: 1 attempt left before the secret is burned.',
      attemptsLeft: 1,
    })
    expect(apiError('wrongPassphrase', 0).body.message).toBe(
      'Wrong passphrase: too many attempts, the secret has been burned.',
    )
  })

  it('says how long a spent byte budget lasts in seconds, or minutes past two', () => {
    expect(apiError('byteBudgetSpent', 90).body.message).toBe(
      'This address has stored as much as it may in an hour; try again in 90 seconds.',
    )
    expect(apiError('byteBudgetSpent', 121).body.message).toBe(
      'This address has stored as much as it may in an hour; try again in 3 minutes.',
    )
  })

  it("keeps the status of Fastify's own errors and maps the ones with a protocol code", () => {
    expect(frameworkError(413, 'too large')).toMatchObject({ statusCode: 413, body: { error: 'payload_too_large' } })
    expect(frameworkError(415, 'bad type')).toMatchObject({
      statusCode: 415,
      body: { error: 'unsupported_media_type' },
    })
    expect(frameworkError(416, 'bad range')).toMatchObject({ statusCode: 416, body: { error: 'invalid_request' } })
  })
})
