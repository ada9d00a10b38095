/**
 * The storage contract. Each method is one atomic transition of the secret state machine
 * (protocol.md §8): the Redis store runs each as one Lua script, the memory store as one
 * synchronous block, and both pass the same contract suite (tests/integration/store-contract.test.ts).
 *
 * Results are domain values, never backend errors; the only exception that crosses this
 * interface is `StoreUnavailableError` (backend down, full or too slow), which the API
 * turns into a 503.
 *
 * Verifiers (`av`, `rv`, `mv`) are SHA-256 digests computed by the server from the tokens a
 * client sends, and a claim is the first CLAIM_DIGEST_BYTES of the SHA-256 of the client's
 * claim; the store never sees a token or a claim. `sid` is the canonical base64url string,
 * which is also how it appears in key names.
 */
import type { BurnReason, SecretState, TimelineEventType } from '@burnlink/shared'

export type EndedState = Exclude<SecretState, 'active'>

export interface NewSecret {
  sid: string
  hdr: Uint8Array
  ct: Uint8Array
  av: Uint8Array
  rv: Uint8Array
  mv: Uint8Array
  ttlSeconds: number
  maxViews: number
}

/** Times are milliseconds since the epoch, read from the store's own clock. */
export interface StatusRecord {
  state: SecretState
  burnReason?: BurnReason
  views: number
  maxViews: number
  failedAttempts: number
  createdAt: number
  expiresAt: number
  endedAt?: number
  /** The creator's timeline, oldest first, ending with how it ended (timeline.ts). */
  events: TimelineRecord[]
}

/** One event of a secret's timeline; `at` in ms, rounded down to whole seconds since creation. */
export interface TimelineRecord {
  type: TimelineEventType
  at: number
}

/**
 * A secret with files (protocol.md §10.5): created *uploading*, revealable only after the
 * commit. `layout` is the chunks per file, `bytes` their padded plaintext in all, `bid` the
 * blob store's name for the chunks (newBlobRef). `ttlSeconds` counts from the commit.
 */
export interface NewUpload extends NewSecret {
  uv: Uint8Array
  /** Stored bytes per file (b_f): the size of each chunk follows from them. */
  sizes: readonly number[]
  layout: readonly number[]
  bytes: number
  bid: string
  uploadTtlSeconds: number
}

/** Where a file secret's chunks are: enough to read, expire or delete them. */
export interface FileChunks {
  bid: string
  layout: number[]
}

export type CreateResult = { kind: 'created'; expiresAt: number } | { kind: 'exists' }
/** `bid` is the stored one: a repeated create gets the first create's. */
export type CreateUploadResult = { kind: 'created'; uploadExpiresAt: number; bid: string } | { kind: 'exists' }
export type NotFound = { kind: 'not_found' }
export type Gone = { kind: 'gone'; state: EndedState }
/** The upload is over: committed (whatever happened to the secret since). */
export type Committed = { kind: 'committed' }
/** An upload session as its token holder sees it; `now` is the store's clock. */
export type UploadSession =
  | (FileChunks & { kind: 'uploading'; sizes: number[]; uploadExpiresAt: number; ttlMs: number; now: number })
  | Committed
  | NotFound
export type RecordChunkResult = { kind: 'recorded' } | Committed | NotFound
export type CommitResult =
  { kind: 'committed'; expiresAt: number } | { kind: 'incomplete'; missing: number } | { kind: 'conflict' } | NotFound
export type AbortResult = { kind: 'aborted' } | { kind: 'conflict' } | NotFound
export type MetaResult =
  | { kind: 'ok'; hdr: Uint8Array; viewsLeft: number; expiresAt: number; files?: { count: number; bytes: number } }
  | NotFound
  | Gone
/** A revealed file secret's chunks, the claim's download deadline, and the commit's `fsig` when it had one. */
export type RevealedChunks = FileChunks & { downloadExpiresAt: number; fsig?: Uint8Array }
/**
 * `wrong` with `attemptsLeft: 0` means this failure burned the secret. On a file secret,
 * `files` names its chunks, and an `ok` carries the claim's download deadline.
 */
