/**
 * One zod schema per API payload (protocol.md §7). The server validates requests with
 * them, the web app and the CLI parse responses with them; types come from `z.infer`.
 *
 * Written with zod/mini: the same validation core as classic zod, with tree-shakable
 * functions instead of methods, so the web page ships a few KB of it instead of all of it.
 *
 * Binary fields stay base64url strings here; validation is O(length) with no decoding,
 * and the server decodes each field once, where it uses it.
 */
import * as z from 'zod/mini'
import { b64uLength, isCanonicalB64u } from './base64url.ts'
import {
  CLAIM_BYTES,
  CLAIM_RETRY,
  CT_LENGTHS,
  EC_POINT_BYTES,
  HEADER_BYTES,
  RID_BYTES,
  SID_BYTES,
  STATUS_BATCH_MAX,
  TOKEN_BYTES,
  TTL,
} from './limits.ts'

function b64u(bytes: number, what: string) {
  return z
    .string()
    .check(
      z.length(b64uLength(bytes), `${what} must be ${bytes} bytes of base64url (${b64uLength(bytes)} characters)`),
      z.refine(isCanonicalB64u, `${what} must be canonical base64url`),
    )
}

const CT_CHAR_LENGTHS = new Set(CT_LENGTHS.map(b64uLength))

const nonNegative = () => z.int().check(z.minimum(0))

export const Sid = b64u(SID_BYTES, 'sid')
export const Token = (what: string) => b64u(TOKEN_BYTES, what)
/** Random bytes a recipient chooses once per page life or CLI run, to retry a reveal safely (protocol.md §7). */
export const Claim = b64u(CLAIM_BYTES, 'claim')

const HDR_CHAR_LENGTHS = new Set(Object.values(HEADER_BYTES).map(b64uLength))

/** A header of one of the known sizes; the server checks shape only, clients check the content. */
export const Hdr = z
  .string()
  .check(
    z.refine(
      (s) => HDR_CHAR_LENGTHS.has(s.length) && isCanonicalB64u(s),
      `hdr must be a ${Object.values(HEADER_BYTES).join('- or ')}-byte header in base64url`,
    ),
  )

export const Ct = z.string().check(
  z.refine((s) => CT_CHAR_LENGTHS.has(s.length), `ct length must be one of ${CT_LENGTHS.join(', ')} bytes`),
  z.refine(isCanonicalB64u, 'ct must be canonical base64url'),
)

const IsoTime = z.string().check(z.describe('ISO 8601 time'))

/** Files per secret a server may allow at most (its MAX_FILES is at most this): bounds a create's `files`. */
export const MAX_FILES_CEILING = 1000

/**
 * A create (protocol.md §7); a file secret's adds `uv` (the upload token's digest) and
 * `files` (each file's stored bytes b_f, in manifest order), both or neither (§10.5).
 */
export const CreateSecretRequest = z
  .strictObject({
    v: z.literal(1),
    sid: Sid,
    hdr: Hdr,
    ct: Ct,
    av: Token('av'),
    rv: Token('rv'),
    mv: Token('mv'),
    ttl: z.int().check(z.minimum(TTL.minSeconds), z.describe('seconds until the secret expires')),
    maxViews: z._default(z.int().check(z.minimum(1)), 1),
    uv: z.optional(Token('uv')),
    files: z.optional(
      z
        .array(z.int().check(z.minimum(1)))
        .check(
          z.minLength(1, 'files lists at least one file'),
          z.maxLength(MAX_FILES_CEILING, `files lists at most ${MAX_FILES_CEILING} files`),
        ),
    ),
  })
  .check(z.refine((b) => (b.uv === undefined) === (b.files === undefined), 'uv and files come together or not at all'))
export const CreateSecretResponse = z.object({ sid: Sid, expiresAt: IsoTime })
/** A create with files opens an upload session: nothing is revealable before the commit. */
export const CreateUploadResponse = z.object({ sid: Sid, uploadExpiresAt: IsoTime })

/** A chunk index in a header: decimal, no sign or leading zero, a u32. */
const DecimalIndex = z
  .string()
  .check(z.regex(/^(0|[1-9][0-9]{0,9})$/, 'must be a decimal index without sign or leading zero'))

/**
 * The headers of a chunk upload (`POST /api/v1/secrets/chunk`, body = the stored chunk):
 * ids and tokens travel in headers, never in the URL. Other headers pass.
 */
export const ChunkUploadHeaders = z.object({
  'burnlink-sid': Sid,
  'burnlink-upload-token': Token('ut'),
  'burnlink-file': DecimalIndex,
  'burnlink-chunk': DecimalIndex,
})
/** 204, no body. */
export const ChunkUploadResponse = z.null().check(z.describe('the whole chunk is stored: no body'))

/** Commit and abort are authorised by the upload token. */
export const UploadRef = z.strictObject({ sid: Sid, ut: Token('ut') })

/** Bytes of an `fsig` for F files (protocol.md §10.7); files-signature.ts has the same figure. */
const fsigFiles = (chars: number): number | undefined => {
  const files = (Math.floor((chars * 3) / 4) - 64) / 32
  return Number.isInteger(files) && files >= 1 && files <= MAX_FILES_CEILING ? files : undefined
}

