/**
 * Chunk encryption through the public API: round trips of random files, streaming sources,
 * and every way a server could tamper with what it stores, each refused with its reason.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  CHUNK_BYTES,
  chunkAad,
  chunkNonce,
  dataChunkBytes,
  decryptChunk,
  decryptFile,
  deriveAccess,
  deriveFileKey,
  encodeHeader,
  encryptChunk,
  encryptFile,
  fileLayout,
  paddedChunkBytes,
  randomBytes,
} from '@burnlink/shared'
import type { ChunkContext } from '@burnlink/shared'
import { rejection } from './vectors-runner.ts'

const CS = CHUNK_BYTES
const hdr = encodeHeader({ kdf: 'none' })
let k: Uint8Array
let sid: Uint8Array
let fk: CryptoKey

beforeAll(async () => {
  k = randomBytes(32)
  sid = (await deriveAccess(k)).sid
  fk = await deriveFileKey(k, new Uint8Array(0), sid)
})

const context = (sizes: number[], key = fk): ChunkContext => ({ fk: key, sid, hdr, sizes })

/** Fast, seeded, non-repeating bytes: random files of megabytes without 16 calls to getRandomValues per MiB. */
function fileBytes(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size)
  let x = seed | 1
  for (let i = 0; i < size; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 255
  }
  return out
}

/** `bytes` in pieces of the given sizes, cycling, as a disk or a socket would deliver them. */
function* piecesOf(bytes: Uint8Array, sizes: number[]): Generator<Uint8Array> {
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = Math.max(1, sizes[i % sizes.length]!)
    yield bytes.subarray(at, at + n)
    at += n
  }
}

async function collect(items: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = []
  for await (const item of items) out.push(item)
  return out
}

function joined(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0)
  return out
}

/** A byte loop: expect's deep equality takes seconds on megabytes. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
const sameChunks = (a: Uint8Array[], b: Uint8Array[]) => a.length === b.length && a.every((c, i) => sameBytes(c, b[i]!))

const decryptAll = async (ctx: ChunkContext, file: number, chunks: Uint8Array[]) =>
  joined(await collect(decryptFile(ctx, file, chunks)))

/** Sizes at and around every edge the layout has, and anywhere up to three chunks. */
const fileSize = fc.oneof(
  fc.constantFrom(0, 1, 255, 256, 257, CS - 1, CS, CS + 1, 2 * CS + 1),
  fc.integer({ min: 0, max: 4096 }),
  fc.integer({ min: 0, max: 3 * CS }),
)

describe('round trip', () => {
  it('any set of files comes back byte for byte, whatever pieces the source is read in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fileSize, { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 2 * CS }), { minLength: 1, maxLength: 4 }),
        fc.integer(),
        async (sizes, pieceSizes, seed) => {
          const ctx = context(sizes)
          for (const [file, size] of sizes.entries()) {
            const bytes = fileBytes(size, seed + file)
            const stored = await collect(encryptFile(ctx, file, piecesOf(bytes, pieceSizes)))
            const layout = fileLayout(size)
            expect(stored.map((c) => c.length)).toEqual(
              Array.from({ length: layout.chunks }, (_, j) => paddedChunkBytes(layout, j) + 16),
            )
            expect(sameBytes(await decryptAll(ctx, file, stored), bytes)).toBe(true)
          }
        },
      ),
      { numRuns: 30 },
    )
  }, 120_000)

  it('is the same from a Blob, a ReadableStream, an async iterable and chunk by chunk', async () => {
    const size = 2 * CS + 12345
    const bytes = fileBytes(size, 7)
    const ctx = context([5, size])
    const blob = await collect(encryptFile(ctx, 1, new Blob([bytes])))
    const stream = await collect(encryptFile(ctx, 1, new Blob([bytes]).stream()))
    async function* asyncPieces() {
      yield* piecesOf(bytes, [65536, 0, 3])
    }
    const iterable = await collect(encryptFile(ctx, 1, asyncPieces()))
    const byChunk = await Promise.all(
      Array.from({ length: fileLayout(size).chunks }, (_, j) =>
        encryptChunk(ctx, 1, j, bytes.subarray(j * CS, j * CS + dataChunkBytes(size, j))),
      ),
    )
    expect(blob).toHaveLength(3)
    expect(sameChunks(stream, blob)).toBe(true)
    expect(sameChunks(iterable, blob)).toBe(true)
    expect(sameChunks(byChunk, blob)).toBe(true)
    const chunkStream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of blob) controller.enqueue(c)
        controller.close()
      },
    })
    expect(sameBytes(joined(await collect(decryptFile(ctx, 1, chunkStream))), bytes)).toBe(true)
  })

  it('ends each chunk with its own nonce and AAD: the counter, the last flag and the layout', async () => {
    const ctx = context([CS + 1, 0])
    const data = fileBytes(CS, 1)
    const stored = await encryptChunk(ctx, 0, 0, data)
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: chunkNonce(0, 0, false), additionalData: chunkAad(sid, hdr, 2, 2) },
      fk,
      stored,
    )
    expect(sameBytes(new Uint8Array(plain), data)).toBe(true)
    expect(chunkNonce(0x01020304, 0x05060708, true)).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 1))
  })

  it('refuses a chunk whose data does not fit its position, and positions outside the files', async () => {
    const ctx = context([CS + 1])
    await expect(encryptChunk(ctx, 0, 1, new Uint8Array(2))).rejects.toThrow(RangeError)
    await expect(encryptChunk(ctx, 0, 2, new Uint8Array(0))).rejects.toThrow(RangeError)
    await expect(encryptChunk(ctx, 1, 0, new Uint8Array(1))).rejects.toThrow(RangeError)
  })
})

