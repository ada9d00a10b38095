/**
 * The creator's receipt (protocol.md §7, §8) through the HTTP API on a real Redis: opens
 * without a reveal, a wrong passphrase and a reveal come back in order, with times, and
 * nothing about the caller is kept: only types and times, in the one key made for them.
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SecretStatus, unlockSecret } from '@burnlink/shared'
import { buildApp, type App } from '../../server/src/app.ts'
import { defaultConfig } from '../../server/src/config.ts'
import { secretKeys } from '../../server/src/store/redis-store.ts'
import type { Store } from '../../server/src/store/store.ts'
import { newSeed } from '../helpers/seeds.ts'
import { openTestStore } from '../helpers/server.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

const config = defaultConfig({ rateLimit: { createPerMinute: 10_000, readPerMinute: 10_000, ipv6Prefix: 64 } })
// Distinctive, so that finding either in Redis could only mean it was stored.
const CLIENT = { 'user-agent': 'ReceiptProbe/7.3 (scanner; +https://probe.example)', 'x-forwarded-for': '203.0.113.77' }

describe('receipts on the Redis store', () => {
  let app: App
  let store: Store
  let raw: Redis
  beforeAll(async () => {
    store = openTestStore(config, workerRedisUrl())
    app = await buildApp({ config, store })
    raw = new Redis(workerRedisUrl())
  })
  afterAll(async () => {
    await app.close()
    await store.close()
    await raw.quit()
  })

  const post = (url: string, body: object) =>
    app.inject({ method: 'POST', url: `/api/v1/secrets${url}`, payload: body, headers: CLIENT })

  it('lists two opens, a wrong passphrase and the reveal in order with times, and keeps nothing else about them', async () => {
    const seed = await newSeed({ text: 'receipt me', maxViews: 1, passphrase: 'right', ttl: 600 })
    const { request, sid, mt } = seed.prepared
    expect((await post('', request)).statusCode).toBe(201)
    const revFor = async (passphrase: string) => (await unlockSecret({ k: seed.k, passphrase, hdr: request.hdr })).rev

    const before = await raw.time()
    expect((await post('/meta', seed.access)).statusCode).toBe(200)
    expect((await post('/reveal', { ...seed.access, rev: await revFor('wrong') })).statusCode).toBe(401)
    expect((await post('/meta', seed.access)).statusCode).toBe(200)
    expect((await post('/reveal', { ...seed.access, rev: await revFor('right') })).statusCode).toBe(200)
    const after = await raw.time()

    const status = SecretStatus.parse((await post('/status', { sid, mt })).json())
    expect(status.events.map((e) => e.type)).toEqual(['opened', 'wrong_passphrase', 'opened', 'revealed', 'viewed'])
    const times = status.events.map((e) => Date.parse(e.at))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    // On Redis' clock, between the first call and the last, in whole seconds from the create.
    expect(times[0]).toBeGreaterThanOrEqual(Number(before[0]) * 1000 - 1000)
    expect(times.at(-1)).toBeLessThanOrEqual(Number(after[0]) * 1000 + 1000)
    for (const t of times.slice(0, -1)) expect((t - Date.parse(status.createdAt)) % 1000).toBe(0)
    expect(status.events.at(-1)?.at).toBe(status.endedAt)

    // What Redis holds for the secret now: the status hash and the timeline, nothing more.
    const { m, e } = secretKeys(sid)
    expect((await raw.keys(`bl:{${sid}}:*`)).sort()).toEqual([e, m].sort())
    // The same fields as a secret revealed at once, with no open or wrong passphrase before.
    const control = await newSeed({ text: 'control', maxViews: 1, ttl: 600 })
    expect((await post('', control.prepared.request)).statusCode).toBe(201)
    const controlRev = (await unlockSecret({ k: control.k, hdr: control.prepared.request.hdr })).rev
    expect((await post('/reveal', { ...control.access, rev: controlRev })).statusCode).toBe(200)
    expect((await raw.hkeys(m)).sort()).toEqual((await raw.hkeys(secretKeys(control.prepared.sid).m)).sort())
    const timeline = (await raw.getBuffer(e))!
    expect(timeline).toHaveLength(4 * 5)
    const stored = [...(await raw.hvalsBuffer(m)), timeline]
    for (const needle of [CLIENT['user-agent'], 'ReceiptProbe', CLIENT['x-forwarded-for'], '127.0.0.1']) {
      expect(stored.some((value) => value.includes(needle))).toBe(false)
    }
  })
})
