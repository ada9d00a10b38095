/**
 * Invariant 4 under a Redis outage: while Redis is unreachable every call answers 503
 * quickly (never hangs, never 500s), /readyz fails, and once Redis is back the same
 * process serves again by itself, with stored secrets intact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorBody, PayloadType, openSecretLink, parseSecretLink, prepareSecret, unlockSecret } from '@burnlink/shared'
import { buildApp, type App } from '../../server/src/app.ts'
import { defaultConfig } from '../../server/src/config.ts'
import type { Store } from '../../server/src/store/store.ts'
import { startTcpProxy } from '../helpers/tcp-proxy.ts'
import { openTestStore } from '../helpers/server.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

describe('Redis outage', () => {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>
  let app: App
  let store: Store

  beforeAll(async () => {
    proxy = await startTcpProxy(workerRedisUrl())
    const config = defaultConfig()
    store = openTestStore(config, proxy.url)
    app = await buildApp({ config, store })
  })
  afterAll(async () => {
    await app.close()
    await store.close()
    await proxy.close()
  })

  const post = (url: string, payload: object) => app.inject({ method: 'POST', url: `/api/v1/secrets${url}`, payload })

  async function until(check: () => Promise<boolean>, ms: number) {
    const deadline = Date.now() + ms
    while (Date.now() < deadline) {
      if (await check()) return Date.now()
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`not within ${ms} ms`)
  }

  it('answers 503 within a second while Redis is down, and recovers within seconds of its return', async () => {
    const s = await prepareSecret({
      type: PayloadType.text,
      text: 'outlives the outage',
      ttl: 600,
      maxViews: 1,
      origin: 'http://x',
    })
    expect((await post('', s.request)).statusCode).toBe(201)
    const access = await openSecretLink(parseSecretLink(s.link).k)

    proxy.cut()
    for (const call of [
      () => post('/meta', access),
      () => post('', s.request),
      () => app.inject({ method: 'GET', url: '/readyz' }),
    ]) {
      const started = Date.now()
      const res = await call()
      expect(Date.now() - started).toBeLessThan(1000)
      expect(res.statusCode).toBe(503)
      expect(ErrorBody.parse(res.json()).error).toBe('unavailable')
    }

    const restoredAt = Date.now()
    proxy.restore()
    const readyAt = await until(
      async () => (await app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200,
      5000,
    )
    expect(readyAt - restoredAt).toBeLessThan(3000)

    const meta = await post('/meta', access)
    expect(meta.statusCode).toBe(200)
    const { rev } = await unlockSecret({ k: parseSecretLink(s.link).k, hdr: meta.json().hdr })
    expect((await post('/reveal', { ...access, rev })).statusCode).toBe(200)
    expect((await post('/reveal', { ...access, rev })).statusCode).toBe(410)
  })
})
