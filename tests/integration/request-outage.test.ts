/**
 * Invariant 4 for secret requests: while Redis is unreachable the request endpoints answer
 * 503 `unavailable` (never 500), and once it is back the same process serves them again by
 * itself, with the stored request intact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorBody, deriveRequestKeys, encodeB64u, parseRequestLink, prepareRequest } from '@burnlink/shared'
import { buildApp, type App } from '../../server/src/app.ts'
import { defaultConfig } from '../../server/src/config.ts'
import { RedisRequestStore } from '../../server/src/requests/redis-requests.ts'
import { createRedisClient } from '../../server/src/store/redis-client.ts'
import { MemoryStore } from '../../server/src/store/memory-store.ts'
import { silentLogger } from '../helpers/logger.ts'
import { startTcpProxy } from '../helpers/tcp-proxy.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

describe('Redis outage, secret requests', () => {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>
  let app: App
  let client: ReturnType<typeof createRedisClient>
  const config = defaultConfig()
  const store = new MemoryStore({ maxFailedAttempts: 5, statusRetentionSeconds: 60 })

  beforeAll(async () => {
    proxy = await startTcpProxy(workerRedisUrl())
    client = createRedisClient(proxy.url, silentLogger)
    const requests = new RedisRequestStore(client, { statusRetentionSeconds: 60, claimRetrySeconds: 300 })
    app = await buildApp({ config, store, requests })
  })
  afterAll(async () => {
    await app.close()
    await store.close()
    client.disconnect()
    await proxy.close()
  })

  const post = (url: string, payload: object) => app.inject({ method: 'POST', url: `/api/v1/requests${url}`, payload })

  it('answers 503 while Redis is down and serves the same request again once it is back', async () => {
    const p = await prepareRequest({ origin: 'http://x', ttl: 600, note: 'outlives the outage' })
    expect((await post('', p.request)).statusCode).toBe(201)
    const { rid, qa } = await deriveRequestKeys(parseRequestLink(p.requestLink).n)
    const access = { rid: encodeB64u(rid), acc: encodeB64u(qa) }

    proxy.cut()
    for (const [path, body] of [
      ['/open', access],
      ['', p.request],
      ['/status', p.ref],
    ] as const) {
      const res = await post(path, body)
      expect(res.statusCode).toBe(503)
      expect(ErrorBody.parse(res.json()).error).toBe('unavailable')
    }

    proxy.restore()
    const deadline = Date.now() + 10_000
    let opened = await post('/open', access)
    while (opened.statusCode !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100))
      opened = await post('/open', access)
    }
    expect(opened.statusCode).toBe(200)
    expect(opened.json()).toMatchObject({ pub: p.request.pub, note: p.request.note })
  })
})
