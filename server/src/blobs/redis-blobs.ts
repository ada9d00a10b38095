/**
 * Chunks in Redis, the default beside a Redis secrets store. A chunk's keys carry the
 * secret's `{sid}` hash tag, so on a Redis Cluster they live in the secret's slot, beside
 * its record, and every multi-key call here stays on one node. Keys expire by themselves at
 * the deadline put and expire give, under the sweep that deletes them on time.
 *
 * A chunk is stored as two strings: its first HEAD_BYTES, and the rest (at most 80 bytes)
 * when there is any. As one 1,048,592-byte value, jemalloc would give each chunk its next
 * size class, 1.25 MiB: 27 % more memory than the data. Split, the head fills a 1 MiB class
 * and the tail a small one, and Redis holds about 1.0 byte per byte stored.
 */
import { Readable } from 'node:stream'
import type { ChainableCommander } from 'ioredis'
import { failFastWhenStalled, guarded, toStoreError, waitForReady, type RedisClient } from '../store/redis-client.ts'
import {
  checkChunk,
  chunksOf,
  readChunk,
  type BlobLayout,
  type BlobRef,
  type BlobStore,
  type PutOptions,
} from './blob-store.ts'

/** 1 MiB less room for Redis' string header, with margin: the 1 MiB class holds it exactly. */
export const HEAD_BYTES = 1_048_576 - 64
/** Keys per UNLINK: one call stays small whatever the layout. */
const UNLINK_BATCH = 512

/**
 * Gives a chunk's keys one deadline: ARGV[1], or the later one a key already had (a put
 * never brings a chunk's deadline earlier). Runs inside the put's MULTI, after the SETs with
 * KEEPTTL, so it sees the deadline of what was there before. Only small arguments: the
 * chunk's bytes never pass through Lua.
 */
const DEADLINE = `
  local at = tonumber(ARGV[1])
  for _, key in ipairs(KEYS) do
    local current = redis.call('PEXPIRETIME', key)
    if current > at then at = current end
  end
  for _, key in ipairs(KEYS) do redis.call('PEXPIREAT', key, at) end
  return at`

type WithDeadline = ChainableCommander & {
  burnlinkBlobDeadline(head: string, tail: string, at: number): ChainableCommander
}

/** The head and tail keys of one chunk: `bl:{<sid>}:b:<file>:<chunk>` and the same with `:t`. */
export function chunkKeys(ref: BlobRef, file: number, chunk: number): [head: string, tail: string] {
  const head = `bl:{${ref.sid}}:b:${file}:${chunk}`
  return [head, `${head}:t`]
}

export class RedisBlobStore implements BlobStore {
  /** The first connection attempt, while it lasts: calls made at boot wait for it instead of failing. */
  private connecting: Promise<void> | undefined

  /** The client stays the caller's: close() leaves it open. */
  constructor(private readonly redis: RedisClient) {
    redis.defineCommand('burnlinkBlobDeadline', { numberOfKeys: 2, lua: DEADLINE })
    if (redis.status !== 'ready') {
      this.connecting = waitForReady(redis)
        .catch(() => {})
        .finally(() => (this.connecting = undefined))
    }
  }

  async put(ref: BlobRef, file: number, chunk: number, body: Readable | Uint8Array, options: PutOptions) {
    checkChunk(file, chunk, options.size)
    // Whole before anything is sent: Redis never sees part of a chunk.
    const bytes = await readChunk(body, options.size)
    const [head, tail] = chunkKeys(ref, file, chunk)
    const multi = (await this.multi()) as WithDeadline
    multi.set(head, bytes.subarray(0, HEAD_BYTES), 'KEEPTTL')
    if (bytes.length > HEAD_BYTES) multi.set(tail, bytes.subarray(HEAD_BYTES), 'KEEPTTL')
    else multi.unlink(tail)
    multi.burnlinkBlobDeadline(head, tail, options.expiresAt)
    await exec(multi)
  }

  async get(ref: BlobRef, file: number, chunk: number): Promise<Readable | null> {
    checkChunk(file, chunk)
    await this.ready()
    const [head, tail] = await guarded(() => this.redis.mgetBuffer(...chunkKeys(ref, file, chunk)))
    if (!head) return null
    return Readable.from(tail ? [head, tail] : [head], { objectMode: false })
  }

  async deleteAll(ref: BlobRef, layout: BlobLayout) {
    const keys = [...chunksOf(layout)].flatMap(([file, chunk]) => chunkKeys(ref, file, chunk))
    await this.ready()
    for (let i = 0; i < keys.length; i += UNLINK_BATCH) {
      const batch = keys.slice(i, i + UNLINK_BATCH)
      await guarded(() => this.redis.unlink(...batch))
    }
  }

  async expire(ref: BlobRef, layout: BlobLayout, at: number, onlyLater = false) {
    const multi = await this.multi()
    for (const [file, chunk] of chunksOf(layout)) {
      for (const key of chunkKeys(ref, file, chunk)) {
        if (onlyLater) multi.pexpireat(key, at, 'GT')
        else multi.pexpireat(key, at)
      }
    }
    await exec(multi)
  }

  async ping() {
    await this.connecting
    await guarded(() => this.redis.ping())
  }

  async close() {}

  private async ready(): Promise<void> {
    await this.connecting
    failFastWhenStalled(this.redis)
  }

  private async multi(): Promise<ChainableCommander> {
    await this.ready()
    return this.redis.multi()
  }
}

/**
 * Runs a MULTI, all or nothing, rethrowing backend trouble as StoreUnavailableError. Redis
 * refuses a whole transaction when a command is refused while queued (OOM does that): the
 * reason is then in the EXECABORT's previous errors. Every error loses the command it
 * carries, whose arguments include chunk bytes.
 */
async function exec(multi: ChainableCommander): Promise<void> {
  let results: Array<[Error | null, unknown]> | null
  try {
    results = await multi.exec()
  } catch (err) {
    const previous = (err as { previousErrors?: unknown[] }).previousErrors ?? []
    const mapped = [err, ...previous].map(toStoreError)
    throw mapped[1] ?? mapped[0]
  }
  const failed = (results ?? []).map(([err]) => err).filter((err) => err !== null)
  if (failed.length > 0) throw failed.map(toStoreError)[0]
}
