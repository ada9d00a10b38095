import { ApiError, ProtocolError, RevealInDoubtError } from '@burnlink/shared'
import { problemFrom, type ProblemKind } from '../../lib/problems.ts'

/** What the page does after a reveal failed: ask for the passphrase again, offer a retry, or show a problem. */
export type RevealFailure =
  | { kind: 'wrong_passphrase'; attemptsLeft: number }
  | { kind: 'in_doubt'; retryUntil: number }
  | { kind: 'problem'; problem: ProblemKind }

export interface RevealContext {
  /** When the first reveal of this page whose outcome is not known began (ms since the epoch). */
  doubtSince: number
  claimRetrySeconds: number
  /** An earlier reveal on this page got no answer. */
  hadDoubt: boolean
}

/**
 * Sorts out why `reveal()` failed. Only a definite answer from the server may say what
 * happened to the secret; when the server may have released a view without the page
 * getting it, the page says so and offers to fetch it again with the same claim.
 */
export function revealFailure(e: unknown, context: RevealContext): RevealFailure {
  if (e instanceof RevealInDoubtError) return { kind: 'in_doubt', retryUntil: e.retryUntil }
  if (e instanceof ApiError) {
    if (e.code === 'wrong_passphrase' && e.attemptsLeft !== undefined) {
      // A 401 with nothing left means this very attempt burned it: say so, not just "burned".
      return e.attemptsLeft === 0
        ? { kind: 'problem', problem: 'burned_by_attempts' }
        : { kind: 'wrong_passphrase', attemptsLeft: e.attemptsLeft }
    }
    // A 5xx other than 503, or a 200 whose body was not a reveal's: the view may be released.
    if (e.code === 'internal' || e.status >= 500) {
      return { kind: 'in_doubt', retryUntil: context.doubtSince + context.claimRetrySeconds * 1000 }
    }
    if (e.code === 'gone' && e.state === 'viewed' && context.hadDoubt) {
      return { kind: 'problem', problem: 'viewed_after_doubt' }
    }
  }
  // Once released, only the redirect re-check refuses with 'payload' (the envelope and frame
  // checks have reasons of their own), so this is a target the page will not navigate to.
  if (e instanceof ProtocolError && e.reason === 'payload') return { kind: 'problem', problem: 'redirect_refused' }
  return { kind: 'problem', problem: problemFrom(e) }
}
