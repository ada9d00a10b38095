/**
 * Creation is limited per client across instances (the counters live in the shared Redis),
 * and X-Forwarded-For is believed only when TRUST_PROXY says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorBody, PayloadType, prepareSecret } from '@burnlink/shared'
import { buildApp } from '../../server/src/app.ts'
import { defaultConfig } from '../../server/src/config.ts'
import { MemoryStore } from '../../server/src/store/memory-store.ts'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'
import { RATE_LIMIT_DB, redisDatabaseUrl } from '../helpers/worker-redis.ts'

const LIMIT = 5

async function createBody() {
  const { request } = await prepareSecret({
    type: PayloadType.text,
    text: 'x',
    ttl: 600,
    maxViews: 1,
    origin: 'http://localhost',
  })
  return request
}

describe('rate limits across two server processes sharing Redis', () => {
  let servers: ServerProcess[] = []
  beforeAll(async () => {
    const env = { REDIS_URL: redisDatabaseUrl(RATE_LIMIT_DB), RATE_LIMIT_CREATE_PER_MINUTE: String(LIMIT) }
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)])
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()))
  })

  it(`answers the ${LIMIT + 1}th create in a minute with 429 and Retry-After, wherever it lands`, async () => {
    const statuses = []
    for (let i = 0; i <= LIMIT; i++) {
      const res = await fetch(`${servers[i % 2]!.url}/api/v1/secrets`, {
        method: 'POST',
        // Spoofed addresses change nothing without TRUST_PROXY.
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i}` },
        body: JSON.stringify(await createBody()),
      })
      statuses.push(res.status)
      if (res.status === 429) {
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
        expect(ErrorBody.parse(await res.json()).error).toBe('rate_limited')
      }
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(201), 429])
  })
})

describe('TRUST_PROXY', () => {
  const FOUR_ADDRESSES = ['198.51.100.0', '198.51.100.1', '198.51.100.2', '198.51.100.3']

  /** Creates from each forwarded address in turn, two allowed per client. */
  async function statusesFor(trustProxy: boolean, forwardedFor = FOUR_ADDRESSES) {
    const config = defaultConfig({ trustProxy, rateLimit: { createPerMinute: 2, readPerMinute: 100, ipv6Prefix: 64 } })
    const store = new MemoryStore({ maxFailedAttempts: 5, statusRetentionSeconds: 60 })
    const app = await buildApp({ config, store })
    const statuses = []
    for (const address of forwardedFor) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/secrets',
        remoteAddress: '10.0.0.1',
        headers: { 'x-forwarded-for': address },
        payload: await createBody(),
      })
      statuses.push(res.statusCode)
    }
    await app.close()
    await store.close()
    return statuses
  }

  it('ignores X-Forwarded-For by default', async () => {
    expect(await statusesFor(false)).toEqual([201, 201, 429, 429])
  })

  it('keys on the forwarded client address when trusted', async () => {
    expect(await statusesFor(true)).toEqual([201, 201, 201, 201])
  })

  it('counts an IPv6 client by its /64, so rotating addresses inside it gains nothing', async () => {
    const rotating = ['2001:db8:1:2::1', '2001:db8:1:2:a::b', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:3::1']
    expect(await statusesFor(true, rotating)).toEqual([201, 201, 429, 201])
  })
})
