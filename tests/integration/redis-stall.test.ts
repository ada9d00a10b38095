/**
 * The stall watch (server/src/store/redis-client.ts): once a command to a stopped Redis
 * (SIGSTOP) has timed out, the store refuses at once instead of sending more, so reveals
 * made during the stall do not queue up in Redis to run unseen when it wakes; its first
 * answer ends the refusals by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRedisClient } from '../../server/src/store/redis-client.ts'
import { RedisStore } from '../../server/src/store/redis-store.ts'
import { StoreUnavailableError } from '../../server/src/store/store.ts'
import { silentLogger } from '../helpers/logger.ts'
import { hasRedisBinary, startRedisServer, type RedisServer } from '../helpers/redis.ts'
import { OPTIONS, createdIn } from '../helpers/store-contract.ts'

describe.skipIf(!hasRedisBinary() && !process.env.CI)('Redis stalled with SIGSTOP, at the store', () => {
  let redis: RedisServer
  let store: RedisStore

  beforeAll(async () => {
    redis = await startRedisServer()
    store = new RedisStore(createRedisClient(redis.url, silentLogger), OPTIONS)
  })
  afterAll(async () => {
    redis?.resume()
    await store?.close()
    await redis?.stop()
  })

  it('sends nothing more once a command timed out, and serves again once Redis answers', async () => {
    const first = await createdIn(store)
    const later = [await createdIn(store), await createdIn(store), await createdIn(store)]

    redis.stall()
    try {
      // This reveal reaches the stopped Redis and runs when it wakes.
      await expect(store.reveal(first.sid, first.av, first.rv)).rejects.toBeInstanceOf(StoreUnavailableError)
      // These are refused without being sent: had they been sent, they would run on waking too.
      for (const s of later) {
        await expect(store.reveal(s.sid, s.av, s.rv)).rejects.toBeInstanceOf(StoreUnavailableError)
      }
    } finally {
      redis.resume()
    }

    let meta = await store.meta(first.sid, first.av).catch((err: unknown) => err)
    for (let tries = 0; meta instanceof StoreUnavailableError && tries < 50; tries++) {
      await new Promise((r) => setTimeout(r, 100))
      meta = await store.meta(first.sid, first.av).catch((err: unknown) => err)
    }
    expect(meta).toMatchObject({ kind: 'gone', state: 'viewed' })
    for (const s of later) expect(await store.meta(s.sid, s.av)).toMatchObject({ kind: 'ok', viewsLeft: 1 })
  })
})
