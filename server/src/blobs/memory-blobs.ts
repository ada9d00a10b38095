/**
 * Chunks in this process, for the embedded default and tests: each call one synchronous
 * step once its body is read, so atomic. A chunk past its deadline reads as missing; the
 * sweep deletes it, as it deletes every ended secret's chunks.
 */
import { Readable } from 'node:stream'
import {
  checkChunk,
  chunksOf,
  readChunk,
  type BlobLayout,
  type BlobRef,
  type BlobStore,
  type PutOptions,
} from './blob-store.ts'

interface Stored {
  bytes: Buffer
  expiresAt: number
}

const keyOf = (ref: BlobRef, file: number, chunk: number) => `${ref.bid}/${file}/${chunk}`

export class MemoryBlobStore implements BlobStore {
  private readonly chunks = new Map<string, Stored>()

  async put(ref: BlobRef, file: number, chunk: number, body: Readable | Uint8Array, options: PutOptions) {
    checkChunk(file, chunk, options.size)
    const bytes = await readChunk(body, options.size)
    const key = keyOf(ref, file, chunk)
    const previous = this.live(key)
    this.chunks.set(key, { bytes, expiresAt: Math.max(options.expiresAt, previous?.expiresAt ?? 0) })
  }

  async get(ref: BlobRef, file: number, chunk: number): Promise<Readable | null> {
    checkChunk(file, chunk)
    const stored = this.live(keyOf(ref, file, chunk))
    return stored ? Readable.from([stored.bytes], { objectMode: false }) : null
  }

  async deleteAll(ref: BlobRef, layout: BlobLayout) {
    for (const [file, chunk] of chunksOf(layout)) this.chunks.delete(keyOf(ref, file, chunk))
  }

  async expire(ref: BlobRef, layout: BlobLayout, at: number, onlyLater = false) {
    for (const [file, chunk] of chunksOf(layout)) {
      const stored = this.live(keyOf(ref, file, chunk))
      if (stored) stored.expiresAt = onlyLater ? Math.max(at, stored.expiresAt) : at
    }
  }

  async ping() {}

  async close() {
    this.chunks.clear()
  }

  /** Bytes of chunks held, for the storage budget: they live in this process' heap too. */
  storedBytes(): number {
    let bytes = 0
    for (const { bytes: b } of this.chunks.values()) bytes += b.length
    return bytes
  }

  /** The chunk under `key` unless its deadline has passed, in which case it goes now. */
  private live(key: string): Stored | undefined {
    const stored = this.chunks.get(key)
    if (stored && stored.expiresAt <= Date.now()) {
      this.chunks.delete(key)
      return undefined
    }
    return stored
  }
}
