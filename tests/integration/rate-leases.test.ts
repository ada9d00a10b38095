/**
 * The rate limiter's leases (server/src/budgets/request-leases.ts): instances sharing Redis
 * take admissions in leases of 1/32 of the limit, so together they never admit more than the
 * limit, and refuse at most a lease less one early per other instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from '@burnlink/shared'
import { buildApp, type App } from '../../server/src/app.ts'
import { defaultConfig } from '../../server/src/config.ts'
import { rateLimitKey } from '../../server/src/plugins/rate-limit.ts'
import { createRedisClient, type RedisClient } from '../../server/src/store/redis-client.ts'
import { RedisStore } from '../../server/src/store/redis-store.ts'
import { silentLogger } from '../helpers/logger.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

const LIMIT = 320
const LEASE = LIMIT / 32
const META = { sid: 'AAAAAAAAAAAAAAAAAAAAAA', acc: 'A'.repeat(43) }

describe('rate-limit leases across two instances sharing Redis', () => {
  const config = defaultConfig({
    trustProxy: true,
    rateLimit: { createPerMinute: 30, readPerMinute: LIMIT, ipv6Prefix: 64 },
  })
  let apps: App[] = []
  let clients: RedisClient[] = []

  beforeAll(async () => {
    clients = [1, 2].map(() => createRedisClient(workerRedisUrl(), silentLogger))
    apps = await Promise.all(
      clients.map((redis) =>
        buildApp({ config, store: new RedisStore(redis, { maxFailedAttempts: 5, statusRetentionSeconds: 60 }), redis }),
      ),
    )
  })
  afterAll(async () => {
    for (const app of apps) await app.close()
    for (const redis of clients) redis.disconnect()
  })

  /** A client of its own per test, so runs against a shared Redis never meet. */
  const newClient = () => `198.18.${randomBytes(1)[0]}.${randomBytes(1)[0]}`

  it(`admits at most ${LIMIT} a minute in all, and at most ${LEASE - 1} fewer, wherever requests land`, async () => {
    const client = newClient()
    const statuses: number[] = []
    for (let i = 0; i < LIMIT + 40; i++) {
      const res = await apps[i % 2]!.inject({
        method: 'POST',
        url: '/api/v1/secrets/meta',
        remoteAddress: '10.0.0.1',
        headers: { 'x-forwarded-for': client },
        payload: META,
      })
      statuses.push(res.statusCode)
    }
    const admitted = statuses.filter((s) => s === 404).length
    expect(statuses.filter((s) => s !== 404 && s !== 429)).toEqual([])
    expect(admitted).toBeLessThanOrEqual(LIMIT)
    expect(admitted).toBeGreaterThanOrEqual(LIMIT - (LEASE - 1))
    // Redis handed out exactly the limit, never more.
    const counter = `bl:rl:POST/api/v1/secrets/meta-${rateLimitKey(client, 64)}`
    expect(Number(await clients[0]!.get(counter))).toBe(LIMIT)
  })

  it('limits requests for unknown paths the same way', async () => {
    const client = newClient()
    const statuses: number[] = []
    for (let i = 0; i < LIMIT + 5; i++) {
      const res = await apps[i % 2]!.inject({
        url: '/no/such/path',
        remoteAddress: '10.0.0.1',
        headers: { 'x-forwarded-for': client },
      })
      statuses.push(res.statusCode)
    }
    expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(LIMIT)
    expect(statuses.slice(-5)).toEqual([429, 429, 429, 429, 429])
  })
})
