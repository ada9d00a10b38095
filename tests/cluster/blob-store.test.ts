/**
 * The Redis blob store and the sweep queue on a 3-master Redis Cluster: the same contract
 * as on one Redis, chunks on the node that holds their secret, and two sweepers that never
 * take the same entry.
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { STORED_CHUNK_BYTES } from '@burnlink/shared'
import { MemoryBlobStore } from '../../server/src/blobs/memory-blobs.ts'
import { RedisBlobStore, chunkKeys } from '../../server/src/blobs/redis-blobs.ts'
import { RedisSweepQueue, Sweeper } from '../../server/src/blobs/sweep.ts'
import { createClusterClient, waitForReady } from '../../server/src/store/redis-client.ts'
import { secretKeys } from '../../server/src/store/redis-store.ts'
import { bytes, describeBlobContract, later, newRef } from '../helpers/blob-contract.ts'
import { silentLogger } from '../helpers/logger.ts'
import { clusterUnavailable, startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.ts'

describe.skipIf(clusterUnavailable())('Redis blob store on a 3-master cluster', () => {
  let cluster: RedisCluster
  beforeAll(async () => {
    cluster = await startRedisCluster()
  })
  afterAll(() => cluster?.stop())

  const openClient = async () => {
    const client = createClusterClient(cluster.nodes, silentLogger)
    await waitForReady(client)
    return client
  }

  describeBlobContract(
    'cluster',
    async () => {
      const client = await openClient()
      return { store: new RedisBlobStore(client), close: async () => client.disconnect() }
    },
    { expires: true, atomicWrites: true },
  )

  it("keeps every chunk on the master that holds its secret's record, over every master", async () => {
    const client = await openClient()
    const masters = cluster.servers.map((s) => new Redis(s.url))
    try {
      const store = new RedisBlobStore(client)
      const refs = Array.from({ length: 30 }, newRef)
      for (const ref of refs) {
        await store.put(ref, 1, 2, bytes(STORED_CHUNK_BYTES), { size: STORED_CHUNK_BYTES, expiresAt: later() })
      }
      const holders = new Set<number>()
      for (const ref of refs) {
        const slot = await masters[0]!.cluster('KEYSLOT', secretKeys(ref.sid).m)
        for (const key of chunkKeys(ref, 1, 2)) expect(await masters[0]!.cluster('KEYSLOT', key)).toBe(slot)
        const held = await Promise.all(
          masters.map(async (m) => (await m.cluster('GETKEYSINSLOT', slot, 1000)) as string[]),
        )
        const holder = held.findIndex((keys) => chunkKeys(ref, 1, 2).every((key) => keys.includes(key)))
        expect(holder).toBeGreaterThanOrEqual(0)
        holders.add(holder)
        await store.deleteAll(ref, [0, 3])
      }
      expect(holders.size).toBe(masters.length)
    } finally {
      client.disconnect()
      for (const m of masters) m.disconnect()
    }
  })

  it('never gives one sweep entry to two sweepers', async () => {
    const [a, b] = [await openClient(), await openClient()]
    try {
      const deleted: string[][] = [[], []]
      const sweeper = (client: typeof a, into: string[]) => {
        const blobs = Object.assign(Object.create(new MemoryBlobStore()) as MemoryBlobStore, {
          deleteAll: async (ref: { bid: string }) => void into.push(ref.bid),
        })
        return new Sweeper(new RedisSweepQueue(client), blobs, silentLogger, { batch: 5 })
      }
      const [sa, sb] = [sweeper(a, deleted[0]!), sweeper(b, deleted[1]!)]
      const refs = Array.from({ length: 80 }, newRef)
      await Promise.all(refs.map((ref) => sa.schedule(ref, [1], Date.now() - 1000)))
      await Promise.all([sa.sweep(), sb.sweep()])
      const mine = deleted.map((d) => d.filter((bid) => refs.some((r) => r.bid === bid)))
      expect(mine[0]!.length + mine[1]!.length).toBe(refs.length)
      expect(new Set(mine.flat())).toEqual(new Set(refs.map((r) => r.bid)))
    } finally {
      a.disconnect()
      b.disconnect()
    }
  })
})
