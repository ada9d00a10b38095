/**
 * The files signature (protocol.md §10.7) through the public API: what the creator signs at
 * the commit, what a recipient accepts right after the reveal, and a file whose chunks are
 * not the signed ones refused before its last bytes come out. The bytes are held to the
 * independent reference by the signed.files vectors (signed-reference.test.ts).
 */
import { describe, expect, it } from 'vitest'
import {
  CHUNK_BYTES,
  decryptFile,
  encodeHeader,
  encryptFile,
  fileDigest,
  filesSignatureBytes,
  newSigningKey,
  prepareFileSecret,
  sha256,
  signFiles,
  verifyFiles,
} from '@burnlink/shared'
import type { ChunkContext } from '@burnlink/shared'
import { rejection } from './vectors-runner.ts'

const filled = (size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i * 13 + seed) % 251)
const sizes = [CHUNK_BYTES + 300, 10]

async function creator() {
  const prepared = await prepareFileSecret({
    files: sizes.map((size, i) => ({ name: `f${i}`, type: '', size })),
    ttl: 3600,
    maxViews: 1,
    origin: 'https://burnlink.example',
  })
  return { ctx: prepared.ctx, sk: prepared.sk }
}

async function stored(ctx: ChunkContext, file: number, bytes: Uint8Array): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const c of encryptFile(ctx, file, [bytes])) out.push(c)
  return out
}

const digestOf = async (chunks: Uint8Array[]) => fileDigest(await Promise.all(chunks.map(sha256)))

/** Reads a file as downloadFile does; what came out before it stopped, and why it stopped. */
async function read(ctx: ChunkContext, file: number, chunks: Uint8Array[]) {
  let bytes = 0
  const reason = await rejection(async () => {
    for await (const piece of decryptFile(ctx, file, chunks)) bytes += piece.length
  })
  return { bytes, reason }
}

describe('files signature', () => {
  it('is 32 bytes per file and a 64-byte signature, and verifies to the signed digests', async () => {
    const { ctx, sk } = await creator()
    const chunks = [await stored(ctx, 0, filled(sizes[0]!, 1)), await stored(ctx, 1, filled(sizes[1]!, 2))]
    const digests = await Promise.all(chunks.map(digestOf))
    const fsig = await signFiles(sk, ctx.sid, ctx.hdr, digests)
    expect(fsig.length).toBe(filesSignatureBytes(2))
    expect(filesSignatureBytes(2)).toBe(128)
    expect(await verifyFiles(ctx.sid, ctx.hdr, fsig, 2)).toEqual(digests)
  })

  it("is refused unless it is the link's creator's over these digests, this header and this count", async () => {
    const { ctx, sk } = await creator()
    const digests = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)]
    const fsig = await signFiles(sk, ctx.sid, ctx.hdr, digests)
    const other = await signFiles((await newSigningKey()).sk, ctx.sid, ctx.hdr, digests)
    const flipped = Uint8Array.from(fsig, (b, i) => (i === 5 ? b ^ 1 : b))
    const otherSid = Uint8Array.from(ctx.sid, (b, i) => (i === 0 ? b ^ 1 : b))
    const formatOne = encodeHeader({ kdf: 'none' })
    for (const refused of [
      () => verifyFiles(ctx.sid, ctx.hdr, undefined, 2),
      () => verifyFiles(ctx.sid, ctx.hdr, other, 2),
      () => verifyFiles(ctx.sid, ctx.hdr, flipped, 2),
      () => verifyFiles(ctx.sid, ctx.hdr, fsig.subarray(0, -1), 2),
      () => verifyFiles(ctx.sid, ctx.hdr, fsig.subarray(32), 1),
      () => verifyFiles(otherSid, ctx.hdr, fsig, 2),
      () => verifyFiles(ctx.sid, formatOne, fsig, 2),
    ]) {
      expect(await rejection(refused)).toBe('signature')
    }
  })
})

describe('a download against the signed digests', () => {
  it("refuses a file with a link holder's chunk before its last bytes come out", async () => {
    const { ctx } = await creator()
    const real = filled(sizes[0]!, 1)
    const chunks = await stored(ctx, 0, real)
    const signed = { ...ctx, digests: [await digestOf(chunks), await digestOf(await stored(ctx, 1, filled(10, 2)))] }
    expect(await read(signed, 0, chunks)).toEqual({ bytes: real.length, reason: 'accepted' })
    // Anyone holding the link can seal chunks under fk that open: only the digests tell them apart.
    const forged = await stored(ctx, 0, filled(sizes[0]!, 9))
    expect(await read(ctx, 0, [chunks[0]!, forged[1]!])).toEqual({ bytes: real.length, reason: 'accepted' })
    expect(await read(signed, 0, [chunks[0]!, forged[1]!])).toEqual({ bytes: CHUNK_BYTES, reason: 'files_digest' })
    expect(await read(signed, 0, [forged[0]!, chunks[1]!])).toEqual({ bytes: CHUNK_BYTES, reason: 'files_digest' })
    // Damage on the way is still damage: the tag fails first.
    const flipped = Uint8Array.from(chunks[1]!, (b, i) => (i === 0 ? b ^ 1 : b))
    expect((await read(signed, 0, [chunks[0]!, flipped])).reason).toBe('chunk_auth')
  })
})
