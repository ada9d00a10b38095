/**
 * Runs inside Chromium: the shared chunk encryption (protocol.md §10) as the web app's file
 * worker calls it, against WebCrypto's AES-GCM over the same bytes in one call, timed in the
 * page so no DevTools round trip is counted.
 */
import { CHUNK_BYTES, decryptFile, encryptFile, randomBytes } from '@burnlink/shared'
import type { ChunkContext } from '@burnlink/shared'

let data: Uint8Array<ArrayBuffer> | undefined

/** Random bytes once: getRandomValues gives at most 64 KiB a call. */
function bytes(size: number): Uint8Array<ArrayBuffer> {
  if (data?.length === size) return data
  data = new Uint8Array(size)
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(data.subarray(at, at + 65_536))
  return data
}

async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now()
  const out = await run()
  return [performance.now() - start, out]
}

/** Milliseconds for each way, chunked and in one call, over the same `size` bytes. */
async function throughput(size: number) {
  const plain = bytes(size)
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
  const ctx: ChunkContext = { fk: key, sid: randomBytes(32), hdr: randomBytes(8), sizes: [size] }
  // Fed as a File would be read: pieces that do not line up with chunks.
  const pieces = function* () {
    for (let at = 0; at < size; at += 65_536) yield plain.subarray(at, at + 65_536)
  }
  const [encrypt, stored] = await timed(async () => {
    const out: Uint8Array[] = []
    for await (const c of encryptFile(ctx, 0, pieces())) out.push(c)
    return out
  })
  const [decrypt, length] = await timed(async () => {
    let n = 0
    for await (const p of decryptFile(ctx, 0, stored)) n += p.length
    return n
  })
  if (length !== size) throw new Error('the chunked round trip lost bytes')
  const iv = randomBytes(12)
  const [oneEncrypt, sealed] = await timed(() => crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain))
  const [oneDecrypt] = await timed(() => crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed))
  return { encrypt, decrypt, oneEncrypt, oneDecrypt, chunkBytes: CHUNK_BYTES }
}

Object.assign(globalThis, { burnlinkFilesBench: { throughput, secure: () => isSecureContext } })
