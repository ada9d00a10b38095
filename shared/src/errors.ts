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
