/**
 * File chunks (protocol.md §10), a STREAM construction on AES-256-GCM: the nonce of every
 * chunk is its file index, its own index and a last-chunk flag, and its AAD binds the
 * secret, the header and the layout. A server that reorders, drops, truncates, swaps or
 * duplicates chunks or files therefore meets a failed tag or a wrong count, never a file
 * that opens differently.
 *
 * Nonces are counters, so each position must be encrypted once per link key: a retried
 * upload resends the bytes it already made, and a new attempt starts from a new link key.
 */
import { notFromCreator } from './envelope.ts'
import { ProtocolError } from './errors.ts'
import { dataChunkBytes, fileLayout, paddedChunkBytes, storedChunkBytes } from './file-layout.ts'
import type { FileLayout } from './file-layout.ts'
import { LABEL, NONCE_BYTES } from './limits.ts'
import { fileDigest } from './files-signature.ts'
import { concatBytes, ownBytes, sha256, subtle } from './webcrypto.ts'

const encoder = new TextEncoder()

/** What every chunk of one secret shares. */
export interface ChunkContext {
  /** From deriveFileKey. */
  fk: CryptoKey
  sid: Uint8Array
  hdr: Uint8Array
  /** Each file's plaintext size, in manifest order. */
  sizes: readonly number[]
  /**
   * A recipient's: each file's digest D_f as the creator signed it (protocol.md §10.7, from
   * `verifyFiles`); `decryptFile` then refuses a file whose stored chunks are not those.
   */
  digests?: readonly Uint8Array[]
}

/** u32(file) ‖ u32(chunk) ‖ 0x00 0x00 0x00 ‖ last (0x01 on a file's final chunk). */
export function chunkNonce(file: number, chunk: number, last: boolean): Uint8Array<ArrayBuffer> {
  const nonce = new Uint8Array(NONCE_BYTES)
  const view = new DataView(nonce.buffer)
  view.setUint32(0, file)
  view.setUint32(4, chunk)
  nonce[11] = last ? 1 : 0
  return nonce
}

/** L ‖ " chunk" ‖ 0x00 ‖ sid ‖ hdr ‖ u32(file count) ‖ u32(the file's chunk count). */
export function chunkAad(sid: Uint8Array, hdr: Uint8Array, fileCount: number, chunks: number): Uint8Array<ArrayBuffer> {
  const counts = new Uint8Array(8)
  const view = new DataView(counts.buffer)
  view.setUint32(0, fileCount)
  view.setUint32(4, chunks)
  return concatBytes(encoder.encode(`${LABEL} chunk`), Uint8Array.of(0), sid, hdr, counts)
}

function layoutOf(ctx: ChunkContext, file: number): { size: number; layout: FileLayout } {
  const size = ctx.sizes[file]
  if (!Number.isInteger(file) || size === undefined) {
    throw new RangeError(`file index ${file} is outside the ${ctx.sizes.length} files`)
  }
  return { size, layout: fileLayout(size) }
}

function gcmParams(ctx: ChunkContext, file: number, chunk: number, layout: FileLayout): AesGcmParams {
  return {
    name: 'AES-GCM',
    iv: chunkNonce(file, chunk, chunk === layout.chunks - 1),
    additionalData: chunkAad(ctx.sid, ctx.hdr, ctx.sizes.length, layout.chunks),
  }
}

/** `padded` is the whole padded plaintext of the chunk, data then zeros. */
async function sealChunk(
  ctx: ChunkContext,
  file: number,
  chunk: number,
  layout: FileLayout,
  padded: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await subtle().encrypt(gcmParams(ctx, file, chunk, layout), ctx.fk, padded))
}

/**
 * Encrypts chunk `chunk` of file `file`: `data` is the file's bytes in that chunk (CS bytes,
 * fewer in the last chunk with data, none in a chunk of padding only); the zero padding is
 * added here. Returns the bytes to store.
 */
export async function encryptChunk(
  ctx: ChunkContext,
  file: number,
  chunk: number,
  data: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  const { size, layout } = layoutOf(ctx, file)
  const padded = new Uint8Array(paddedChunkBytes(layout, chunk))
  const expected = dataChunkBytes(size, chunk)
  if (data.length !== expected) {
    throw new RangeError(
      `chunk index ${chunk} of file index ${file} holds ${expected} bytes of the file, not ${data.length}`,
    )
  }
  padded.set(data)
  return sealChunk(ctx, file, chunk, layout, padded)
}

/**
 * Decrypts one stored chunk at the position it was asked for and returns the file's bytes
 * in it, after checking its size, its tag and that its padding is all zeros. On its own it
 * cannot see a dropped or duplicated final chunk: `decryptFile` counts them.
 */