/**
 * The creator's files signature, `D_0 ‖ … ‖ D_{F−1} ‖ sig` (protocol.md §10.7), opaque to
 * the server: the schema checks that it is 32·F + 64 bytes for some F, the commit that F is
 * the upload's.
 */
export const Fsig = z
  .string()
  .check(
    z.refine(
      (s) => fsigFiles(s.length) !== undefined && isCanonicalB64u(s),
      'fsig must be 32 bytes per file and a 64-byte signature, in canonical base64url',
    ),
  )
/** A format 2 creator's commit carries `fsig`; a format 1 header has no key to make one. */
export const CommitRequest = z.strictObject({ sid: Sid, ut: Token('ut'), fsig: z.optional(Fsig) })
export const CommitResponse = z.object({ sid: Sid, expiresAt: IsoTime })
/** 204, no body. */
export const AbortResponse = z.null().check(z.describe('the upload and its chunks are deleted: no body'))

/** A chunk of a revealed file secret, for the claim that revealed it, within its download window. */
export const ChunkReadRequest = z.strictObject({
  sid: Sid,
  acc: Token('acc'),
  claim: Claim,
  file: z.int().check(z.minimum(0), z.maximum(0xffff_ffff)),
  chunk: z.int().check(z.minimum(0), z.maximum(0xffff_ffff)),
})

export const MetaRequest = z.strictObject({ sid: Sid, acc: Token('acc') })
/** Only on a file secret: how many files and their padded bytes, so a page can say what waits. */
export const FilesSummary = z.object({ count: z.int().check(z.minimum(1)), bytes: z.int().check(z.minimum(1)) })
export const MetaResponse = z.object({
  hdr: Hdr,
  viewsLeft: z.int().check(z.minimum(1)),
  expiresAt: IsoTime,
  files: z.optional(FilesSummary),
})

export const RevealRequest = z.strictObject({
  sid: Sid,
  acc: Token('acc'),
  rev: Token('rev'),
  claim: z.optional(Claim),
})
/** A file secret's reveal also says until when its claim may read chunks. */
export const RevealResponse = z.object({
  ct: Ct,
  viewsLeft: nonNegative(),
  downloadExpiresAt: z.optional(IsoTime),
  /** What the commit stored, when it carried one (protocol.md §10.7). */
  fsig: z.optional(Fsig),
})

/** The claimant has decrypted: its claim can no longer fetch, and the server may delete the ciphertext. */
export const AckRequest = z.strictObject({ sid: Sid, acc: Token('acc'), claim: Claim })
/** 204, no body. */
export const AckResponse = z.null().check(z.describe('acknowledged: no body'))

export const SecretState = z.enum(['active', 'viewed', 'expired', 'burned'])
export const BurnReason = z.enum(['creator', 'recipient', 'attempts'])

/**
 * What happened to a secret, for its creator (protocol.md §7): opened without a reveal (a
 * meta call, one per minute at most in a row), a view released, a wrong passphrase, and
 * last how it ended. Times only: nothing about who.
 */
export const TimelineEventType = z.enum(['opened', 'revealed', 'wrong_passphrase', 'viewed', 'expired', 'burned'])
export const TimelineEvent = z.object({ type: TimelineEventType, at: IsoTime })

export const SecretStatus = z.object({
  state: SecretState,
  burnReason: z.optional(BurnReason),
  views: nonNegative(),
  maxViews: z.int().check(z.minimum(1)),
  failedAttempts: nonNegative(),
  createdAt: IsoTime,
  expiresAt: IsoTime,
  endedAt: z.optional(IsoTime),
  /** Oldest first: the first TIMELINE_MAX_EVENTS, then the end, once there is one. */
  events: z._default(z.array(TimelineEvent), []),
})

export const ManageRef = z.strictObject({ sid: Sid, mt: Token('mt') })
export const StatusBatchRequest = z.strictObject({
  items: z
    .array(ManageRef)
    .check(
      z.minLength(1, 'at least one item'),
      z.maxLength(STATUS_BATCH_MAX, `at most ${STATUS_BATCH_MAX} items per request`),
    ),
})
export const StatusRequest = z.union([ManageRef, StatusBatchRequest])
export const StatusBatchResponse = z.object({ items: z.array(z.nullable(SecretStatus)) })
export const StatusResponse = z.union([SecretStatus, StatusBatchResponse])

export const BurnRequest = z.union([ManageRef, z.strictObject({ sid: Sid, acc: Token('acc') })])
export const BurnResponse = z.object({ state: z.literal('burned') })

/** GET /api/v1/config: the server's limits, so clients bound their forms instead of meeting a 400. */
export const ServerLimits = z.object({
  maxTtlSeconds: z.int().check(z.minimum(TTL.minSeconds)),
  maxViews: z.int().check(z.minimum(1)),
  maxFailedAttempts: z.int().check(z.minimum(1)),
  allowHttpRedirects: z.boolean(),
  /** How long a reveal that lost its answer can be repeated with the same claim. */
  claimRetrySeconds: z.int().check(z.minimum(CLAIM_RETRY.minSeconds)),
  /** The most padded plaintext of all files of one secret (protocol.md §10.5). */
  maxFileBytes: z.int().check(z.minimum(1)),
  maxFiles: z.int().check(z.minimum(1)),
  /** How long a claimant may read chunks after its reveal. */
  downloadWindowSeconds: z.int().check(z.minimum(CLAIM_RETRY.minSeconds)),
})

