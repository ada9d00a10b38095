/**
 * Issue 11 §2 against the built server and a Redis this file owns: creates stop at 80 % of
 * Redis' maxmemory with a 503 that says why, while meta, reveal, status and burn go on; the
 * rate limiter keeps counting, across instances, when Redis refuses every plain write; and
 * it counts in process while Redis does not answer at all. It never lets everything through.
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorBody, unlockSecret } from '@burnlink/shared'
import { API_ERRORS } from '../../server/src/errors.ts'
import { parseJson, waitFor, type Outcome } from '../helpers/load.ts'
import { startRedisServer, type RedisServer } from '../helpers/redis.ts'
import { newSeed, type Seed } from '../helpers/seeds.ts'
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts'

const SECRETS = '/api/v1/secrets'
const MAXMEMORY = 16 * 1024 * 1024
const LARGE_TEXT = 'x'.repeat(60_000)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A POST as the client `from` (the servers trust X-Forwarded-For). */
async function post(baseUrl: string, path: string, body: unknown, from: string): Promise<Outcome> {
  const start = performance.now()
  const res = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  })
  return { status: res.status, body: parseJson(await res.text()), start, end: performance.now() }
}

async function usedMemory(raw: Redis): Promise<number> {
  return Number(/^used_memory:(\d+)/m.exec(await raw.info('memory'))?.[1])
}

const NO_LIMITS = {
  TRUST_PROXY: 'true',
  RATE_LIMIT_CREATE_PER_MINUTE: '100000',
  RATE_LIMIT_READ_PER_MINUTE: '100000',
  CREATE_BYTES_PER_HOUR: String(1024 * 1024 * 1024),
}

describe('the storage budget from Redis maxmemory', () => {
  let redis: RedisServer
  let server: ServerProcess
  let raw: Redis

  beforeAll(async () => {
    redis = await startRedisServer(['--maxmemory', String(MAXMEMORY)])
    raw = new Redis(redis.url)
    server = await startServerProcess({ REDIS_URL: redis.url, ...NO_LIMITS })
  })
  afterAll(async () => {
    raw?.disconnect()
    await server?.stop()
    await redis?.stop()
  })

  it('refuses creates with 503 past 80 % of maxmemory, before Redis is full, while reads and burns go on', async () => {
    const budget = Math.floor(0.8 * MAXMEMORY)
    // Most of the way there with filler, so that only a few secrets are needed to cross.
    const filler = Buffer.alloc(512 * 1024, 1)
    let fillers = 0
    while ((await usedMemory(raw)) < budget - 1024 * 1024) await raw.set(`filler:${fillers++}`, filler)

    const created: Seed[] = []
    let refused: Outcome | undefined
    for (let i = 0; i < 100 && !refused; i++) {
      const seed = await newSeed({ text: `${i} ${LARGE_TEXT}`, maxViews: 1 })
      const o = await post(server.url, SECRETS, seed.prepared.request, '198.51.100.1')
      if (o.status === 201) created.push(seed)
      else refused = o
      // Paced so that the second between samples cannot carry creates past the 20 % headroom.
      await sleep(100)
    }
    console.log(
      `storage budget: ${created.length} creates of 64 KiB, then ${refused?.status} at ${await usedMemory(raw)} of ${budget} bytes`,
    )
    expect(refused?.status).toBe(503)
    expect(ErrorBody.parse(refused?.body)).toEqual({
      error: 'unavailable',
      message: API_ERRORS.storageBudgetReached.message(),
    })
    expect(created.length).toBeGreaterThan(5)
    // Refused by the budget, not by Redis: a plain write still fits.
    expect(await usedMemory(raw)).toBeLessThan(MAXMEMORY)
    expect(server.logs.some((l) => String(l.msg).startsWith('storage budget reached'))).toBe(true)

    const [first, second, ...rest] = created as [Seed, Seed, ...Seed[]]
    const client = '198.51.100.2'
    expect((await post(server.url, `${SECRETS}/meta`, first.access, client)).status).toBe(200)
    const status = { sid: first.prepared.sid, mt: first.prepared.mt }
    expect((await post(server.url, `${SECRETS}/status`, status, client)).status).toBe(200)
    const { rev } = await unlockSecret({ k: first.k, hdr: first.prepared.request.hdr })
    expect((await post(server.url, `${SECRETS}/reveal`, { ...first.access, rev }, client)).status).toBe(200)
    const burn = { sid: second.prepared.sid, mt: second.prepared.mt }
    expect((await post(server.url, `${SECRETS}/burn`, burn, client)).status).toBe(200)
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200)

    // Freed storage is taken again within a sample or two.
    for (const seed of rest)
      await post(server.url, `${SECRETS}/burn`, { sid: seed.prepared.sid, mt: seed.prepared.mt }, client)
    await raw.del(...Array.from({ length: fillers }, (_, i) => `filler:${i}`))
    await waitFor(
      async () => {
        const seed = await newSeed({ text: 'again', maxViews: 1 })
        return (await post(server.url, SECRETS, seed.prepared.request, '198.51.100.3')).status === 201
      },
      3000,
      200,
    )
  })
})

