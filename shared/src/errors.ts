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