/** An uncompressed P-256 point (protocol.md §12): 0x04 ‖ x ‖ y. */
export const EcPoint = (what: string) => b64u(EC_POINT_BYTES, what)
export const Rid = b64u(RID_BYTES, 'rid')
const RequestTtl = z.int().check(z.minimum(TTL.minSeconds), z.describe('seconds until the request expires'))

/** A secret request (protocol.md §12.5): the requester's public key, the verifiers and the sealed note. */
export const CreateRequestRequest = z.strictObject({
  v: z.literal(1),
  rid: Rid,
  pub: EcPoint('pub'),
  qv: Token('qv'),
  cv: Token('cv'),
  note: z.optional(Ct),
  ttl: RequestTtl,
})
export const CreateRequestResponse = z.object({ rid: Rid, expiresAt: IsoTime })
export const RequestAccess = z.strictObject({ rid: Rid, acc: Token('acc') })
export const OpenRequestResponse = z.object({ pub: EcPoint('pub'), note: z.optional(Ct), expiresAt: IsoTime })
export const AnswerRequest = z.strictObject({ rid: Rid, acc: Token('acc'), epk: EcPoint('epk'), ans: Ct })
export const AnswerResponse = z.object({ state: z.literal('answered') })
/** The requester's own calls: status and burn; collect adds a claim (protocol.md §7). */
export const CollectRef = z.strictObject({ rid: Rid, col: Token('col') })
export const CollectRequest = z.strictObject({ rid: Rid, col: Token('col'), claim: z.optional(Claim) })
export const CollectResponse = z.object({ epk: EcPoint('epk'), ans: Ct })
export const CollectAckRequest = z.strictObject({ rid: Rid, col: Token('col'), claim: Claim })
export const RequestState = z.enum(['pending', 'answered', 'collected', 'expired', 'burned'])
export const RequestStatus = z.object({
  state: RequestState,
  createdAt: IsoTime,
  expiresAt: IsoTime,
  answeredAt: z.optional(IsoTime),
  endedAt: z.optional(IsoTime),
})

export const ErrorCode = z.enum([
  'invalid_request',
  'not_found',
  'gone',
  'wrong_passphrase',
  'conflict',
  'payload_too_large',
  'window_closed',
  'already_answered',
  'not_answered',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  'internal',
])
export const ErrorBody = z.object({
  error: ErrorCode,
  message: z.string(),
  state: z.optional(SecretState),
  attemptsLeft: z.optional(nonNegative()),
  /** On a refused commit: how many declared chunks are not stored yet. */
  missing: z.optional(nonNegative()),
})

export type CreateSecretRequest = z.input<typeof CreateSecretRequest>
export type CreateSecretResponse = z.infer<typeof CreateSecretResponse>
export type CreateUploadResponse = z.infer<typeof CreateUploadResponse>
export type UploadRef = z.infer<typeof UploadRef>
export type CommitRequest = z.infer<typeof CommitRequest>
export type CommitResponse = z.infer<typeof CommitResponse>
export type ChunkReadRequest = z.infer<typeof ChunkReadRequest>
export type FilesSummary = z.infer<typeof FilesSummary>
export type MetaRequest = z.infer<typeof MetaRequest>
export type MetaResponse = z.infer<typeof MetaResponse>
export type RevealRequest = z.infer<typeof RevealRequest>
export type RevealResponse = z.infer<typeof RevealResponse>
export type AckRequest = z.infer<typeof AckRequest>
export type SecretState = z.infer<typeof SecretState>
export type BurnReason = z.infer<typeof BurnReason>
export type SecretStatus = z.infer<typeof SecretStatus>
export type TimelineEventType = z.infer<typeof TimelineEventType>
export type TimelineEvent = z.infer<typeof TimelineEvent>
export type ManageRef = z.infer<typeof ManageRef>
export type StatusBatchRequest = z.infer<typeof StatusBatchRequest>
export type StatusBatchResponse = z.infer<typeof StatusBatchResponse>
export type BurnRequest = z.infer<typeof BurnRequest>
export type ServerLimits = z.infer<typeof ServerLimits>
export type CreateRequestRequest = z.infer<typeof CreateRequestRequest>
export type RequestAccess = z.infer<typeof RequestAccess>
export type AnswerRequest = z.infer<typeof AnswerRequest>
export type CollectRef = z.infer<typeof CollectRef>
export type CollectRequest = z.infer<typeof CollectRequest>
export type CollectAckRequest = z.infer<typeof CollectAckRequest>
export type RequestState = z.infer<typeof RequestState>
export type RequestStatus = z.infer<typeof RequestStatus>
export type ErrorCode = z.infer<typeof ErrorCode>
export type ErrorBody = z.infer<typeof ErrorBody>
