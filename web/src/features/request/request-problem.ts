import { ApiError, ProtocolError } from '@burnlink/shared'
import { problemFrom, type ProblemKind } from '../../lib/problems.ts'

/**
 * What stops a responder or a collector, in words of this feature where the general
 * problems (lib/problems.ts) have none: a key the server swapped, a request already
 * answered, an answer not there yet.
 */
export type RequestProblem = 'key_mismatch' | 'already_answered' | 'not_answered' | ProblemKind

export function requestProblemFrom(error: unknown): RequestProblem {
  if (error instanceof ProtocolError && error.reason === 'request_key') return 'key_mismatch'
  if (error instanceof ApiError && (error.code === 'already_answered' || error.code === 'not_answered'))
    return error.code
  return problemFrom(error)
}

/** The three of this feature, shown by the feature itself; the rest by ProblemNotice. */
export const isOwnProblem = (p: RequestProblem): p is 'key_mismatch' | 'already_answered' | 'not_answered' =>
  p === 'key_mismatch' || p === 'already_answered' || p === 'not_answered'
