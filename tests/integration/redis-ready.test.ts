/**
 * Waiting for a connecting Redis (server/src/store/redis-client.ts): every store, budget and
 * limiter of every app on one client waits for it, and they share one wait.
 */
import { describe, expect, it } from 'vitest'
import { createRedisClient, waitForReady } from '../../server/src/store/redis-client.ts'
import { silentLogger } from '../helpers/logger.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

describe('waiting for a connecting Redis', () => {
  it('adds one pair of listeners for twenty waiters, and none once they are through', async () => {
    const client = createRedisClient(workerRedisUrl(), silentLogger)
    try {
      expect(client.status).not.toBe('ready')
      const before = { ready: client.listenerCount('ready'), error: client.listenerCount('error') }
      const waits = Array.from({ length: 20 }, () => waitForReady(client))
      expect(client.listenerCount('ready') - before.ready).toBe(1)
      expect(client.listenerCount('error') - before.error).toBe(1)
      await Promise.all(waits)
      expect(client.listenerCount('ready')).toBe(before.ready)
      expect(client.listenerCount('error')).toBe(before.error)
      // Ready: later waiters pass at once, adding nothing.
      await waitForReady(client)
      expect(client.listenerCount('ready')).toBe(before.ready)
    } finally {
      client.disconnect()
    }
  })

  it('rejects every waiter of an unreachable Redis, and waits afresh the next time', async () => {
    // A port nothing listens on: the first connection error ends the wait.
    const client = createRedisClient('redis://127.0.0.1:1', silentLogger)
    try {
      const waits = [waitForReady(client), waitForReady(client)]
      for (const wait of waits) await expect(wait).rejects.toThrow('Redis is not reachable')
      await expect(waitForReady(client)).rejects.toThrow('Redis is not reachable')
    } finally {
      client.disconnect()
    }
  })
})
