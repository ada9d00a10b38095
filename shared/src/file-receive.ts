/**
 * The recipient's flow for a file secret (protocol.md §10), after `reveal()` gave its
 * `files`: read each file's chunks with the claim and decrypt them in order. Shared by the
 * CLI and the web app; how the bytes are saved is theirs.
 */
import { decryptFile } from './chunks.ts'
import { withRetries } from './client.ts'
import type { Client, RetryOptions } from './client.ts'
import { fileLayout } from './file-layout.ts'
import type { RevealedFiles } from './recipient.ts'

/** The API call a download makes; the shared client provides it. */
export type ChunkReadApi = Pick<Client, 'readChunk'>

export interface DownloadOptions {
  /** How each chunk read retries after a 503 or no answer; `withRetries`' defaults by default. */
  retry?: RetryOptions
  /** Chunk reads in flight at once; each holds one stored chunk (about 1 MiB) in memory. */
  parallel?: number
  /** Told as each chunk arrives, with its stored bytes. */
  onProgress?: (storedBytes: number) => void
}

/**
 * The plaintext of file `file`, piece by piece, in order. Chunk reads are repeatable within
 * the download window, so each is retried as it is; a few run ahead of the decryption.
 * Bytes come out as they are checked: the file is whole only when the generator returns,
 * and a caller that writes as it goes must discard what it wrote if it throws (the
 * ProtocolError then says the download was altered or cut short).
 */
export async function* downloadFile(
  api: ChunkReadApi,
  files: Pick<RevealedFiles, 'ctx' | 'claimed'>,
  file: number,
  o: DownloadOptions = {},
): AsyncGenerator<Uint8Array> {
  const { retry, parallel = 3, onProgress } = o
  const size = files.ctx.sizes[file]
  if (size === undefined) throw new RangeError(`file index ${file} is outside the ${files.ctx.sizes.length} files`)
  const { chunks } = fileLayout(size)
  const read = (chunk: number): Promise<Uint8Array> => {
    const reading = withRetries(() => api.readChunk({ ...files.claimed, file, chunk }), retry).then((bytes) => {
      onProgress?.(bytes.length)
      return bytes
    })
    // Awaited in order below; a read ahead that fails while an earlier one is awaited is not unhandled.
    reading.catch(() => undefined)
    return reading
  }
  async function* stored(): AsyncGenerator<Uint8Array> {
    const ahead: Promise<Uint8Array>[] = []
    let next = 0
    while (next < chunks || ahead.length > 0) {
      while (next < chunks && ahead.length < parallel) ahead.push(read(next++))
      yield await ahead.shift()!
    }
  }
  yield* decryptFile(files.ctx, file, stored())
}