describe('streaming', () => {
  it('reads no further than the chunk it hands out', async () => {
    const size = 5 * CS
    const bytes = fileBytes(size, 3)
    let pulled = 0
    const piece = 64 * 1024
    async function* counted() {
      for (const p of piecesOf(bytes, [piece])) {
        pulled += p.length
        yield p
      }
    }
    const chunks = encryptFile(context([size]), 0, counted())
    for (let j = 0; j < 3; j++) {
      await chunks.next()
      expect(pulled).toBeLessThanOrEqual((j + 1) * CS + piece)
    }
    await chunks.return(undefined)
  })

  it('cancels a ReadableStream when the consumer stops early', async () => {
    let cancelled = false
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(CS / 2))
      },
      cancel() {
        cancelled = true
      },
    })
    for await (const chunk of encryptFile(context([4 * CS]), 0, stream)) {
      expect(chunk.length).toBe(CS + 16)
      break
    }
    expect(cancelled).toBe(true)
  })

  it('refuses a source that changed size while it was read, before its last chunk', async () => {
    const size = CS + 100
    for (const actual of [size - 1, size + 1, 0, 3 * CS]) {
      const made: Uint8Array[] = []
      const reason = await rejection(async () => {
        for await (const c of encryptFile(context([size]), 0, [fileBytes(actual, 1)])) made.push(c)
      })
      expect(reason).toBe('payload')
      expect(made.length).toBeLessThan(fileLayout(size).chunks)
    }
  })
})

/**
 * What a recipient must report for a served sequence, from byte equality alone: the first
 * chunk that is not the genuine one at its position fails on its size, or else on its tag;
 * a sequence that is too long fails at the first extra chunk, a short one at the end.
 */
function expectedReason(genuine: Uint8Array[], served: Uint8Array[]): string {
  for (const [i, chunk] of served.entries()) {
    if (i === genuine.length) return 'chunk_extra'
    const want = genuine[i]!
    if (chunk.length !== want.length) return 'chunk_length'
    if (chunk.some((b, at) => b !== want[at])) return 'chunk_auth'
  }
  return served.length < genuine.length ? 'chunk_missing' : 'accepted'
}

