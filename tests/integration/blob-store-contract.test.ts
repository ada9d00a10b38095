/**
 * The BlobStore contract on the memory store, a real redis-server and a real S3-API server
 * (s3rver, its own process), then what the contract cannot see: where each store puts the
 * bytes and what it leaves behind, and the sweep that deletes ended secrets' chunks across
 * instances.
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { STORED_CHUNK_BYTES } from '@burnlink/shared'
import type { BlobLayout, BlobRef, BlobStore } from '../../server/src/blobs/blob-store.ts'
import { MemoryBlobStore } from '../../server/src/blobs/memory-blobs.ts'
import { openBlobStorage } from '../../server/src/blobs/open-blobs.ts'
import { HEAD_BYTES, RedisBlobStore, chunkKeys } from '../../server/src/blobs/redis-blobs.ts'
import { S3BlobStore, objectKey } from '../../server/src/blobs/s3-blobs.ts'
import { MemorySweepQueue, RedisSweepQueue, SWEEP_KEY, Sweeper, type SweepQueue } from '../../server/src/blobs/sweep.ts'
import { loadConfig } from '../../server/src/config.ts'
import { createRedisClient, waitForReady } from '../../server/src/store/redis-client.ts'
import { StoreUnavailableError } from '../../server/src/store/store.ts'
import { bytes, describeBlobContract, later, newRef, read, sleep, streamOf } from '../helpers/blob-contract.ts'
import { silentLogger } from '../helpers/logger.ts'
import { hasRedisBinary, startRedisServer, type RedisServer } from '../helpers/redis.ts'
import { startS3Server, type S3Server } from '../helpers/s3-server.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

describeBlobContract(
  'memory',
  async () => {
    const store = new MemoryBlobStore()
    return { store, close: () => store.close() }
  },
  { expires: true, atomicWrites: true },
)

// Its own redis-server when there is a binary, so the outage test can kill it.
let ownRedis: RedisServer | undefined
describeBlobContract(
  'redis',
  async () => {
    ownRedis = hasRedisBinary() ? await startRedisServer() : undefined
    const client = createRedisClient(ownRedis?.url ?? workerRedisUrl(), silentLogger)
    await waitForReady(client)
    return {
      store: new RedisBlobStore(client),
      close: async () => {
        client.disconnect()
        await ownRedis?.stop()
      },
    }
  },
  {
    expires: true,
    atomicWrites: true,
    outage: hasRedisBinary() ? { stop: () => ownRedis!.kill(), start: () => ownRedis!.restart() } : undefined,
  },
)

let s3: S3Server
describeBlobContract(
  's3',
  async () => {
    s3 = await startS3Server()
    const store = new S3BlobStore(s3.settings, silentLogger)
    return {
      store,
      close: async () => {
        await store.close()
        await s3.stop()
      },
    }
  },
  // s3rver writes an upload in place, over the previous object: see S3BlobStore.get.
  { expires: false, atomicWrites: false, outage: { stop: () => s3.kill(), start: () => s3.restart() } },
)

describe('redis blob store internals', () => {
  let raw: Redis
  let store: RedisBlobStore
  beforeAll(async () => {
    raw = new Redis(workerRedisUrl())
    const client = createRedisClient(workerRedisUrl(), silentLogger)
    await waitForReady(client)
    store = new RedisBlobStore(client)
  })
  afterAll(async () => {
    await raw.quit()
  })

  it("keeps a chunk in the secret's hash slot, split where jemalloc's 1 MiB class ends, with the deadline given", async () => {
    const ref = newRef()
    const expiresAt = later()
    await store.put(ref, 2, 7, bytes(STORED_CHUNK_BYTES), { size: STORED_CHUNK_BYTES, expiresAt })
    const [head, tail] = chunkKeys(ref, 2, 7)
    expect(head).toBe(`bl:{${ref.sid}}:b:2:7`)
    expect(tail).toBe(`bl:{${ref.sid}}:b:2:7:t`)
    expect(await raw.strlen(head)).toBe(HEAD_BYTES)
    expect(await raw.strlen(tail)).toBe(STORED_CHUNK_BYTES - HEAD_BYTES)
    expect(await raw.pexpiretime(head)).toBe(expiresAt)
    expect(await raw.pexpiretime(tail)).toBe(expiresAt)
    // No key of this chunk names the bid: Redis keys follow the secret.
    expect(head).not.toContain(ref.bid)

    const committed = later(2 * 3_600_000)
    await store.expire(ref, [0, 0, 8], committed)
    expect(await raw.pexpiretime(head)).toBe(committed)
    expect(await raw.pexpiretime(tail)).toBe(committed)
  })

  it('takes at most 5 % more Redis memory than the bytes it stores', async () => {
    const ref = newRef()
    await store.put(ref, 0, 0, bytes(STORED_CHUNK_BYTES), { size: STORED_CHUNK_BYTES, expiresAt: later() })
    const usage = async (key: string) => Number(await raw.memory('USAGE', key))
    const [head, tail] = chunkKeys(ref, 0, 0)
    const used = (await usage(head)) + (await usage(tail))
    expect(used / STORED_CHUNK_BYTES).toBeLessThanOrEqual(1.05)
    // What the split avoids: the same bytes as one value take a 1.25 MiB allocation.
    await raw.set(`${head}:whole`, Buffer.alloc(STORED_CHUNK_BYTES))
    expect((await usage(`${head}:whole`)) / STORED_CHUNK_BYTES).toBeGreaterThan(1.2)
    await raw.del(`${head}:whole`)
  })

  it('a small chunk put over a large one leaves no tail behind, and deleteAll leaves no key', async () => {
    const ref = newRef()
    await store.put(ref, 0, 0, bytes(STORED_CHUNK_BYTES), { size: STORED_CHUNK_BYTES, expiresAt: later() })
    await store.put(ref, 0, 0, bytes(300), { size: 300, expiresAt: later() })
    expect(await raw.exists(chunkKeys(ref, 0, 0)[1])).toBe(0)
    await store.put(ref, 1, 3, bytes(STORED_CHUNK_BYTES), { size: STORED_CHUNK_BYTES, expiresAt: later() })
    await store.deleteAll(ref, [1, 4])
    expect(await raw.keys(`bl:{${ref.sid}}:*`)).toEqual([])
  })

  it.skipIf(!hasRedisBinary() && !process.env.CI)(
    'reports a full Redis as unavailable (full), and stores nothing (needs redis-server; fails in CI without it)',
    async () => {
      const server = await startRedisServer()
      const client = createRedisClient(server.url, silentLogger)
      try {
        await waitForReady(client)
        const full = new RedisBlobStore(client)
        const admin = new Redis(server.url)
        await admin.config('SET', 'maxmemory', '1')
        await admin.quit()
        const ref = newRef()
        const err = await full.put(ref, 0, 0, bytes(1000), { size: 1000, expiresAt: later() }).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(StoreUnavailableError)
        expect(err).toMatchObject({ reason: 'full' })
        // Nothing may carry the command, whose arguments are the chunk's bytes.
        expect((err as Error).cause).toBeInstanceOf(Error)
        expect((err as Error).cause).not.toHaveProperty('command')
        expect(await full.get(ref, 0, 0)).toBeNull()
      } finally {
        client.disconnect()
        await server.stop()
      }
    },
  )
})

describe('s3 blob store internals', () => {
  let server: S3Server
  let store: S3BlobStore
  beforeAll(async () => {
    server = await startS3Server()
    store = new S3BlobStore(server.settings, silentLogger)
  })
  afterAll(async () => {
    await store.close()
    await server.stop()
  })

  it('names objects by the bid alone, and deleteAll leaves none', async () => {
    const ref = newRef()
    const layout = [2, 1]
    for (const [file, chunk] of [
      [0, 0],
      [0, 1],
      [1, 0],
    ] as const) {
      await store.put(ref, file, chunk, bytes(5000), { size: 5000, expiresAt: later() })
    }
    const keys = await server.keys()
    expect(keys.filter((k) => k.startsWith(`bl/${ref.bid}/`))).toEqual([
      'bl/' + ref.bid + '/0/0',
      `bl/${ref.bid}/0/1`,
      `bl/${ref.bid}/1/0`,
    ])
    expect(objectKey(ref, 1, 0)).toBe(`bl/${ref.bid}/1/0`)
    expect(keys.some((k) => k.includes(ref.sid))).toBe(false)
    await store.deleteAll(ref, layout)
    expect(await server.keys(`bl/${ref.bid}/`)).toEqual([])
  })

  it('answers StoreUnavailableError within seconds while the server is stalled, and works once it wakes', async () => {
    const ref = newRef()
    await store.put(ref, 0, 0, bytes(1000), { size: 1000, expiresAt: later() })
    server.pause()
    try {
      const started = Date.now()
      const settled = (call: Promise<unknown>) =>
        call.then(
          () => ({ err: undefined, ms: Date.now() - started }),
          (err: unknown) => ({ err, ms: Date.now() - started }),
        )
      const data = bytes(STORED_CHUNK_BYTES)
      const [get, ping, put] = await Promise.all([
        settled(store.get(ref, 0, 0)),
        settled(store.ping()),
        // As a route passes it: a stream, which moves at its client's pace.
        settled(store.put(ref, 0, 1, streamOf(data), { size: data.length, expiresAt: later() })),
      ])
      for (const r of [get, ping, put]) expect(r.err).toBeInstanceOf(StoreUnavailableError)
      // Two attempts of 3 s until the answer's headers; an upload waits out 10 s of silence.
      expect(get.ms).toBeLessThan(8_000)
      expect(ping.ms).toBeLessThan(8_000)
      expect(put.ms).toBeLessThan(16_000)
    } finally {
      server.resume()
    }
    expect(await read(store, ref)).toHaveLength(1000)
  })
})

/** A blob store that records what it was asked to delete, around a real one. */
function recording(inner: BlobStore): BlobStore & { deleted: string[] } {
  const deleted: string[] = []
  return Object.assign(Object.create(inner) as BlobStore, {
    deleted,
    deleteAll: async (ref: BlobRef, layout: BlobLayout) => {
      deleted.push(ref.bid)
      await inner.deleteAll(ref, layout)
    },
  })
}

