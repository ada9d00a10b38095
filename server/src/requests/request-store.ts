/**
 * The storage contract of secret requests (protocol.md §12.5, §12.6), narrow and apart from
 * the secrets' Store: each method is one atomic transition of the request state machine (one
 * Lua script in Redis, one synchronous block in memory), and both implementations pass the
 * same contract suite (tests/helpers/request-contract.ts).
 *
 * `qv` and `cv` are SHA-256 digests of the access and collect tokens, a claim the first
 * CLAIM_DIGEST_BYTES of the SHA-256 of the client's claim: the store never sees a token.
 * Times are milliseconds since the epoch on the store's own clock. The only exception that
 * crosses this interface is StoreUnavailableError.
 */
import type { RequestState } from '@burnlink/shared'

export type { RequestState }
/** States after which nothing can be answered or collected any more. */
export type RequestEnded = Extract<RequestState, 'collected' | 'expired' | 'burned'>

export interface NewRequest {
  rid: string
  /** The requester's public key, an uncompressed P-256 point. */
  pub: Uint8Array
  /** The sealed note, if any. */
  note?: Uint8Array
  qv: Uint8Array
  cv: Uint8Array
  ttlSeconds: number
}

export interface RequestStatusRecord {
  state: RequestState
  createdAt: number
  expiresAt: number
  answeredAt?: number
  endedAt?: number
}

type NotFound = { kind: 'not_found' }
export type RequestGone = { kind: 'gone'; state: RequestEnded }
/** For responders: somebody has answered (the answer may since have been collected). */
type AlreadyAnswered = { kind: 'already_answered' }

export type CreateRequestResult = { kind: 'created'; expiresAt: number } | { kind: 'exists' }
export type OpenResult =
  { kind: 'ok'; pub: Uint8Array; note?: Uint8Array; expiresAt: number } | AlreadyAnswered | NotFound | RequestGone
export type AnswerResult = { kind: 'answered' } | AlreadyAnswered | NotFound | RequestGone
export type CollectResult =
  { kind: 'ok'; epk: Uint8Array; ans: Uint8Array } | { kind: 'not_answered' } | NotFound | RequestGone
export type CollectAckResult = { kind: 'acked' } | NotFound
export type RequestBurnResult = { kind: 'burned' } | NotFound | RequestGone

export interface RequestStoreOptions {
  /** How long the status outlives the request's expiry. */
  statusRetentionSeconds: number
  /** How long a collected answer can be fetched again with the same claim. */
  claimRetrySeconds: number
}

export interface RequestStore {
  /** Refuses (`exists`) any rid already used, except an identical repeat while still pending. */
  create(request: NewRequest): Promise<CreateRequestResult>
  /** Non-consuming: the public key and note for a holder of the request link. */
  open(rid: string, qv: Uint8Array): Promise<OpenResult>
  /**
   * Stores `epk ‖ ans` as the one answer of a pending request; the same answer again while
   * answered is `answered` again (a retry), any other `already_answered`.
   */
  answer(rid: string, qv: Uint8Array, epk: Uint8Array, ans: Uint8Array): Promise<AnswerResult>
  /**
   * Releases the answer once; with a claim, the same claim gets it again within the retry
   * window (protocol.md §7). `not_answered` changes nothing.
   */
  collect(rid: string, cv: Uint8Array, claim?: Uint8Array): Promise<CollectResult>
  /** The collector has decrypted: the answer goes now. Idempotent. */
  ack(rid: string, cv: Uint8Array, claim: Uint8Array): Promise<CollectAckResult>
  /** `null` for an unknown rid and a wrong cv alike. */
  status(rid: string, cv: Uint8Array): Promise<RequestStatusRecord | null>
  /** The requester ends a pending or answered request, claims included. */
  burn(rid: string, cv: Uint8Array): Promise<RequestBurnResult>
  close(): Promise<void>
}

/** The answer as stored: the ephemeral public key first, at a fixed length. */
export const EPK_BYTES = 65
