/**
 * The Redis store on a 3-master Redis Cluster: the same contract and race suites as on one
 * Redis, and proof that secrets really spread over every master (a cluster whose slots all
 * landed on one node would pass everything else without testing anything).
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DurableWriter } from '../../server/src/store/durable.ts'
import { createClusterClient, waitForReady } from '../../server/src/store/redis-client.ts'
import { RedisStore } from '../../server/src/store/redis-store.ts'
import { StoreUnavailableError } from '../../server/src/store/store.ts'
import { silentLogger } from '../helpers/logger.ts'
import { clusterUnavailable, startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.ts'
import { OPTIONS, createdIn, describeRaces, describeStoreContract } from '../helpers/store-contract.ts'

describe.skipIf(clusterUnavailable())('Redis store on a 3-master cluster', () => {
  let cluster: RedisCluster
  beforeAll(async () => {
    cluster = await startRedisCluster()
  })
  afterAll(() => cluster?.stop())

  const openClusterStore = () => new RedisStore(createClusterClient(cluster.nodes, silentLogger), OPTIONS)

  describeStoreContract('cluster', openClusterStore)
  describeRaces('under concurrency, two stores with their own cluster clients', () => [
    openClusterStore(),
    openClusterStore(),
  ])

  it('sends the durable pipeline (script + WAITAOF) to the master of each secret', async () => {
    const plain = openClusterStore()
    const client = createClusterClient(cluster.nodes, silentLogger)
    await waitForReady(client)
    // Forced: Redis 7.0 has no WAITAOF, so every acknowledgement fails, after the script ran.
    const forced = new RedisStore(client, OPTIONS, new DurableWriter(client, 'waitaof', silentLogger))
    try {
      for (let i = 0; i < 12; i++) {
        const s = await createdIn(plain)
        const err = await forced.reveal(s.sid, s.av, s.rv).catch((e: unknown) => e)
        expect(err).toBeInstanceOf(StoreUnavailableError)
        expect((err as Error).cause).toMatchObject({ message: expect.stringMatching(/unknown command 'WAITAOF'/) })
        expect(await plain.meta(s.sid, s.av)).toEqual({ kind: 'gone', state: 'viewed' })
      }
    } finally {
      await Promise.all([plain.close(), forced.close()])
    }
  })

  it('spreads secrets over every master, both keys of each on one node', async () => {
    const store = openClusterStore()
    const masters = cluster.servers.map((s) => new Redis(s.url))
    try {
      const sids = new Set<string>()
      for (let i = 0; i < 100; i++) sids.add((await createdIn(store)).sid)
      const perNode = await Promise.all(
        masters.map(async (node) => {
          const mine = async (suffix: 'c' | 'm') =>
            (await node.keys(`bl:{*}:${suffix}`))
              .map((k) => /^bl:\{(.+)\}:[cm]$/.exec(k)![1]!)
              .filter((sid) => sids.has(sid))
          const [c, m] = await Promise.all([mine('c'), mine('m')])
          expect(c.sort()).toEqual(m.sort())
          return c.length
        }),
      )
      expect(perNode.reduce((a, b) => a + b)).toBe(100)
      // Each master owns a third of the slots; fewer than 15 of 100 is a one-in-100,000 fluke.
      for (const n of perNode) expect(n).toBeGreaterThanOrEqual(15)
    } finally {
      await store.close()
      masters.forEach((m) => m.disconnect())
    }
  })
})
