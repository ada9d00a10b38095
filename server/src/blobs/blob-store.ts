/**
 * Where the chunks of file secrets live (protocol.md §10): one interface, three stores
 * (memory, Redis, S3-compatible), one contract suite (tests/helpers/blob-contract.ts).
 *
 * A blob store only keeps bytes. Which chunks a secret has, who may read them and when they
 * go is the secrets store's business: a route checks the secret, then moves the bytes, and
 * records a chunk as uploaded only once `put` has resolved. Deletion is driven by the sweep
 * (sweep.ts), which every store supports through `deleteAll`.
 *
 * The only errors that cross this interface are `StoreUnavailableError` (the backend is
 * down, full or too slow: a 503), `BlobBodyError` (the bytes to store did not arrive whole:
 * the client's side) and `RangeError` (a caller's bug).
 */
import { randomBytes } from 'node:crypto'
import type { Readable } from 'node:stream'
import { STORED_CHUNK_BYTES } from '@burnlink/shared'

/**
 * Names one secret's chunks. Made by `newBlobRef` when an upload starts and kept with the
 * secret; callers never take it apart.
 */
export interface BlobRef {
  /** The secret's sid: Redis keys carry it as their hash tag, so chunks live in the secret's slot. */
  readonly sid: string
  /** Random, made by the server: S3 object names use it, so no sid ever appears in a storage URL. */
  readonly bid: string
}

/** Chunks per file in file order (n_f, protocol.md §10.2): all that deletion and expiry need. */
export type BlobLayout = readonly number[]

const BID_BYTES = 16

export function newBlobRef(sid: string): BlobRef {
  return { sid, bid: randomBytes(BID_BYTES).toString('base64url') }
}

export interface PutOptions {
  /** The chunk's stored size, 1..STORED_CHUNK_BYTES; the body must carry exactly this many bytes. */
  size: number
  /**
   * Milliseconds since the epoch: a store that can drop data by itself (Redis, memory) drops
   * the chunk then, unless `expire` moves it. A put never brings an existing chunk's deadline
   * earlier, so a retried upload racing the commit cannot shorten the committed chunk's life.
   */
  expiresAt: number
}

export interface BlobStore {
  /**
   * Stores chunk `chunk` of file `file`, replacing any earlier one, and resolves once all of
   * it is stored. Atomic: until then readers see the previous chunk or none, and a put that
   * fails stores nothing. A stream body is read once, as it comes (S3 passes it straight on;
   * Redis and memory hold this one chunk); it rejects with BlobBodyError when the body
   * fails, ends short or runs long, and then the body may be left unread.
   */
  put(ref: BlobRef, file: number, chunk: number, body: Readable | Uint8Array, options: PutOptions): Promise<void>
  /**
   * The stored bytes, exactly as put, or null when there is no such chunk (never put,
   * deleted, expired). The caller must read the stream to its end or destroy it: an S3
   * stream holds a connection until then.
   */
  get(ref: BlobRef, file: number, chunk: number): Promise<Readable | null>
  /** Removes every chunk the layout names; idempotent, and chunks never put are no error. */
  deleteAll(ref: BlobRef, layout: BlobLayout): Promise<void>
  /**
   * Moves the deadline of every stored chunk to `at` (ms since the epoch), later or earlier:
   * the secret's expiry at commit, a download window's end after the last view. Only a
   * safety net under the sweep, which deletes on time whatever the store: S3 objects cannot
   * expire one by one, so there it does nothing. Give it the latest moment any reader may
   * still need the chunks. With `onlyLater`, a chunk's deadline only moves later: for a
   * reveal's window, which must not shorten another's.
   */
  expire(ref: BlobRef, layout: BlobLayout, at: number, onlyLater?: boolean): Promise<void>
  /** Resolves when the backend answers; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>
  /** Lets go of what the store opened itself (not a Redis client it was given). */
  close(): Promise<void>
}

/** The body of a put failed, ended short or ran long: nothing was stored. */
export class BlobBodyError extends Error {
  override readonly name = 'BlobBodyError'
}

/** Throws RangeError for indices or a size no layout has: those are the caller's bugs. */
export function checkChunk(file: number, chunk: number, size?: number): void {
  for (const [what, n] of [
    ['file', file],
    ['chunk', chunk],
  ] as const) {
    if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new RangeError(`${what} index ${n} is not a u32`)
  }
  if (size !== undefined && (!Number.isInteger(size) || size < 1 || size > STORED_CHUNK_BYTES)) {
    throw new RangeError(`a stored chunk has 1..${STORED_CHUNK_BYTES} bytes, not ${size}`)
  }
}

/** Every (file, chunk) of a layout, in order. */
export function* chunksOf(layout: BlobLayout): Generator<[file: number, chunk: number]> {
  for (const [file, chunks] of layout.entries()) for (let chunk = 0; chunk < chunks; chunk++) yield [file, chunk]
}

/**
 * Reads one chunk's body as the pieces it arrived in, `size` bytes in all, or rejects with
 * BlobBodyError.
 */
export async function readPieces(body: Readable | Uint8Array, size: number): Promise<Buffer[]> {
  if (body instanceof Uint8Array) {
    if (body.length !== size) throw new BlobBodyError(`the body has ${body.length} bytes, not ${size}`)
    return [Buffer.from(body)]
  }
  const pieces: Buffer[] = []
  let length = 0
  try {
    // Leaving the loop early destroys the body: nothing more of it is wanted.
    for await (const piece of body as AsyncIterable<Buffer>) {
      length += piece.length
      if (length > size) throw new BlobBodyError(`the body runs past ${size} bytes`)
      pieces.push(piece)
    }
  } catch (err) {
    if (err instanceof BlobBodyError) throw err
    throw new BlobBodyError('the body failed before its end', { cause: err })
  }
  if (length !== size) throw new BlobBodyError(`the body ended after ${length} of ${size} bytes`)
  return pieces
}

/**
 * Reads one chunk's body into one buffer of exactly `size` bytes (the stores that keep whole
 * values: one chunk is the most they ever hold for a request), or rejects with BlobBodyError.
 */
export async function readChunk(body: Readable | Uint8Array, size: number): Promise<Buffer> {
  const pieces = await readPieces(body, size)
  return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, size)
}