export type RevealResult =
  | { kind: 'ok'; ct: Uint8Array; viewsLeft: number; files?: RevealedChunks }
  | { kind: 'wrong'; attemptsLeft: number; files?: FileChunks }
  | { kind: 'claim_required' }
  | NotFound
  | Gone
export type BurnResult = { kind: 'burned'; files?: FileChunks } | NotFound | Gone
/** `unneeded`: a file secret that has ended and has no open claim left, whose chunks may go now. */
export type AckResult = { kind: 'acked'; unneeded?: FileChunks } | NotFound
export type ChunkAccessResult =
  (FileChunks & { kind: 'ok'; sizes: number[] }) | { kind: 'window_closed' } | NotFound | Gone
export type BurnAuth = { mv: Uint8Array } | { av: Uint8Array }

/** A claim is kept as this much of its SHA-256: a copy of Redis cannot be replayed as claims. */
export const CLAIM_DIGEST_BYTES = 16

export interface Store {
  /**
   * Refuses (`exists`) when any record for `sid` exists, live or ended, except an identical
   * repeat of the create that made an active secret: that is `created` again, with the
   * same expiry, and changes nothing.
   */
  create(secret: NewSecret): Promise<CreateResult>
  /** Non-consuming: header and counters for a link holder. A wrong `av` is `not_found`. */
  meta(sid: string, av: Uint8Array): Promise<MetaResult>
  /**
   * Releases the ciphertext once per view; a wrong `rv` spends one attempt. With a claim,
   * the release is recorded against it, and the same reveal with the same claim within the
   * retry window gets the same ciphertext again, without counting a view, even once the
   * secret has ended (unless burned).
   */
  reveal(sid: string, av: Uint8Array, rv: Uint8Array, claim?: Uint8Array): Promise<RevealResult>
  /**
   * The claimant has decrypted: the claim can no longer fetch, and the ciphertext of an
   * ended secret goes at once unless another claim is still open. Idempotent.
   */
  ack(sid: string, av: Uint8Array, claim: Uint8Array): Promise<AckResult>
  /** One status per ref, in order; `null` for unknown sids and wrong tokens alike. */
  status(refs: ReadonlyArray<{ sid: string; mv: Uint8Array }>): Promise<Array<StatusRecord | null>>
  /** Creator (`mv`) or link holder (`av`) ends an active secret. */
  burn(sid: string, auth: BurnAuth): Promise<BurnResult>
  /**
   * Opens an upload session; `exists` as for create, except that an identical repeat while
   * the upload is still open is `created` again with the same deadline and bid.
   */
  createUpload(upload: NewUpload): Promise<CreateUploadResult>
  /** Read-only: the session `uv` opens, for a chunk upload, a commit or an abort to act on. */
  uploadSession(sid: string, uv: Uint8Array): Promise<UploadSession>
  /** Notes that a chunk is wholly stored; idempotent. */
  recordChunk(sid: string, uv: Uint8Array, file: number, chunk: number): Promise<RecordChunkResult>
  /**
   * Uploading → active once every declared chunk is recorded, storing `fsig` (opaque, protocol.md
   * §10.7) with it; a repeat after success is `committed` again with the same `fsig` (or again
   * none), `conflict` with another.
   */
  commit(sid: string, uv: Uint8Array, fsig?: Uint8Array): Promise<CommitResult>
  /** Deletes an upload that has not been committed. */
  abort(sid: string, uv: Uint8Array): Promise<AbortResult>
  /** Read-only: may this claim read chunks now? */
  chunkAccess(sid: string, av: Uint8Array, claim: Uint8Array): Promise<ChunkAccessResult>
  /** Resolves when the backend answers; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface StoreOptions {
  /** Wrong reveal tokens that burn a secret (protocol.md §9). */
  maxFailedAttempts: number
  /** How long the status record outlives the secret's expiry. */
  statusRetentionSeconds: number
  /** How long a claimed view can be fetched again; CLAIM_RETRY.defaultSeconds when absent. */
  claimRetrySeconds?: number
  /** How long a file secret's claim may read chunks; DEFAULT_SERVER_LIMITS' when absent. */
  downloadWindowSeconds?: number
}

export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError'
  constructor(
    message: string,
    readonly reason: 'unreachable' | 'full' = 'unreachable',
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}
