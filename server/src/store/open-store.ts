/**
 * Picks the store from the configuration: Redis (one server or a cluster) when configured,
 * otherwise the embedded memory store, which keeps secrets in this process only. In durable
 * mode it refuses to open a Redis that cannot keep its writes across a restart.
 */
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import { DurableWriter, verifyDurability } from './durable.ts'
import { MemoryStore } from './memory-store.ts'
import { createClusterClient, createRedisClient, type RedisClient } from './redis-client.ts'
import { RedisStore } from './redis-store.ts'
import type { Store } from './store.ts'

const DURABLE_WRITES = {
  fsync: 'durable mode: Redis fsyncs every write before replying (appendfsync always)',
  waitaof: 'durable mode: every state change waits for WAITAOF before its reply',
} as const

/**
 * The Redis client comes back too: the rate limiter keeps its counters there. Rejects with
 * DurabilityError (or StoreUnavailableError) when durable mode cannot be guaranteed.
 */
export async function openStore(config: Config, logger: Logger): Promise<{ store: Store; redis?: RedisClient }> {
  const options = {
    maxFailedAttempts: config.maxFailedAttempts,
    statusRetentionSeconds: config.statusRetentionSeconds,
    claimRetrySeconds: config.claimRetrySeconds,
    downloadWindowSeconds: config.files.downloadWindowSeconds,
  }
  const redis = config.redisClusterNodes
    ? createClusterClient(config.redisClusterNodes, logger)
    : config.redisUrl && createRedisClient(config.redisUrl, logger)
  if (!redis) {
    logger.warn(
      'REDIS_URL is not set: using the embedded memory store. Secrets live only in this process: ' +
        'they are lost on restart and not shared with other instances. Set REDIS_URL for production.',
    )
    return { store: new MemoryStore(options) }
  }
  if (config.redisDurability === 'none') return { store: new RedisStore(redis, options), redis }
  try {
    const writes = await verifyDurability(redis)
    logger.info(DURABLE_WRITES[writes])
    return { store: new RedisStore(redis, options, new DurableWriter(redis, writes, logger)), redis }
  } catch (err) {
    redis.disconnect()
    throw err
  }
}
