/**
 * The RequestStore contract on both implementations, then what only Redis can show: what is
 * left in Redis after each ending, and that 50 concurrent answers leave exactly one.
 */
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryRequestStore } from '../../server/src/requests/memory-requests.ts'
import { RedisRequestStore, requestKeys } from '../../server/src/requests/redis-requests.ts'
import { createRedisClient } from '../../server/src/store/redis-client.ts'
import { silentLogger } from '../helpers/logger.ts'
import { REQUEST_OPTIONS, describeRequestContract, newAnswer, newRequest } from '../helpers/request-contract.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

function openRedis(): { store: RedisRequestStore; client: ReturnType<typeof createRedisClient> } {
  const client = createRedisClient(workerRedisUrl(), silentLogger)
  return { store: new RedisRequestStore(client, REQUEST_OPTIONS), client }
}

describeRequestContract('memory', () => new MemoryRequestStore(REQUEST_OPTIONS))
describeRequestContract('redis', () => {
  const { store, client } = openRedis()
  return { ...bind(store), close: async () => void (await client.quit()) }
})

/** The store's methods bound to it, so a wrapper can replace close. */
function bind(store: RedisRequestStore) {
  return {
    create: store.create.bind(store),
    open: store.open.bind(store),
    answer: store.answer.bind(store),
    collect: store.collect.bind(store),
    ack: store.ack.bind(store),
    status: store.status.bind(store),
    burn: store.burn.bind(store),
  }
}

describe('redis request store internals', () => {
  let raw: Redis
  let store: RedisRequestStore
  let client: ReturnType<typeof createRedisClient>
  beforeAll(() => {
    raw = new Redis(workerRedisUrl())
    ;({ store, client } = openRedis())
  })
  afterAll(async () => {
    await client.quit()
    await raw.quit()
  })

  const ALLOWED_AFTER_END = new Set(['qv', 'cv', 'st', 'ca', 'ea', 'aa', 'ed'])

  it('keeps both keys in one slot and, after every ending, nothing but verifiers, state and times', async () => {
    const burned = newRequest()
    await store.create(burned)
    const a = newAnswer()
    await store.answer(burned.rid, burned.qv, a.epk, a.ans)
    const { a: answerKey, m } = requestKeys(burned.rid)
    expect(/\{([^}]+)\}/.exec(answerKey)?.[1]).toBe(/\{([^}]+)\}/.exec(m)?.[1])
    expect((await raw.getBuffer(answerKey))?.length).toBe(65 + 540)
    await store.burn(burned.rid, burned.cv)

    const collected = newRequest()
    await store.create(collected)
    await store.answer(collected.rid, collected.qv, a.epk, a.ans)
    await store.collect(collected.rid, collected.cv)

    for (const r of [burned, collected]) {
      const keys = requestKeys(r.rid)
      expect(await raw.exists(keys.a)).toBe(0)
      expect((await raw.hkeys(keys.m)).filter((f) => !ALLOWED_AFTER_END.has(f))).toEqual([])
    }
  })

  it('stores exactly one of 50 concurrent answers', async () => {
    const r = newRequest()
    await store.create(r)
    const answers = Array.from({ length: 50 }, newAnswer)
    const results = await Promise.all(answers.map((a) => store.answer(r.rid, r.qv, a.epk, a.ans)))
    const won = results.flatMap((x, i) => (x.kind === 'answered' ? [i] : []))
    expect(won).toHaveLength(1)
    expect(results.filter((x) => x.kind === 'already_answered')).toHaveLength(49)
    const stored = await raw.getBuffer(requestKeys(r.rid).a)
    const winner = answers[won[0]!]!
    expect(new Uint8Array(stored!)).toEqual(new Uint8Array([...winner.epk, ...winner.ans]))
  })
})
