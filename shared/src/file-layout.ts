/**
 * The padded, chunked layout of each attached file (protocol.md §10.2): all the server ever
 * learns about a file. Apart from the manifest (files.ts) and free of zod, so that the create
 * page can check sizes against the server's limit without loading the validators.
 */
import { TAG_BYTES } from './limits.ts'

/**
 * Plaintext bytes per chunk (CS). Large enough that the tag and one request per chunk cost
 * nothing (100 MB is 100 requests); small enough that a browser holds a few chunks at once,
 * the server buffers at most one per request, a failed request resends at most 1 MiB and a
 * Redis value stays far below big-key latency.
 */
export const CHUNK_BYTES = 1_048_576
/** A stored chunk is its ciphertext and GCM tag; the nonce is derived, never stored. */
export const STORED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES
/**
 * The smallest padded file: as text frames start at 256 bytes, a 32-byte key file and a
 * 200-byte .env look alike to the server. Padmé alone leaves files under 16 bytes unpadded.
 */
export const MIN_PADDED_FILE_BYTES = 256
/** Keeps every chunk index within the nonce's u32 (2^28 chunks) and all arithmetic exact. */
export const MAX_FILE_SIZE = 2 ** 48

function checkSize(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer`)
}

function bitLength(n: number): number {
  return n.toString(2).length
}

/**
 * Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and Communication
 * with PURBs", PETS 2019): rounds `length` up so that only O(log log length) bits of it
 * remain, costing at most 12 %. The unit is 2^(E - S) with E = floor(log2 length) and
 * S = floor(log2 E) + 1; bit lengths instead of Math.log2, which rounds 2^53 - 1 up to 53.
 */
export function padme(length: number): number {
  checkSize(length, 'a length')
  if (length < 2) return length
  const e = bitLength(length) - 1
  const unit = 2 ** (e - bitLength(e))
  return Math.ceil(length / unit) * unit
}

/** How one file is stored: its padded plaintext, in chunks, each with a tag. */
export interface FileLayout {
  /** Plaintext bytes after padding: padme(max(size, 256)). */
  padded: number
  /** ceil(padded / CS), at least 1. */
  chunks: number
  /** Bytes the server stores for the file: padded + 16 per chunk. */
  stored: number
}

/** The layout of a file of `size` plaintext bytes. */
export function fileLayout(size: number): FileLayout {
  checkSize(size, 'a file size')
  if (size > MAX_FILE_SIZE) throw new RangeError(`a file must be at most ${MAX_FILE_SIZE} bytes`)
  const padded = padme(Math.max(size, MIN_PADDED_FILE_BYTES))
  const chunks = Math.ceil(padded / CHUNK_BYTES)
  return { padded, chunks, stored: padded + chunks * TAG_BYTES }
}

/**
 * The layout behind a stored size as a create request declares it, or undefined when no
 * file has that size: the server refuses those, as it refuses a `ct` outside the buckets,
 * so a client that forgot to pad cannot leak a size.
 */
export function storedLayout(stored: number): FileLayout | undefined {
  if (!Number.isSafeInteger(stored) || stored <= 0) return undefined
  const chunks = Math.ceil(stored / STORED_CHUNK_BYTES)
  const padded = stored - chunks * TAG_BYTES
  // The last chunk must hold at least one plaintext byte, or this is the size of no layout.
  const lastBytes = stored - (chunks - 1) * STORED_CHUNK_BYTES
  if (lastBytes <= TAG_BYTES || padded < MIN_PADDED_FILE_BYTES || padded > MAX_FILE_SIZE) return undefined
  return padme(padded) === padded ? { padded, chunks, stored } : undefined
}

/** Stored bytes of chunk `chunk`: CS + 16 for all but the last, 17..CS + 16 for the last. */
export function storedChunkBytes(layout: FileLayout, chunk: number): number {
  return paddedChunkBytes(layout, chunk) + TAG_BYTES
}

/** Padded plaintext bytes in chunk `chunk`. */
export function paddedChunkBytes(layout: FileLayout, chunk: number): number {
  if (!Number.isInteger(chunk) || chunk < 0 || chunk >= layout.chunks) {
    throw new RangeError(`chunk index ${chunk} is outside the file's ${layout.chunks} chunks`)
  }
  return Math.min(CHUNK_BYTES, layout.padded - chunk * CHUNK_BYTES)
}

/** Bytes of the file itself in chunk `chunk` (the rest of the chunk is zero padding). */
export function dataChunkBytes(size: number, chunk: number): number {
  return Math.max(0, Math.min(CHUNK_BYTES, size - chunk * CHUNK_BYTES))
}

/** Padded bytes the files take against `maxFileBytes`: what the server counts (protocol.md §10.5). */
export function paddedTotal(sizes: readonly number[]): number {
  return sizes.reduce((sum, size) => sum + fileLayout(size).padded, 0)
}
