/**
 * The BlobStore contract (server/src/blobs/blob-store.ts) as one suite, run against the
 * memory, Redis and S3 stores (tests/integration/blob-store-contract.test.ts) and Redis
 * Cluster (tests/cluster/blob-store.test.ts), so no store can drift from the others.
 */
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SID_BYTES, STORED_CHUNK_BYTES, encodeB64u } from '@burnlink/shared'
import {
  BlobBodyError,
  newBlobRef,
  type BlobRef,
  type BlobStore,
  type PutOptions,
} from '../../server/src/blobs/blob-store.ts'
import { StoreUnavailableError } from '../../server/src/store/store.ts'

export interface BlobFixture {
  store: BlobStore
  /** Closes the store and whatever the fixture opened for it. */
  close(): Promise<void>
}

export interface BlobContractOptions {
  /** Chunks vanish by themselves at the deadline put and expire give (Redis, memory). */
  expires: boolean
  /**
   * A put replaces a chunk in one step: racing puts leave one of them whole, a failed one
   * leaves the previous chunk. Where false (s3rver writes in place, as some small
   * S3-compatible servers do), a failed overwrite may leave no chunk, but never a part.
   */
  atomicWrites: boolean
  /** Makes the backend unreachable, then brings it back. */
  outage?: { stop(): Promise<void>; start(): Promise<void> }
}

export const bytes = (n: number) => new Uint8Array(randomBytes(n))
export const newRef = (): BlobRef => newBlobRef(encodeB64u(bytes(SID_BYTES)))
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const HOUR = 3_600_000
export const later = (ms = HOUR): PutOptions['expiresAt'] => Date.now() + ms

/** Reads a stream to its end. */
export async function drain(stream: Readable): Promise<Uint8Array> {
  const pieces: Buffer[] = []
  for await (const piece of stream) pieces.push(Buffer.from(piece as Uint8Array))
  return new Uint8Array(Buffer.concat(pieces))
}

export async function read(store: BlobStore, ref: BlobRef, file = 0, chunk = 0): Promise<Uint8Array | null> {
  const stream = await store.get(ref, file, chunk)
  return stream && drain(stream)
}

/** Length and digest: compares a megabyte at once, where a deep equal walks it byte by byte. */
export const print = (data: Uint8Array | null) =>
  data && `${data.length} bytes, sha256 ${createHash('sha256').update(data).digest('hex')}`

/** The print of what the store holds for that chunk, or null. */
export const printOf = async (store: BlobStore, ref: BlobRef, file = 0, chunk = 0) =>
  print(await read(store, ref, file, chunk))

/** `data` in pieces of uneven sizes, as a network delivers it; fails after `failAfter` bytes when given. */
export function streamOf(data: Uint8Array, failAfter?: number): Readable {
  async function* pieces() {
    for (let at = 0, step = 1; at < data.length; at += step, step = Math.min(step * 3 + 7, 65_536)) {
      if (failAfter !== undefined && at >= failAfter) throw new Error('connection reset by the client')
      yield Buffer.from(data.subarray(at, at + step))
      // A real body arrives over time; so must this one, or a store could read it all in one tick.
      if (at % 4 === 0) await sleep(0)
    }
  }
  return Readable.from(pieces(), { objectMode: false })
}

