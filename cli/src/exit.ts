/**
 * Exit codes are the CLI's contract with scripts, so every failure ends up here and is
 * turned into one code and one sentence in plain words.
 */
import { ApiError, ProtocolError, RevealInDoubtError } from '@burnlink/shared'
import type { SecretState } from '@burnlink/shared'

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  gone: 4,
  wrongPassphrase: 5,
  unavailable: 6,
  /** collect: nobody has answered the request yet (nothing was used up). */
  notAnswered: 7,
  /** respond: somebody else answered first. */
  alreadyAnswered: 8,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** A failure whose code and message are already decided. */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message)
  }
}

export const usageError = (message: string) => new CliError(ExitCode.usage, message)

const GONE: Readonly<Record<SecretState, string>> = {
  active: 'this secret is no longer available',
  viewed: 'this secret was already viewed: it has been opened as many times as its creator allowed',
  expired: 'this secret has expired and was deleted unread',
  burned: 'this secret was burned: by its creator, a recipient, or after too many wrong passphrases',
}

function wrongPassphrase(attemptsLeft: number | undefined): string {
  if (attemptsLeft === 0) return 'wrong passphrase, and that was the last attempt: the secret is now burned'
  const left = attemptsLeft === undefined ? 'some attempts' : `${attemptsLeft} attempt${attemptsLeft === 1 ? '' : 's'}`
  return `wrong passphrase: ${left} left before the secret is burned`
}

function fromApi(e: ApiError, server: string): CliError {
  switch (e.code) {
    case 'network':
      return new CliError(ExitCode.unavailable, `could not reach the server at ${server}`)
    case 'unavailable':
      return new CliError(
        ExitCode.unavailable,
        `the server at ${server} is unavailable right now; try again in a moment`,
      )
    case 'not_found':
      return new CliError(ExitCode.notFound, 'no secret found for this link: it never existed, or its record is gone')
    case 'gone':
      return new CliError(ExitCode.gone, GONE[e.state ?? 'active'])
    case 'wrong_passphrase':
      return new CliError(ExitCode.wrongPassphrase, wrongPassphrase(e.attemptsLeft))
    case 'not_answered':
      return new CliError(ExitCode.notAnswered, 'nobody has answered this request yet; try again later')
    case 'already_answered':
      return new CliError(ExitCode.alreadyAnswered, 'this request has already been answered; it takes no other answer')
    case 'rate_limited':
      return new CliError(ExitCode.failure, 'the server asks to slow down: wait a minute, then try again')
    default:
      return new CliError(ExitCode.failure, `the server refused the request: ${e.message}`)
  }
}

/** `server` is the origin the command talked to, named in network failures. */
export function toCliError(e: unknown, server = 'the given address'): CliError {
  if (e instanceof CliError) return e
  if (e instanceof RevealInDoubtError) {
    // The claim lives in this process only: once it exits, nobody can fetch that view again.
    return new CliError(
      ExitCode.unavailable,
      `the server at ${server} did not answer the reveal: the secret may have been used up by this attempt, ` +
        'and only this run could have fetched it again. If the link no longer opens, ask the sender to send it again',
    )
  }
  if (e instanceof ApiError) return fromApi(e, server)
  if (e instanceof ProtocolError) {
    if (e.reason === 'request_key') return new CliError(ExitCode.failure, `refusing to answer: ${e.message}`)
    return e.reason === 'link'
      ? usageError(e.message)
      : new CliError(ExitCode.failure, `this secret cannot be opened: ${e.message}`)
  }
  return new CliError(ExitCode.failure, e instanceof Error ? e.message : String(e))
}