function describeSweep(name: string, openQueue: () => SweepQueue) {
  describe(`sweep with the ${name} queue`, () => {
    it('deletes the chunks of due entries only, and an entry moved later waits', async () => {
      const blobs = new MemoryBlobStore()
      const queue = openQueue()
      const sweeper = new Sweeper(queue, blobs, silentLogger)
      const [due, notDue, moved, cancelled] = [newRef(), newRef(), newRef(), newRef()]
      for (const ref of [due, notDue, moved, cancelled]) {
        await blobs.put(ref, 0, 0, bytes(100), { size: 100, expiresAt: later() })
        await blobs.put(ref, 1, 1, bytes(100), { size: 100, expiresAt: later() })
      }
      await sweeper.schedule(due, [1, 2], Date.now() - 1000)
      await sweeper.schedule(notDue, [1, 2], later())
      await sweeper.schedule(moved, [1, 2], Date.now() - 1000)
      await sweeper.schedule(moved, [1, 2], later())
      await sweeper.schedule(cancelled, [1, 2], Date.now() - 1000)
      await sweeper.cancel(cancelled, [1, 2])
      await sweeper.sweep()
      expect(await blobs.get(due, 0, 0)).toBeNull()
      expect(await blobs.get(due, 1, 1)).toBeNull()
      for (const ref of [notDue, moved, cancelled]) expect(await read(blobs, ref, 1, 1)).toHaveLength(100)
      // Done entries are gone: a second sweep deletes nothing more.
      const again = recording(blobs)
      await new Sweeper(queue, again, silentLogger).sweep()
      expect(again.deleted.filter((bid) => [due, notDue, moved, cancelled].some((r) => r.bid === bid))).toEqual([])
    })

    it('leaves an entry whose deletion failed to come due again when its lease ends', async () => {
      const blobs = new MemoryBlobStore()
      const ref = newRef()
      await blobs.put(ref, 0, 0, bytes(100), { size: 100, expiresAt: later() })
      const broken = Object.assign(Object.create(blobs) as BlobStore, {
        deleteAll: async () => {
          throw new StoreUnavailableError('down for the test')
        },
      })
      const queue = openQueue()
      await new Sweeper(queue, blobs, silentLogger).schedule(ref, [1], Date.now() - 1000)
      await expect(new Sweeper(queue, broken, silentLogger, { leaseMs: 400 }).sweep()).rejects.toBeInstanceOf(
        StoreUnavailableError,
      )
      const healthy = new Sweeper(queue, blobs, silentLogger, { leaseMs: 400 })
      await healthy.sweep()
      expect(await blobs.get(ref, 0, 0)).not.toBeNull()
      await sleep(600)
      await healthy.sweep()
      expect(await blobs.get(ref, 0, 0)).toBeNull()
    })

    it('keeps an entry scheduled again while its chunks were being deleted', async () => {
      const queue = openQueue()
      const member = `${newRef().sid}.${newRef().bid}.1`
      await queue.schedule(member, Date.now() - 1000)
      const { lease, members } = await queue.take(1000, 60_000)
      expect(members).toContain(member)
      await queue.schedule(member, Date.now() - 1)
      await queue.done(member, lease)
      expect((await queue.take(1000, 60_000)).members).toContain(member)
    })

    it('sweeps by itself every interval once started, and stops on close', async () => {
      const blobs = new MemoryBlobStore()
      const sweeper = new Sweeper(openQueue(), blobs, silentLogger, { intervalMs: 50 })
      sweeper.start()
      const ref = newRef()
      await blobs.put(ref, 0, 0, bytes(100), { size: 100, expiresAt: later() })
      await sweeper.schedule(ref, [1], Date.now() + 200)
      expect(await blobs.get(ref, 0, 0)).not.toBeNull()
      await expect.poll(() => blobs.get(ref, 0, 0), { timeout: 5000, interval: 50 }).toBeNull()
      await sweeper.close()
      const after = newRef()
      await blobs.put(after, 0, 0, bytes(100), { size: 100, expiresAt: later() })
      await sweeper.schedule(after, [1], Date.now() - 1)
      await sleep(300)
      expect(await blobs.get(after, 0, 0)).not.toBeNull()
    })
  })
}