export function describeBlobContract(name: string, open: () => Promise<BlobFixture>, options: BlobContractOptions) {
  describe(`${name} blob store contract`, () => {
    let fixture: BlobFixture
    let store: BlobStore
    beforeAll(async () => {
      fixture = await open()
      store = fixture.store
    })
    afterAll(() => fixture?.close())

    const put = (ref: BlobRef, data: Uint8Array, file = 0, chunk = 0, expiresAt = later()) =>
      store.put(ref, file, chunk, streamOf(data), { size: data.length, expiresAt })

    it('returns exactly the bytes put, from a stream or from bytes, at every size a chunk can have', async () => {
      const ref = newRef()
      // The smallest chunk, a one-chunk file's, both sides of Redis' head/tail split, the largest.
      const sizes = [17, 272, 1_048_512, 1_048_513, STORED_CHUNK_BYTES]
      const data = sizes.map(bytes)
      await Promise.all(data.map((d, j) => put(ref, d, 0, j)))
      await store.put(ref, 1, 0, data[4]!, { size: STORED_CHUNK_BYTES, expiresAt: later() })
      for (const [j, d] of data.entries()) expect(await printOf(store, ref, 0, j)).toBe(print(d))
      expect(await printOf(store, ref, 1, 0)).toBe(print(data[4]!))
      // Reads are repeatable: a download may resume.
      expect(await printOf(store, ref, 0, 4)).toBe(print(data[4]!))
    })

    it('answers null for a chunk never put, in another file, or under another ref', async () => {
      const ref = newRef()
      await put(ref, bytes(300))
      expect(await store.get(ref, 0, 1)).toBeNull()
      expect(await store.get(ref, 1, 0)).toBeNull()
      expect(await store.get(newRef(), 0, 0)).toBeNull()
    })

    it('replaces a chunk put again, whatever the sizes', async () => {
      const ref = newRef()
      const [big, small, again] = [bytes(STORED_CHUNK_BYTES), bytes(100), bytes(STORED_CHUNK_BYTES)]
      await put(ref, big)
      await put(ref, small)
      expect(await printOf(store, ref)).toBe(print(small))
      await put(ref, again)
      expect(await printOf(store, ref)).toBe(print(again))
    })

    it('deleteAll removes every chunk of the layout, and nothing else; twice is fine', async () => {
      const [ref, other] = [newRef(), newRef()]
      const layout = [3, 1, 2]
      for (const [f, n] of layout.entries()) for (let j = 0; j < n; j++) await put(ref, bytes(1000 + j), f, j)
      await put(other, bytes(500))
      await store.deleteAll(ref, layout)
      for (const [f, n] of layout.entries()) for (let j = 0; j < n; j++) expect(await store.get(ref, f, j)).toBeNull()
      expect(await read(store, other)).toHaveLength(500)
      await store.deleteAll(ref, layout)
      await store.deleteAll(newRef(), [2])
    })

    it('takes concurrent puts of many chunks', async () => {
      const ref = newRef()
      const data = Array.from({ length: 12 }, (_, j) => bytes(STORED_CHUNK_BYTES - j))
      await Promise.all(data.map((d, j) => put(ref, d, 0, j)))
      for (const [j, d] of data.entries()) expect(await printOf(store, ref, 0, j)).toBe(print(d))
    })

    if (options.atomicWrites) {
      it('leaves a chunk raced by several puts as one of them, whole', async () => {
        const ref = newRef()
        const racers = Array.from({ length: 6 }, () => bytes(STORED_CHUNK_BYTES))
        await Promise.all(racers.map((d) => put(ref, d)))
        expect(racers.map(print)).toContain(await printOf(store, ref))
      })
    }

    describe('a put whose body does not arrive whole stores nothing', () => {
      const cases: Array<[string, (d: Uint8Array) => Readable | Uint8Array]> = [
        ['the body fails midway', (d) => streamOf(d, 400_000)],
        ['the body ends short', (d) => streamOf(d.subarray(0, d.length - 1))],
        ['the body runs long', (d) => streamOf(Buffer.concat([d, Uint8Array.of(0)]))],
        ['the bytes have another size', (d) => d.subarray(1)],
      ]
      for (const [what, body] of cases) {
        it(what, async () => {
          const [ref, data, previous] = [newRef(), bytes(STORED_CHUNK_BYTES), bytes(STORED_CHUNK_BYTES)]
          const fresh = store.put(ref, 0, 0, body(data), { size: data.length, expiresAt: later() })
          await expect(fresh).rejects.toBeInstanceOf(BlobBodyError)
          expect(await store.get(ref, 0, 0)).toBeNull()

          await put(ref, previous, 0, 1)
          const over = store.put(ref, 0, 1, body(data), { size: data.length, expiresAt: later() })
          await expect(over).rejects.toBeInstanceOf(BlobBodyError)
          const left = await printOf(store, ref, 0, 1)
          if (options.atomicWrites) expect(left).toBe(print(previous))
          else expect([null, print(previous)]).toContain(left)
        })
      }
    })

    it('refuses sizes and indices no layout has, as the caller’s bug', async () => {
      const ref = newRef()
      const expiresAt = later()
      await expect(store.put(ref, 0, 0, bytes(0), { size: 0, expiresAt })).rejects.toBeInstanceOf(RangeError)
      const tooBig = STORED_CHUNK_BYTES + 1
      await expect(store.put(ref, 0, 0, bytes(tooBig), { size: tooBig, expiresAt })).rejects.toBeInstanceOf(RangeError)
      await expect(store.put(ref, -1, 0, bytes(20), { size: 20, expiresAt })).rejects.toBeInstanceOf(RangeError)
      await expect(store.get(ref, 0, 1.5)).rejects.toBeInstanceOf(RangeError)
    })

    if (options.expires) {
      it('drops chunks at their deadline, which expire moves either way and a put never brings earlier', async () => {
        const [moved, shortened, kept] = [newRef(), newRef(), newRef()]
        await put(moved, bytes(100), 0, 0, later(500))
        await store.expire(moved, [1], later(HOUR))
        await put(shortened, bytes(100), 0, 0, later(HOUR))
        await store.expire(shortened, [1], later(500))
        await put(kept, bytes(100), 0, 0, later(HOUR))
        // A retried upload racing the commit: its upload deadline must not cut the chunk's life short.
        await put(kept, bytes(STORED_CHUNK_BYTES), 0, 0, later(500))
        const dropped = newRef()
        await put(dropped, bytes(STORED_CHUNK_BYTES), 0, 0, later(500))
        expect(await store.get(dropped, 0, 0)).not.toBeNull()
        await sleep(1200)
        expect(await store.get(dropped, 0, 0)).toBeNull()
        expect(await store.get(shortened, 0, 0)).toBeNull()
        expect(await read(store, moved)).toHaveLength(100)
        expect(await read(store, kept)).toHaveLength(STORED_CHUNK_BYTES)
      })
    } else {
      it('keeps chunks past their deadline (the sweep deletes them), and expire is harmless', async () => {
        const ref = newRef()
        await put(ref, bytes(100), 0, 0, later(100))
        await store.expire(ref, [1], later(100))
        await sleep(300)
        expect(await read(store, ref)).toHaveLength(100)
      })
    }

    if (options.outage) {
      const { stop, start } = options.outage
      it('answers StoreUnavailableError while the backend is down, and works again once it is back', async () => {
        const ref = newRef()
        const data = bytes(STORED_CHUNK_BYTES)
        await put(ref, data)
        await stop()
        try {
          for (const call of [
            () => put(ref, bytes(1000), 0, 1),
            () => store.put(ref, 0, 2, bytes(1000), { size: 1000, expiresAt: later() }),
            () => store.get(ref, 0, 0),
            () => store.deleteAll(ref, [3]),
            () => store.ping(),
          ]) {
            const started = Date.now()
            await expect(call()).rejects.toBeInstanceOf(StoreUnavailableError)
            expect(Date.now() - started).toBeLessThan(5000)
          }
        } finally {
          await start()
        }
        await expect
          .poll(
            () =>
              store.ping().then(
                () => true,
                () => false,
              ),
            { timeout: 10_000 },
          )
          .toBe(true)
        const after = newRef()
        await put(after, data)
        expect(await printOf(store, after)).toBe(print(data))
      })
    }
  })
}
