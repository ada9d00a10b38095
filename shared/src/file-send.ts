/**
 * The creator's flow for a file secret (protocol.md §10), shared by the CLI and the web app:
 * prepare the manifest envelope and the keys, create the upload, upload every chunk, commit.
 * Only after the commit is the link worth showing: until then nothing can reveal it.
 */
import { encodeB64u } from './base64url.ts'
import { encryptFile } from './chunks.ts'
import type { ByteSource, ChunkContext } from './chunks.ts'
import { withRetries } from './client.ts'
import type { Client, RetryOptions } from './client.ts'
import { fileLayout, paddedTotal } from './file-layout.ts'
import { encodeManifest } from './files.ts'
import type { FileEntry } from './files.ts'
import { fileDigest, signFiles } from './files-signature.ts'
import { deriveFileKey, deriveUploadToken } from './keys.ts'
import { PayloadType } from './limits.ts'
import type { ServerLimits } from './schemas.ts'
import { sealSecret } from './secret.ts'
import type { PrepareSecretOptions, PreparedSecret } from './secret.ts'
import { sha256 } from './webcrypto.ts'

export interface PrepareFileSecretOptions extends Omit<PrepareSecretOptions, 'type' | 'text' | 'allowHttp'> {
  /** Name, media type and byte count of each file, in the order they will be uploaded. */
  files: FileEntry[]
  note?: string
}

export interface PreparedFileSecret extends PreparedSecret {
  /** The upload token: authorises chunk uploads, commit and abort. */
  ut: string
  /** What every chunk is encrypted with. */
  ctx: ChunkContext
  /**
   * The one-off key that signed the manifest, non-extractable: it signs the files at the
   * commit (protocol.md §10.7). Structured cloning keeps it non-extractable, but it is
   * best never to move it: the web app prepares and uploads in one worker.
   */
  sk: CryptoKey
}

function mebibytes(bytes: number): string {
  const mib = bytes / 1_048_576
  return `${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB`
}

/**
 * Why these files cannot be sent to a server with these limits, in words that name the
 * limit, or undefined when they can. Checked before anything is read or encrypted.
 */
export function fileLimitProblem(sizes: readonly number[], limits: ServerLimits): string | undefined {
  if (sizes.length > limits.maxFiles) return `too many files: this server takes at most ${limits.maxFiles} per secret`
  const total = paddedTotal(sizes)
  if (total > limits.maxFileBytes) {
    return (
      `the files are too large: this server takes at most ${mebibytes(limits.maxFileBytes)} ` +
      `(${limits.maxFileBytes} bytes) after padding, and these take ${total} bytes`
    )
  }
  return undefined
}

/**
 * A new link key, its secret and the create request of an upload: the manifest sealed in the
 * envelope, `uv` and each file's stored size. Prepare again for every new attempt: chunk
 * nonces are counters, so a link key must never encrypt a chunk position twice.
 */
export async function prepareFileSecret(o: PrepareFileSecretOptions): Promise<PreparedFileSecret> {
  const { files, note, ...rest } = o
  const text = encodeManifest(note === undefined ? { files } : { files, note })
  const { prepared, k, P, sidBytes, hdr, sk } = await sealSecret({ ...rest, type: PayloadType.attachment, text })
  const [fk, utBytes] = await Promise.all([deriveFileKey(k, P, sidBytes), deriveUploadToken(k)])
  const uv = await sha256(utBytes)
  const sizes = files.map((f) => f.size)
  return {
    ...prepared,
    request: { ...prepared.request, uv: encodeB64u(uv), files: sizes.map((size) => fileLayout(size).stored) },
    ut: encodeB64u(utBytes),
    ctx: { fk, sid: sidBytes, hdr, sizes },
    sk,
  }
}

/** The API calls an upload makes; the shared client provides them. */
export type FileUploadApi = Pick<Client, 'createUpload' | 'uploadChunk' | 'commit' | 'abort'>

export interface UploadOptions {
  /** How each call retries after a 503 or no answer; `withRetries`' defaults by default. */
  retry?: RetryOptions
  /** Chunk uploads in flight at once; each holds one stored chunk (about 1 MiB) in memory. */
  parallel?: number
  /** Told each time a chunk is stored, with the stored bytes of that chunk. */
  onProgress?: (storedBytes: number) => void
}

/**
 * Creates the upload, encrypts and uploads every file from `source(f)` (read once, in
 * order), signs the stored chunks' digests and commits with that signature (protocol.md
 * §10.7). A chunk that fails retryably is sent again with the same bytes, never encrypted
 * again, and a commit with the same signature. On any failure the upload is aborted (best
 * effort) and the error thrown: start again with a new `prepareFileSecret`.
 */
export async function uploadFileSecret(
  api: FileUploadApi,
  prepared: PreparedFileSecret,
  source: (file: number) => Blob | ByteSource,
  o: UploadOptions = {},
): Promise<{ sid: string; expiresAt: string }> {
  const { retry, parallel = 3, onProgress } = o
  const { sid, ut, ctx, sk } = prepared
  await withRetries(() => api.createUpload(prepared.request), retry)
  // 32 bytes per stored chunk, the hash list of §10.7: all the creator keeps of the files.
  const chunkDigests: Uint8Array[][] = ctx.sizes.map(() => [])
  const inFlight = new Set<Promise<void>>()
  let failure: { error: unknown } | undefined
  try {
    for (let file = 0; file < ctx.sizes.length && !failure; file++) {
      let chunk = 0
      for await (const bytes of encryptFile(ctx, file, source(file))) {
        chunkDigests[file]!.push(await sha256(bytes))
        const at = { file, chunk: chunk++ }
        const upload = withRetries(() => api.uploadChunk({ sid, ut, ...at, body: bytes }), retry).then(
          () => {
            inFlight.delete(upload)
            onProgress?.(bytes.length)
          },
          (error: unknown) => {
            inFlight.delete(upload)
            failure ??= { error }
          },
        )
        inFlight.add(upload)
        // Back-pressure: the next chunk is encrypted only when a slot is free.
        while (inFlight.size >= parallel && !failure) await Promise.race(inFlight)
        if (failure) break
      }
    }
    await Promise.all(inFlight)
    if (failure) throw failure.error
    const digests = await Promise.all(chunkDigests.map(fileDigest))
    const fsig = encodeB64u(await signFiles(sk, ctx.sid, ctx.hdr, digests))
    return await withRetries(() => api.commit({ sid, ut, fsig }), retry)
  } catch (e) {
    // Nothing of an upload that cannot finish should wait for its deadline; the abort is a
    // courtesy, sent once no upload of its is still under way.
    await Promise.all(inFlight)
    await api.abort({ sid, ut }).catch(() => undefined)
    throw e
  }
}