describe('the rate limiter when Redis cannot write or does not answer', () => {
  const READS = 5
  let redis: RedisServer
  let servers: ServerProcess[] = []
  let raw: Redis
  let seed: Seed

  beforeAll(async () => {
    redis = await startRedisServer()
    raw = new Redis(redis.url)
    const env = {
      REDIS_URL: redis.url,
      TRUST_PROXY: 'true',
      RATE_LIMIT_CREATE_PER_MINUTE: '3',
      RATE_LIMIT_READ_PER_MINUTE: String(READS),
    }
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)])
    seed = await newSeed({ text: 'still readable', maxViews: 1 })
    expect((await post(servers[0]!.url, SECRETS, seed.prepared.request, '198.51.100.9')).status).toBe(201)
  })
  afterAll(async () => {
    await raw?.call('CLIENT', 'UNPAUSE').catch(() => {})
    raw?.disconnect()
    await Promise.all(servers.map((s) => s.stop()))
    await redis?.stop()
  })

  it('with Redis full (noeviction), still counts in Redis across instances and answers 429 past the limit', async () => {
    await raw.config('SET', 'maxmemory', '1')
    try {
      // The condition that once turned the limiter off: Redis refuses every plain write.
      await expect(raw.set('probe', 'x')).rejects.toThrow(/OOM/)

      // Alternating between the two instances: one shared count, not one per instance.
      const reads = []
      for (let i = 0; i < READS + 3; i++)
        reads.push((await post(servers[i % 2]!.url, `${SECRETS}/meta`, seed.access, '203.0.113.10')).status)
      expect(reads).toEqual([...Array(READS).fill(200), 429, 429, 429])

      const creates = []
      for (let i = 0; i < 5; i++) {
        const s = await newSeed({ text: `${i}`, maxViews: 1 })
        creates.push((await post(servers[i % 2]!.url, SECRETS, s.prepared.request, '203.0.113.10')).status)
      }
      expect(creates).toEqual([503, 503, 503, 429, 429])
      // Counted in Redis all along: no instance had to fall back.
      for (const s of servers) expect(s.logs.filter((l) => String(l.msg).includes('this process only'))).toEqual([])
    } finally {
      await raw.config('SET', 'maxmemory', '0')
    }
  })

  it('while Redis does not answer, counts in process and still answers 429 past the limit', async () => {
    // Every script waits (the limiter's and the store's alike); INFO and UNPAUSE still run.
    await raw.call('CLIENT', 'PAUSE', '20000', 'WRITE')
    const reads: Outcome[] = []
    try {
      for (let i = 0; i < READS + 3; i++)
        reads.push(await post(servers[0]!.url, `${SECRETS}/meta`, seed.access, '203.0.113.20'))
    } finally {
      await raw.call('CLIENT', 'UNPAUSE')
    }
    console.log(
      `limiter, Redis paused: ${reads.map((o) => `${o.status} in ${(o.end - o.start).toFixed(0)} ms`).join(', ')}`,
    )
    expect(reads.map((o) => o.status)).toEqual([...Array(READS).fill(503), 429, 429, 429])
    // The limiter waits a quarter of a second, then the store its own timeout: a 503 within about one.
    expect(reads.slice(0, READS).every((o) => o.end - o.start < 1600)).toBe(true)
    expect(
      servers[0]!.logs.some((l) => l.msg === 'rate limits are counted in this process only until Redis answers again'),
    ).toBe(true)
  })
})
