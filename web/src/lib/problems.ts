import { ApiError, ProtocolError } from '@burnlink/shared'

/** Everything that can stop a person from reading or managing a secret, each with its own words. */
export type ProblemKind =
  | 'missing'
  | 'malformed'
  | 'not_found'
  | 'viewed'
  | 'viewed_after_doubt'
  | 'expired'
  | 'burned'
  | 'burned_by_attempts'
  | 'damaged'
  | 'not_from_creator'
  | 'redirect_refused'
  | 'rate_limited'
  | 'unavailable'
  | 'unexpected'

export const PROBLEM_KINDS: readonly ProblemKind[] = [
  'missing',
  'malformed',
  'not_found',
  'viewed',
  'viewed_after_doubt',
  'expired',
  'burned',
  'burned_by_attempts',
  'damaged',
  'not_from_creator',
  'redirect_refused',
  'rate_limited',
  'unavailable',
  'unexpected',
]

/** The problems that may pass, so trying again makes sense. Their words are the messages problem.<kind>.title and .text. */
export const RETRYABLE: ReadonlySet<ProblemKind> = new Set(['rate_limited', 'unavailable', 'unexpected'])

export function problemFrom(error: unknown): ProblemKind {
  if (error instanceof ProtocolError) {
    // Another link holder's content under the link (protocol.md §5.1): not "damaged", someone may be at work.
    if (error.reason === 'signature') return 'not_from_creator'
    return error.reason === 'link' ? 'malformed' : 'damaged'
  }
  if (!(error instanceof ApiError)) return 'unexpected'
  if (error.code === 'not_found') return 'not_found'
  if (error.code === 'gone') return error.state === 'active' || !error.state ? 'burned' : error.state
  if (error.code === 'rate_limited') return 'rate_limited'
  if (error.code === 'network' || error.code === 'unavailable' || error.status >= 500) return 'unavailable'
  return 'unexpected'
}