describeSweep('memory', () => new MemorySweepQueue())

describe('sweep across instances on one Redis', () => {
  const clients: Redis[] = []
  const client = () => {
    const c = createRedisClient(workerRedisUrl(), silentLogger)
    clients.push(c)
    return c
  }
  let first: Redis
  beforeAll(async () => {
    first = client()
    await waitForReady(first)
  })
  afterAll(() => Promise.all(clients.map((c) => c.quit())))

  describeSweep('redis', () => new RedisSweepQueue(first))

  it('keeps the queue in one sorted set, members naming no more than sid, bid and chunk counts', async () => {
    const c = client()
    await waitForReady(c)
    const ref = newRef()
    await new Sweeper(new RedisSweepQueue(c), new MemoryBlobStore(), silentLogger).schedule(ref, [3, 1], 1234)
    expect(await c.zscore(SWEEP_KEY, `${ref.sid}.${ref.bid}.3,1`)).toBe('1234')
    await c.zrem(SWEEP_KEY, `${ref.sid}.${ref.bid}.3,1`)
  })

  it('never gives one entry to two sweepers, and together they delete every due one', async () => {
    const [a, b] = [client(), client()]
    await Promise.all([waitForReady(a), waitForReady(b)])
    const shared = new MemoryBlobStore()
    const [blobsA, blobsB] = [recording(shared), recording(shared)]
    const refs = Array.from({ length: 150 }, newRef)
    const scheduler = new Sweeper(new RedisSweepQueue(a), shared, silentLogger)
    await Promise.all(refs.map((ref) => scheduler.schedule(ref, [1], Date.now() - 1000)))
    // Small batches, so the two interleave take after take.
    const sweepers = [
      new Sweeper(new RedisSweepQueue(a), blobsA, silentLogger, { batch: 7 }),
      new Sweeper(new RedisSweepQueue(b), blobsB, silentLogger, { batch: 7 }),
    ]
    await Promise.all(sweepers.map((s) => s.sweep()))
    const mine = (deleted: string[]) => deleted.filter((bid) => refs.some((r) => r.bid === bid))
    const [byA, byB] = [mine(blobsA.deleted), mine(blobsB.deleted)]
    expect(byA.length).toBeGreaterThan(0)
    expect(byB.length).toBeGreaterThan(0)
    expect(new Set([...byA, ...byB]).size).toBe(byA.length + byB.length)
    expect(new Set([...byA, ...byB])).toEqual(new Set(refs.map((r) => r.bid)))
  })

  it("deletes a due entry's objects from the S3 bucket", async () => {
    const server = await startS3Server()
    const blobs = new S3BlobStore(server.settings, silentLogger)
    try {
      const c = client()
      await waitForReady(c)
      const sweeper = new Sweeper(new RedisSweepQueue(c), blobs, silentLogger)
      const [ended, live] = [newRef(), newRef()]
      for (const ref of [ended, live]) {
        for (const [file, chunk] of [
          [0, 0],
          [0, 1],
          [1, 0],
        ] as const) {
          await blobs.put(ref, file, chunk, bytes(2000), { size: 2000, expiresAt: later() })
        }
      }
      await sweeper.schedule(ended, [2, 1], Date.now() - 1)
      await sweeper.schedule(live, [2, 1], later())
      expect(await server.keys(`bl/${ended.bid}/`)).toHaveLength(3)
      await sweeper.sweep()
      expect(await server.keys(`bl/${ended.bid}/`)).toEqual([])
      expect(await server.keys(`bl/${live.bid}/`)).toHaveLength(3)
      await sweeper.cancel(live, [2, 1])
    } finally {
      await blobs.close()
      await server.stop()
    }
  })
})

