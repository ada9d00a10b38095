/**
 * Write coalescing (server/src/store/redis-client.ts): the commands issued in one turn of
 * the event loop reach Redis in one socket write, in order, each still answered on its own.
 */
import { once } from 'node:events'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { coalesceWrites } from '../../server/src/store/redis-client.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

describe('a Redis connection under load', () => {
  let client: Redis
  /** What the socket handed to the kernel: one entry per write, the number of commands in it. */
  const writes: number[] = []

  beforeAll(async () => {
    // The server's client runs its boot checks on connecting, which would share the first write.
    client = new Redis(workerRedisUrl())
    coalesceWrites(client)
    if (client.status !== 'ready') await once(client, 'ready')
    const stream = client.stream
    const writeOne = stream._write.bind(stream)
    const writeMany = stream._writev!.bind(stream)
    stream._write = (chunk, encoding, done) => {
      writes.push(1)
      writeOne(chunk, encoding, done)
    }
    stream._writev = (chunks, done) => {
      writes.push(chunks.length)
      writeMany(chunks, done)
    }
  })
  afterAll(async () => {
    await client?.quit()
  })

  it('sends the commands of one turn in one write, and answers each in order', async () => {
    writes.length = 0
    const key = `bl:test:writes:${process.pid}`
    const answers = Array.from({ length: 20 }, (_, i) => client.set(`${key}:${i}`, String(i), 'PX', 10_000))
    const reads = Array.from({ length: 20 }, (_, i) => client.get(`${key}:${i}`))
    expect(await Promise.all(answers)).toEqual(Array(20).fill('OK'))
    expect(await Promise.all(reads)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)))
    expect(writes).toEqual([40])
  })

  it('sends a command issued in a later turn in a write of its own', async () => {
    writes.length = 0
    await client.ping()
    await new Promise((r) => setImmediate(r))
    await client.ping()
    expect(writes).toEqual([1, 1])
  })
})
