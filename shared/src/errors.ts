import type { ErrorCode, SecretState } from './schemas.ts'

/**
 * Why a protocol value was refused. The reasons match `error` in vectors.json so tests can
 * say which check fired; callers should treat every reason as "cannot open this".
 */
export type ProtocolErrorReason =
  | 'b64u'
  | 'header'
  | 'link'
  | 'ct_length'
  | 'auth'
  | 'frame_length'
  | 'frame_padding'
  | 'frame_type'
  | 'frame_utf8'
  | 'payload'
  | 'manifest'
  | 'chunk_length'
  | 'chunk_auth'
  | 'chunk_padding'
  | 'chunk_missing'
  | 'chunk_extra'
  | 'signature'
  | 'files_digest'
  | 'request_key'

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
  constructor(
    readonly reason: ProtocolErrorReason,
    message: string,
  ) {
    super(message)
  }
}

/** What the server refused, by its error code, or `network` when it could not be reached. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    /** 0 when the server could not be reached. */
    readonly status: number,
    readonly code: ErrorCode | 'network',
    message: string,
    readonly state?: SecretState,
    readonly attemptsLeft?: number,
    /** On a refused commit: how many declared chunks the server lacks. */
    readonly missing?: number,
  ) {
    super(message)
  }
}

/**
 * A reveal that got no answer, even after its retries: the server may have released the
 * view to this recipient's claim. Until `retryUntil` (this device's clock), `reveal()` on
 * the same recipient can still fetch it, and nobody else can.
 */
export class RevealInDoubtError extends Error {
  override readonly name = 'RevealInDoubtError'
  constructor(
    readonly retryUntil: number,
    options: { cause: ApiError },
  ) {
    super(
      `the server did not answer: the secret may have been used up by this attempt; ` +
        `retrying is still possible for ${minutesUntil(retryUntil)} minutes`,
      options,
    )
  }

  /** Whole minutes left for a retry, rounded down. */
  minutesLeft(now = Date.now()): number {
    return minutesUntil(this.retryUntil, now)
  }
}

function minutesUntil(t: number, now = Date.now()): number {
  return Math.max(0, Math.floor((t - now) / 60_000))
}