describe('openBlobStorage', () => {
  it('picks the store from the configuration and sweeps where the secrets are', async () => {
    const memory = openBlobStorage(loadConfig({}), undefined, silentLogger)
    expect(memory.blobs).toBeInstanceOf(MemoryBlobStore)
    await memory.close()

    const c = createRedisClient(workerRedisUrl(), silentLogger)
    const server = await startS3Server()
    try {
      await waitForReady(c)
      const redis = openBlobStorage(loadConfig({ REDIS_URL: workerRedisUrl() }), c, silentLogger)
      expect(redis.blobs).toBeInstanceOf(RedisBlobStore)
      await redis.close()

      const storage = openBlobStorage(loadConfig({ REDIS_URL: workerRedisUrl(), ...server.env }), c, silentLogger, {
        intervalMs: 50,
      })
      expect(storage.blobs).toBeInstanceOf(S3BlobStore)
      const ref = newRef()
      await storage.blobs.put(ref, 0, 0, bytes(300), { size: 300, expiresAt: later() })
      await storage.sweeper.schedule(ref, [1], Date.now() - 1)
      await expect.poll(() => server.keys(`bl/${ref.bid}/`), { timeout: 5000, interval: 50 }).toEqual([])
      await storage.close()
    } finally {
      await c.quit()
      await server.stop()
    }
  })
})