describe('tampering', () => {
  /** Two or three files, at least one of several chunks, encrypted once for the whole describe. */
  const SIZES = [3 * CS - 1000, 0, 100, CS + 1]
  let stored: Uint8Array[][]

  beforeAll(async () => {
    const ctx = context(SIZES)
    stored = await Promise.all(SIZES.map((size, f) => collect(encryptFile(ctx, f, [fileBytes(size, f)]))))
  })

  const file = fc.integer({ min: 0, max: SIZES.length - 1 })
  const tamper = fc.oneof(
    fc.record({ op: fc.constant('reorder' as const), file, i: fc.nat(), j: fc.nat() }),
    fc.record({ op: fc.constant('swap-files' as const), file, other: file }),
    fc.record({ op: fc.constant('drop' as const), file, i: fc.nat() }),
    fc.record({ op: fc.constant('duplicate' as const), file, i: fc.nat(), at: fc.nat() }),
    fc.record({ op: fc.constant('truncate' as const), file, keep: fc.nat() }),
    fc.record({ op: fc.constant('cut' as const), file, i: fc.nat(), bytes: fc.integer({ min: 1, max: 32 }) }),
    fc.record({ op: fc.constant('flip' as const), file, i: fc.nat(), bit: fc.nat() }),
  )

  type Tamper = typeof tamper extends fc.Arbitrary<infer T> ? T : never

  function serve(t: Tamper): Uint8Array[] {
    const chunks = [...stored[t.file]!]
    const n = chunks.length
    switch (t.op) {
      case 'reorder': {
        const [i, j] = [t.i % n, t.j % n]
        ;[chunks[i], chunks[j]] = [chunks[j]!, chunks[i]!]
        return chunks
      }
      case 'swap-files':
        return [...stored[t.other]!]
      case 'drop':
        chunks.splice(t.i % n, 1)
        return chunks
      case 'duplicate':
        chunks.splice(t.at % (n + 1), 0, chunks[t.i % n]!)
        return chunks
      case 'truncate':
        return chunks.slice(0, t.keep % n)
      case 'cut': {
        const i = t.i % n
        chunks[i] = chunks[i]!.subarray(0, chunks[i]!.length - t.bytes)
        return chunks
      }
      case 'flip': {
        const i = t.i % n
        const flipped = new Uint8Array(chunks[i]!)
        const bit = t.bit % (flipped.length * 8)
        flipped[bit >> 3]! ^= 1 << (bit & 7)
        chunks[i] = flipped
        return chunks
      }
    }
  }

  it('reorder, swap files, drop, duplicate, truncate, cut and flipped bits are each refused with their reason', async () => {
    await fc.assert(
      fc.asyncProperty(tamper, async (t) => {
        const served = serve(t)
        const expected = expectedReason(stored[t.file]!, served)
        expect(await rejection(() => decryptAll(context(SIZES), t.file, served))).toBe(expected)
        // Only a no-op (a chunk swapped with itself, a file with itself) may be accepted.
        if (expected === 'accepted') expect(t.op === 'reorder' || t.op === 'swap-files').toBe(true)
      }),
      { numRuns: 300 },
    )
  }, 60_000)

  it.each([
    ['reordered', 0, [0, 2, 1], 'chunk_auth'],
    ['middle dropped', 0, [0, 2], 'chunk_auth'],
    ['final dropped', 0, [0, 1], 'chunk_missing'],
    ['duplicated', 0, [0, 0, 1, 2], 'chunk_auth'],
    ['final repeated', 0, [0, 1, 2, 2], 'chunk_extra'],
    ['nothing served', 1, [], 'chunk_missing'],
  ] as const)('%s: %s', async (_name, f, order, reason) => {
    const served = order.map((j) => stored[f]![j]!)
    expect(await rejection(() => decryptAll(context(SIZES), f, served))).toBe(reason)
  })

  it('a file served in place of another of the same size fails its tag', async () => {
    expect(stored[1]![0]!.length).toBe(stored[2]![0]!.length)
    expect(await rejection(() => decryptAll(context(SIZES), 1, stored[2]!))).toBe('chunk_auth')
    expect(await rejection(() => decryptChunk(context(SIZES), 3, 0, stored[0]![0]!))).toBe('chunk_auth')
  })

  it('a chunk sealed with nonzero padding opens but is refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 * CS }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (size, at, byte) => {
          const layout = fileLayout(size)
          const last = layout.chunks - 1
          const padded = new Uint8Array(paddedChunkBytes(layout, last))
          const data = dataChunkBytes(size, last)
          if (data === padded.length) return
          padded.set(fileBytes(data, at))
          padded[data + (at % (padded.length - data))] = byte
          const ctx = context([size])
          const sealed = new Uint8Array(
            await crypto.subtle.encrypt(
              { name: 'AES-GCM', iv: chunkNonce(0, last, true), additionalData: chunkAad(sid, hdr, 1, layout.chunks) },
              fk,
              padded,
            ),
          )
          expect(await rejection(() => decryptChunk(ctx, 0, last, sealed))).toBe('chunk_padding')
        },
      ),
      { numRuns: 50 },
    )
  })

  it('a key from a wrong passphrase, or from another secret, fails the first tag', async () => {
    const wrongP = await deriveFileKey(k, randomBytes(32), sid)
    const otherK = randomBytes(32)
    const other = await deriveFileKey(otherK, new Uint8Array(0), (await deriveAccess(otherK)).sid)
    for (const key of [wrongP, other]) {
      expect(await rejection(() => decryptAll(context(SIZES, key), 0, stored[0]!))).toBe('chunk_auth')
    }
  })
})
