/**
 * The store as the routes see it when metrics are on: the same calls, timed, with their
 * failures and their outcomes counted. Outcomes are read from the store's own results, so
 * a counter moves exactly when the state did: a burn's reason is the token that burned it,
 * and the wrong passphrase that spends the last attempt counts as a burn by `attempts`.
 *
 * Not counted here: expiry, which happens inside Redis when a key's time runs out, with no
 * server call to observe it. A create, or a claimed reveal, that a client repeats after
 * losing the answer is answered as the first was and counted again: the store does not tell
 * a repeat from the original.
 */
import type { BurnAuth, NewSecret, NewUpload, Store } from '../store/store.ts'
import { StoreUnavailableError } from '../store/store.ts'
import type { Metrics, StoreOperation } from './metrics.ts'

export class MeteredStore implements Store {
  constructor(
    private readonly store: Store,
    private readonly metrics: Metrics,
  ) {}

  async create(secret: NewSecret) {
    const result = await this.timed('create', () => this.store.create(secret))
    if (result.kind === 'created') {
      this.metrics.created.inc()
      this.metrics.createdBytes.inc(secret.hdr.length + secret.ct.length)
    }
    return result
  }

  meta(sid: string, av: Uint8Array) {
    return this.timed('meta', () => this.store.meta(sid, av))
  }

  async reveal(sid: string, av: Uint8Array, rv: Uint8Array, claim?: Uint8Array) {
    const result = await this.timed('reveal', () => this.store.reveal(sid, av, rv, claim))
    if (result.kind === 'ok') this.metrics.revealed.inc()
    if (result.kind === 'wrong') {
      this.metrics.wrongPassphrases.inc()
      if (result.attemptsLeft === 0) this.metrics.burned.inc({ reason: 'attempts' })
    }
    return result
  }

  ack(sid: string, av: Uint8Array, claim: Uint8Array) {
    return this.timed('ack', () => this.store.ack(sid, av, claim))
  }

  status(refs: ReadonlyArray<{ sid: string; mv: Uint8Array }>) {
    return this.timed('status', () => this.store.status(refs))
  }

  async burn(sid: string, auth: BurnAuth) {
    const result = await this.timed('burn', () => this.store.burn(sid, auth))
    if (result.kind === 'burned') this.metrics.burned.inc({ reason: 'mv' in auth ? 'creator' : 'recipient' })
    return result
  }

  ping() {
    return this.timed('ping', () => this.store.ping())
  }

  // An upload's steps pass untimed: the operations counted are the secret's lifecycle, and
  // a file secret's reveal, ack and burn are counted above like any other.
  createUpload(upload: NewUpload) {
    return this.store.createUpload(upload)
  }

  uploadSession(sid: string, uv: Uint8Array) {
    return this.store.uploadSession(sid, uv)
  }

  recordChunk(sid: string, uv: Uint8Array, file: number, chunk: number) {
    return this.store.recordChunk(sid, uv, file, chunk)
  }

  commit(sid: string, uv: Uint8Array) {
    return this.store.commit(sid, uv)
  }

  abort(sid: string, uv: Uint8Array) {
    return this.store.abort(sid, uv)
  }

  chunkAccess(sid: string, av: Uint8Array, claim: Uint8Array) {
    return this.store.chunkAccess(sid, av, claim)
  }

  close() {
    return this.store.close()
  }

  private async timed<T>(operation: StoreOperation, call: () => Promise<T>): Promise<T> {
    const done = this.metrics.storeDuration.startTimer({ operation })
    try {
      return await call()
    } catch (err) {
      this.metrics.storeErrors.inc({ operation, reason: err instanceof StoreUnavailableError ? err.reason : 'error' })
      throw err
    } finally {
      done()
    }
  }
}
