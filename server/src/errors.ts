/**
 * The API's error vocabulary (protocol.md §7). Handlers throw these; the error-handler
 * plugin is the only place that turns anything into an HTTP response body.
 */
import type { EndedState } from './store/store.ts'
import type { ErrorBody, ErrorCode } from '@burnlink/shared'

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly extra: Pick<ErrorBody, 'state' | 'attemptsLeft'> = {},
  ) {
    super(message)
  }

  toBody(): ErrorBody {
    return { error: this.code, message: this.message, ...this.extra }
  }
}

/**
 * One message for "no such secret" and "wrong access token", so a response can never tell
 * a guesser that an id exists (the tests compare the bytes).
 */
export const notFound = () =>
  new AppError(404, 'not_found', 'No secret matches this link: it never existed, or its record has been deleted.')

const GONE_MESSAGES: Record<EndedState, string> = {
  viewed: 'This secret has already been viewed and no longer exists.',
  expired: 'This secret has expired and no longer exists.',
  burned: 'This secret was burned and no longer exists.',
}

export const gone = (state: EndedState) => new AppError(410, 'gone', GONE_MESSAGES[state], { state })

export const wrongPassphrase = (attemptsLeft: number) =>
  new AppError(
    401,
    'wrong_passphrase',
    attemptsLeft > 0
      ? `Wrong passphrase: ${attemptsLeft} attempt${attemptsLeft === 1 ? '' : 's'} left before the secret is burned.`
      : 'Wrong passphrase: too many attempts, the secret has been burned.',
    { attemptsLeft },
  )

export const invalidRequest = (message: string) => new AppError(400, 'invalid_request', message)
