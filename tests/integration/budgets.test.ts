/**
 * Nobody can fill the store (issue 11 §2): each client's bytes per hour are budgeted, shared
 * by instances through Redis, with a 429 past the budget while other clients go on; past the
 * server's storage budget creates answer 503 while meta, reveal, status and burn go on.
 * (With a full Redis: tests/reliability/storage-budgets.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorBody, decodeB64u, randomBytes, unlockSecret, type CreateSecretRequest } from '@burnlink/shared'
import { buildApp, type App } from '../../server/src/app.ts'
import { defaultConfig, type Config } from '../../server/src/config.ts'
import { API_ERRORS } from '../../server/src/errors.ts'
import { MemoryStore } from '../../server/src/store/memory-store.ts'
import { createRedisClient } from '../../server/src/store/redis-client.ts'
import { ByteBudget } from '../../server/src/budgets/byte-budget.ts'
import { RedisStore } from '../../server/src/store/redis-store.ts'
import type { Store } from '../../server/src/store/store.ts'
import { waitFor } from '../helpers/load.ts'
import { silentLogger } from '../helpers/logger.ts'
import { newSeed, type Seed } from '../helpers/seeds.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

/** Fills the largest frame: a 64 KiB ciphertext. */
const LARGE_TEXT = 'x'.repeat(60_000)
const OPTIONS = { maxFailedAttempts: 5, statusRetentionSeconds: 600 }

const storedBytes = (r: CreateSecretRequest) => decodeB64u(r.hdr).length + decodeB64u(r.ct).length

/** A fresh /64 per run, so counts left in a shared Redis by an earlier run never matter. */
function randomNetwork(): string {
  const hex = Buffer.from(randomBytes(4)).toString('hex')
  return `2001:db8:${hex.slice(0, 4)}:${hex.slice(4)}`
}

function budgetConfig(budgets: Config['budgets']): Config {
  return defaultConfig({
    trustProxy: true,
    rateLimit: { createPerMinute: 10_000, readPerMinute: 10_000, ipv6Prefix: 64 },
    budgets,
  })
}

interface Instance {
  app: App
  store: Store
}

async function instance(config: Config, redisUrl?: string): Promise<Instance> {
  if (!redisUrl) {
    const store = new MemoryStore(OPTIONS)
    return { app: await buildApp({ config, store }), store }
  }
  const redis = createRedisClient(redisUrl, silentLogger)
  const store = new RedisStore(redis, OPTIONS)
  return { app: await buildApp({ config, store, redis }), store }
}

async function close(instances: Instance[]) {
  for (const { app, store } of instances) {
    await app.close()
    await store.close()
  }
}

const post = (app: App, path: string, body: object, from = '198.51.100.7') =>
  app.inject({
    method: 'POST',
    url: `/api/v1/secrets${path}`,
    remoteAddress: '10.0.0.1',
    headers: { 'x-forwarded-for': from },
    payload: body,
  })

describe.each([
  { name: 'two instances sharing Redis', redis: true },
  { name: 'the memory store', redis: false },
])('the per-client byte budget, on $name', ({ redis }) => {
  let instances: Instance[] = []
  let large: Seed
  let perSecret: number

  beforeAll(async () => {
    large = await newSeed({ text: LARGE_TEXT, maxViews: 1 })
    perSecret = storedBytes(large.prepared.request)
    // Three of the largest secrets an hour, and no storage budget in the way.
    const config = budgetConfig({ createBytesPerHour: 3 * perSecret, maxStoredBytes: 0 })
    const url = redis ? workerRedisUrl() : undefined
    instances = await Promise.all((redis ? [1, 2] : [1]).map(() => instance(config, url)))
  })
  afterAll(() => close(instances))

  /** Creates in turn on each instance. */
  let turn = 0
  const create = async (text: string, from: string) => {
    const seed = await newSeed({ text, maxViews: 1 })
    return post(instances[turn++ % instances.length]!.app, '', seed.prepared.request, from)
  }

  it('refuses the bytes past the budget with 429 and Retry-After, for the whole /64, while others go on', async () => {
    const network = randomNetwork()
    const client = `${network}::1`
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await create(`${i} ${LARGE_TEXT}`, client)).statusCode)
    expect(statuses).toEqual([201, 201, 201])

    const refused = await create(`3 ${LARGE_TEXT}`, client)
    expect(refused.statusCode).toBe(429)
    const body = ErrorBody.parse(refused.json())
    expect(body.error).toBe('rate_limited')
    expect(body.message).toMatch(/^This address has stored as much as it may in an hour; try again in \d+ minutes\.$/)
    // The first chance is once enough of this hour's bytes have slid out: within two hours.
    const retryAfter = Number(refused.headers['retry-after'])
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(7200)

    // A small secret does not fit either, nor does one from another address of the /64.
    expect((await create('small', client)).statusCode).toBe(429)
    expect((await create('small', `${network}:ffff:ffff:ffff:fffe`)).statusCode).toBe(429)
    // Other clients are not affected.
    expect((await create(LARGE_TEXT, `${randomNetwork()}::1`)).statusCode).toBe(201)
    expect((await create(LARGE_TEXT, `198.51.100.${1 + (randomBytes(1)[0]! % 200)}`)).statusCode).toBe(201)
  })

  it('leases bytes at large budgets: never over the budget in all, at most one lease early per other instance', async () => {
    const small = await newSeed({ text: 'small', maxViews: 1 })
    const perSmall = storedBytes(small.prepared.request)
    const budget = 64 * perSmall
    // A lease is 1/32 of the budget: two small secrets here.
    const lease = Math.floor(budget / 32)
    const config = budgetConfig({ createBytesPerHour: budget, maxStoredBytes: 0 })
    const url = redis ? workerRedisUrl() : undefined
    const leasing = await Promise.all((redis ? [1, 2] : [1]).map(() => instance(config, url)))
    try {
      const client = `${randomNetwork()}::1`
      const statuses: number[] = []
      for (let i = 0; i < 70; i++) {
        const seed = await newSeed({ text: 'small', maxViews: 1 })
        statuses.push((await post(leasing[i % leasing.length]!.app, '', seed.prepared.request, client)).statusCode)
      }
      expect(statuses.filter((s) => s !== 201 && s !== 429)).toEqual([])
      const admitted = statuses.filter((s) => s === 201).length * perSmall
      expect(admitted).toBeLessThanOrEqual(budget)
      expect(admitted).toBeGreaterThanOrEqual(budget - (leasing.length - 1) * lease)
      expect(statuses.slice(-3)).toEqual([429, 429, 429])
    } finally {
      await close(leasing)
    }
  })

  it('counts nothing for a refused or invalid create', async () => {
    const client = `${randomNetwork()}::1`
    // Not base64url: refused before anything is counted.
    const bad = { ...large.prepared.request, ct: '!'.repeat(large.prepared.request.ct.length) }
    for (let i = 0; i < 5; i++) expect((await post(instances[0]!.app, '', bad, client)).statusCode).toBe(400)
    const statuses = []
    for (let i = 0; i < 4; i++) statuses.push((await create(`${i} ${LARGE_TEXT}`, client)).statusCode)
    expect(statuses).toEqual([201, 201, 201, 429])
  })
})

