/**
 * Attachments (protocol.md §10): the manifest that travels inside the envelope, and the
 * padded, chunked layout of each file, which is all the server ever learns about a file.
 */
import * as z from 'zod/mini'
import { ProtocolError } from './errors.ts'
import { parseJson } from './json.ts'
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

const NAME_MAX_UNITS = 255
const TYPE_MAX_CHARS = 127
// With the u flag a surrogate pair is one code point, so this matches only lone halves,
// which JSON's \u escapes can carry but no file system or UTF-8 encoder can.
const LONE_SURROGATE = /\p{Surrogate}/u

/**
 * One file as the sender described it. Nothing here is trusted: the name is shown as text
 * and sanitised before saving, and the type is a hint that never decides how to render.
 */
export const FileEntry = z.strictObject({
  name: z.string().check(
    z.minLength(1, 'a file name must not be empty'),
    z.maxLength(NAME_MAX_UNITS, `a file name must be at most ${NAME_MAX_UNITS} characters`),
    z.refine((s) => !s.includes('\0') && !LONE_SURROGATE.test(s), 'a file name must be valid text without NUL'),
  ),
  type: z
    .string()
    .check(
      z.maxLength(TYPE_MAX_CHARS, `a media type must be at most ${TYPE_MAX_CHARS} characters`),
      z.regex(/^[\x20-\x7e]*$/, 'a media type must be printable ASCII'),
    ),
  size: z.int().check(z.minimum(0), z.maximum(MAX_FILE_SIZE)),
})

/**
 * The attachment manifest (frame type 0x03): every file's name, type and size, and an
 * optional note, in the order the files are stored. Chunk counts are not in it: they follow
 * from the sizes, and a value that can be derived cannot disagree.
 */
export const AttachmentManifest = z.strictObject({
  files: z.array(FileEntry).check(z.minLength(1, 'a manifest lists at least one file')),
  note: z.optional(z.string()),
})

export type FileEntry = z.infer<typeof FileEntry>
export type AttachmentManifest = z.infer<typeof AttachmentManifest>

/** The manifest's JSON text, for `seal` with PayloadType.attachment; refuses what `parseManifest` would. */
export function encodeManifest(manifest: AttachmentManifest): string {
  const parsed = AttachmentManifest.safeParse(manifest)
  if (!parsed.success) throw new ProtocolError('payload', parsed.error.issues[0]!.message)
  return JSON.stringify(parsed.data)
}

/** The manifest in an opened attachment frame. */
export function parseManifest(text: string): AttachmentManifest {
  const json = parseJson(text)
  if (json === undefined) throw new ProtocolError('manifest', 'the file list is not valid JSON')
  const parsed = AttachmentManifest.safeParse(json)
  if (!parsed.success)
    throw new ProtocolError('manifest', `the file list is invalid: ${parsed.error.issues[0]!.message}`)
  return parsed.data
}
