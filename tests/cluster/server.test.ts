/**
 * Two server processes configured with REDIS_CLUSTER_NODES, the way operators run them:
 * they share secrets and rate limits through the cluster, and durable mode checks every
 * master before it starts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/src/config.ts'
import { openStore } from '../../server/src/store/open-store.ts'
import { silentLogger } from '../helpers/logger.ts'
import { clusterUnavailable, startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.ts'
import { createSecretOver, postSecrets, revealOver } from '../helpers/http-secrets.ts'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'

const CREATE_LIMIT = 12

describe.skipIf(clusterUnavailable())('server processes on a 3-master cluster', () => {
  let cluster: RedisCluster
  let servers: ServerProcess[] = []
  beforeAll(async () => {
    cluster = await startRedisCluster()
    const env = { REDIS_CLUSTER_NODES: cluster.env, RATE_LIMIT_CREATE_PER_MINUTE: String(CREATE_LIMIT) }
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)])
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()))
    await cluster?.stop()
  })

  it('is ready, and serves a secret created on one instance exactly once across both', async () => {
    for (const s of servers) expect((await fetch(`${s.url}/readyz`)).status).toBe(200)
    const secrets = await Promise.all(Array.from({ length: 6 }, (_, i) => createSecretOver(servers[i % 2]!.url)))
    for (const secret of secrets) {
      const replies = await Promise.all(servers.flatMap((s) => [revealOver(s.url, secret), revealOver(s.url, secret)]))
      expect(replies.map((r) => r.status).sort()).toEqual([200, 410, 410, 410])
    }
  })

  it('counts creates per client across both instances in the cluster', async () => {
    const statuses: number[] = []
    // The first test spent 6 of this minute's creates.
    for (let i = 6; i <= CREATE_LIMIT; i++) {
      const reply = await postSecrets(servers[i % 2]!.url, '', { not: 'even valid' })
      statuses.push(reply.status)
    }
    expect(statuses).toEqual([...Array(CREATE_LIMIT - 6).fill(400), 429])
  })

  it('refuses durable mode when the masters run without appendonly', async () => {
    const config = loadConfig({ REDIS_CLUSTER_NODES: cluster.env, REDIS_DURABILITY: 'aof' })
    await expect(openStore(config, silentLogger)).rejects.toThrow(
      /the Redis at 127\.0\.0\.1:\d+ runs with appendonly no/,
    )
    await expect(startServerProcess({ REDIS_CLUSTER_NODES: cluster.env, REDIS_DURABILITY: 'aof' })).rejects.toThrow(
      /server exited with 1/,
    )
  })
})
