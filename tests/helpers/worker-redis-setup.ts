/**
 * vitest setupFile: every test file starts with its worker's Redis database empty. The files a
 * worker ran before it all came from 127.0.0.1 too, and their rate limit and byte budget
 * counters, minutes long, would otherwise count against this file's requests. Only a Redis the
 * run started itself is emptied: one named by REDIS_URL may hold someone's data.
 */
import { Redis } from 'ioredis'
import { inject } from 'vitest'
import { workerRedisUrl } from './worker-redis.ts'

if (inject('redisOwned')) {
  const redis = new Redis(workerRedisUrl())
  try {
    await redis.flushdb()
  } finally {
    await redis.quit()
  }
}