export async function decryptChunk(
  ctx: ChunkContext,
  file: number,
  chunk: number,
  stored: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  const { size, layout } = layoutOf(ctx, file)
  const where = `file ${file + 1}, part ${chunk + 1} of ${layout.chunks}`
  if (stored.length !== storedChunkBytes(layout, chunk)) {
    throw new ProtocolError('chunk_length', `${where} has the wrong size: the download was cut or altered`)
  }
  let padded: Uint8Array<ArrayBuffer>
  try {
    padded = new Uint8Array(await subtle().decrypt(gcmParams(ctx, file, chunk, layout), ctx.fk, ownBytes(stored)))
  } catch {
    throw new ProtocolError(
      'chunk_auth',
      `${where} could not be decrypted: it was altered, reordered or swapped, or the key is wrong`,
    )
  }
  const end = dataChunkBytes(size, chunk)
  if (padded.subarray(end).some((b) => b !== 0)) {
    throw new ProtocolError('chunk_padding', `${where} has padding that is not zero`)
  }
  return padded.subarray(0, end)
}

/** Byte arrays from a stream, an async iterable (a Node stream) or a plain array. */
export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>

/**
 * The items of a stream or an iterable. A ReadableStream is read through its reader, since
 * not every browser makes it async-iterable; stopping early cancels it, as for-await would.
 */
async function* itemsOf(source: ByteSource): AsyncGenerator<Uint8Array> {
  if (!('getReader' in source)) {
    yield* source
    return
  }
  const reader = source.getReader()
  let done = false
  try {
    for (;;) {
      const next = await reader.read()
      if (next.done) {
        done = true
        return
      }
      yield next.value
    }
  } finally {
    if (!done) await reader.cancel()
    reader.releaseLock()
  }
}

function changed(file: number, size: number): ProtocolError {
  return new ProtocolError('payload', `file ${file + 1} changed while it was read: it no longer has ${size} bytes`)
}

/**
 * Encrypts file `file` from its bytes (a Blob, or a ByteSource of pieces of any size) into
 * its stored chunks, in order. Holds one chunk at a time: the next is read only when the
 * consumer asks for it. A source with more or fewer bytes than the manifest's size fails
 * with reason 'payload' before its last chunk is produced.
 */
export async function* encryptFile(
  ctx: ChunkContext,
  file: number,
  source: Blob | ByteSource,
): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  const { size, layout } = layoutOf(ctx, file)
  const input = itemsOf(source instanceof Blob ? source.stream() : source)
  let piece: Uint8Array = new Uint8Array(0)
  try {
    for (let chunk = 0; chunk < layout.chunks; chunk++) {
      const padded = new Uint8Array(paddedChunkBytes(layout, chunk))
      const want = dataChunkBytes(size, chunk)
      for (let filled = 0; filled < want;) {
        if (piece.length === 0) {
          const next = await input.next()
          if (next.done) throw changed(file, size)
          piece = next.value
        }
        const n = Math.min(want - filled, piece.length)
        padded.set(piece.subarray(0, n), filled)
        piece = piece.subarray(n)
        filled += n
      }
      if (chunk === layout.chunks - 1) {
        while (piece.length === 0) {
          const next = await input.next()
          if (next.done) break
          piece = next.value
        }
        if (piece.length > 0) throw changed(file, size)
      }
      yield await sealChunk(ctx, file, chunk, layout, padded)
    }
  } finally {
    await input.return(undefined)
  }
}

/**
 * Decrypts file `file` from its stored chunks (one item per chunk, in order) into its
 * bytes. Each chunk is checked as `decryptChunk` does, and the count at the end: a source
 * that ends early fails with 'chunk_missing', one that goes on with 'chunk_extra'. With
 * `ctx.digests`, the stored chunks' hash list is compared with the file's signed digest
 * before the last chunk's bytes come out ('files_digest'). Bytes come out as they are
 * checked, so the file is whole only when the generator returns: a caller that writes as
 * it goes must discard what it wrote if it throws.
 */
export async function* decryptFile(
  ctx: ChunkContext,
  file: number,
  source: ByteSource,
): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  const { layout } = layoutOf(ctx, file)
  const signed = ctx.digests?.[file]
  const hashes: Uint8Array[] = []
  let chunk = 0
  for await (const stored of itemsOf(source)) {
    if (chunk === layout.chunks) {
      throw new ProtocolError('chunk_extra', `file ${file + 1} has more than its ${layout.chunks} parts`)
    }
    const data = await decryptChunk(ctx, file, chunk, stored)
    chunk++
    if (signed) {
      hashes.push(await sha256(stored))
      if (chunk === layout.chunks && !equalBytes(await fileDigest(hashes), signed)) throw notFromCreator('files_digest')
    }
    if (data.length > 0) yield data
  }
  if (chunk < layout.chunks) {
    throw new ProtocolError(
      'chunk_missing',
      `file ${file + 1} ends after ${chunk} of its ${layout.chunks} parts: the download was cut short`,
    )
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
