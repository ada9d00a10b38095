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
 * client sends; the store never sees a token. `sid` is the canonical base64url string,
 * which is also how it appears in key names.
 */
import type { BurnReason, SecretState } from '@burnlink/shared'

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
}

export type CreateResult = { kind: 'created'; expiresAt: number } | { kind: 'exists' }
export type NotFound = { kind: 'not_found' }
export type Gone = { kind: 'gone'; state: EndedState }
export type MetaResult = { kind: 'ok'; hdr: Uint8Array; viewsLeft: number; expiresAt: number } | NotFound | Gone
/** `wrong` with `attemptsLeft: 0` means this failure burned the secret. */
export type RevealResult =
  { kind: 'ok'; ct: Uint8Array; viewsLeft: number } | { kind: 'wrong'; attemptsLeft: number } | NotFound | Gone
export type BurnResult = { kind: 'burned' } | NotFound | Gone
export type BurnAuth = { mv: Uint8Array } | { av: Uint8Array }

export interface Store {
  /** Refuses (`exists`) when any record for `sid` exists, live or ended. */
  create(secret: NewSecret): Promise<CreateResult>
  /** Non-consuming: header and counters for a link holder. A wrong `av` is `not_found`. */
  meta(sid: string, av: Uint8Array): Promise<MetaResult>
  /** Releases the ciphertext once per view; a wrong `rv` spends one attempt. */
  reveal(sid: string, av: Uint8Array, rv: Uint8Array): Promise<RevealResult>
  /** One status per ref, in order; `null` for unknown sids and wrong tokens alike. */
  status(refs: ReadonlyArray<{ sid: string; mv: Uint8Array }>): Promise<Array<StatusRecord | null>>
  /** Creator (`mv`) or link holder (`av`) ends an active secret. */
  burn(sid: string, auth: BurnAuth): Promise<BurnResult>
  /** Resolves when the backend answers; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface StoreOptions {
  /** Wrong reveal tokens that burn a secret (protocol.md §9). */
  maxFailedAttempts: number
  /** How long the status record outlives the secret's expiry. */
  statusRetentionSeconds: number
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