describe('the storage budget of the memory store', () => {
  let one: Instance
  let perSecret: number
  const seeds: Seed[] = []

  beforeAll(async () => {
    perSecret = storedBytes((await newSeed({ text: LARGE_TEXT, maxViews: 1 })).prepared.request)
    one = await instance(
      budgetConfig({ createBytesPerHour: 100 * perSecret, maxStoredBytes: Math.floor(2.5 * perSecret) }),
    )
    await one.app.ready()
  })
  afterAll(() => close([one]))

  const create = async (text: string) => {
    const seed = await newSeed({ text, maxViews: 1 })
    const res = await post(one.app, '', seed.prepared.request)
    if (res.statusCode === 201) seeds.push(seed)
    return res
  }

  it('refuses creates with 503 once full, while meta, reveal, status and burn go on, and takes them again when freed', async () => {
    for (let i = 0; i < 3; i++) expect((await create(`${i} ${LARGE_TEXT}`)).statusCode).toBe(201)
    // The stored bytes are sampled every second.
    await waitFor(async () => (await create('small')).statusCode === 503, 3000, 100)
    const refused = await create('small')
    expect(refused.statusCode).toBe(503)
    expect(ErrorBody.parse(refused.json())).toEqual({
      error: 'unavailable',
      message: API_ERRORS.storageBudgetReached.message(),
    })

    const [first, second, third] = seeds as [Seed, Seed, Seed]
    expect((await post(one.app, '/meta', first.access)).statusCode).toBe(200)
    expect((await post(one.app, '/status', { sid: first.prepared.sid, mt: first.prepared.mt })).statusCode).toBe(200)
    const { rev } = await unlockSecret({ k: first.k, hdr: first.prepared.request.hdr })
    expect((await post(one.app, '/reveal', { ...first.access, rev })).statusCode).toBe(200)
    expect((await post(one.app, '/burn', { sid: second.prepared.sid, mt: second.prepared.mt })).statusCode).toBe(200)
    expect((await post(one.app, '/burn', { sid: third.prepared.sid, mt: third.prepared.mt })).statusCode).toBe(200)

    // Two large secrets freed: below the budget at the next sample.
    await waitFor(async () => (await create('small')).statusCode === 201, 3000, 100)
  })
})

// Found by the whole integration run: every test's app leased 1/32 of 127.0.0.1's budget on
// its first create and never spent it, until creates elsewhere in the run were refused.
describe("a client's byte budget across many instances", () => {
  it('is not held unspent by instances that see the client once: a lease is at most 16 of its charges', async () => {
    const redis = createRedisClient(workerRedisUrl(), silentLogger)
    const charge = 1_000
    // Without the cap a lease would be 1/32 of this, 32 charges: 40 instances would hold 1,280.
    const budget = 1_024 * charge
    const budgets = Array.from({ length: 40 }, () => new ByteBudget(redis, silentLogger, budget))
    try {
      const client = `cap-${Buffer.from(randomBytes(8)).toString('hex')}`
      const once = await Promise.all(budgets.map((b) => b.charge(client, charge)))
      expect(once.filter((c) => !c.ok)).toEqual([])
      // What the 40 hold unspent (15 charges each at most) leaves the rest of the hour to spend.
      let admitted = 0
      while ((await budgets[0]!.charge(client, charge)).ok) admitted++
      expect(admitted).toBeGreaterThanOrEqual(1_024 - 40 * 16)
      expect(admitted).toBeLessThanOrEqual(1_024 - 40)
    } finally {
      redis.disconnect()
    }
  })
})
