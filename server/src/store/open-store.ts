/**
 * Picks the store from the configuration: Redis when REDIS_URL is set, otherwise the
 * embedded memory store, which keeps secrets in this process only.
 */
import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import type { Config } from '../config.ts'
import { MemoryStore } from './memory-store.ts'
import { createRedisClient } from './redis-client.ts'
import { RedisStore } from './redis-store.ts'
import type { Store } from './store.ts'

/** The Redis client comes back too: the rate limiter keeps its counters there. */
export function openStore(config: Config, logger: Logger): { store: Store; redis?: Redis } {
  const options = { maxFailedAttempts: config.maxFailedAttempts, statusRetentionSeconds: config.statusRetentionSeconds }
  if (config.redisUrl) {
    const redis = createRedisClient(config.redisUrl, logger)
    return { store: new RedisStore(redis, options), redis }
  }
  logger.warn(
    'REDIS_URL is not set: using the embedded memory store. Secrets live only in this process: ' +
      'they are lost on restart and not shared with other instances. Set REDIS_URL for production.',
  )
  return { store: new MemoryStore(options) }
}
