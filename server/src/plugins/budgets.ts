/**
 * Nobody can fill the store: each client may store CREATE_BYTES_PER_HOUR (429 past it), and
 * the whole server MAX_STORED_BYTES (503 for creates past it, while reveals, burns, meta and
 * status go on, since they are what frees storage). A route that stores bytes says how many
 * in its `config.storedBytes`; code that stores bytes in steps (file chunks) calls
 * `app.chargeStoredBytes` before each one.
 */
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { ByteBudget } from '../budgets/byte-budget.ts'
import type { Logger } from '../budgets/shared-or-local.ts'
import type { BlobStore } from '../blobs/blob-store.ts'
import { MemoryBlobStore } from '../blobs/memory-blobs.ts'
import { StorageGauge, redisUsage, type Usage } from '../budgets/storage-gauge.ts'
import type { Config } from '../config.ts'
import { apiError } from '../errors.ts'
import { MemoryStore } from '../store/memory-store.ts'
import type { RedisClient } from '../store/redis-client.ts'
import type { Store } from '../store/store.ts'
import { rateLimitKey } from './rate-limit.ts'

/** The memory store's budget when MAX_STORED_BYTES is unset: it lives in this process' heap. */
export const MEMORY_STORE_BUDGET = 256 * 1024 * 1024

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Admits `bytes` more stored bytes from this request's client, or throws the 503 (storage
     * full) or 429 (the client's hourly bytes spent, with Retry-After) that says why not.
     */
    chargeStoredBytes(req: FastifyRequest, reply: FastifyReply, bytes: number): Promise<void>
    /** The storage's last sampled use and budget; undefined when there is no measure (yet). */
    storageUsage(): Usage | undefined
  }
  interface FastifyContextConfig {
    /** The bytes a request to this route stores: the route is then budgeted before its handler runs. */
    storedBytes?: (req: FastifyRequest) => number
  }
}

export interface BudgetsOptions {
  config: Config
  store: Store
  redis?: RedisClient
  /** File chunks: in this process' heap too when they are kept in memory. */
  blobs?: BlobStore
}

/** A create stores its header and ciphertext: their sizes from the validated base64url. */
export function createdBytes(req: FastifyRequest): number {
  const { hdr, ct } = req.body as { hdr: string; ct: string }
  return decodedLength(hdr) + decodedLength(ct)
}

const decodedLength = (b64u: string) => Math.floor((b64u.length * 3) / 4)

export default fp<BudgetsOptions>(
  async (app, { config, store, redis, blobs }) => {
    const { createBytesPerHour, maxStoredBytes } = config.budgets
    const perClient = new ByteBudget(redis, app.log, createBytesPerHour)
    const gauge = storageGauge(store, redis, maxStoredBytes, app.log, blobs)
    if (gauge) {
      app.addHook('onReady', async () => gauge.start())
      app.addHook('onClose', async () => gauge.stop())
    }

    app.decorate('storageUsage', () => gauge?.last())
    app.decorate('chargeStoredBytes', async (req: FastifyRequest, reply: FastifyReply, bytes: number) => {
      if (gauge?.full()) throw apiError('storageBudgetReached')
      const charge = await perClient.charge(rateLimitKey(req.ip, config.rateLimit.ipv6Prefix), bytes)
      if (charge.ok) return
      reply.header('retry-after', charge.retryAfterSeconds)
      throw apiError('byteBudgetSpent', charge.retryAfterSeconds)
    })

    app.addHook('onRoute', (route) => {
      const storedBytes = route.config?.storedBytes
      if (!storedBytes) return
      const charge: preHandlerAsyncHookHandler = (req, reply) => app.chargeStoredBytes(req, reply, storedBytes(req))
      const before = route.preHandler
      route.preHandler = before === undefined ? [charge] : [...(Array.isArray(before) ? before : [before]), charge]
    })
  },
  { name: 'budgets', dependencies: ['rate-limit'] },
)

function storageGauge(
  store: Store,
  redis: RedisClient | undefined,
  configured: number | undefined,
  log: Logger,
  blobs?: BlobStore,
): StorageGauge | undefined {
  if (redis) return new StorageGauge(redisUsage(redis, configured), log)
  if (!(store instanceof MemoryStore)) return undefined
  const budget = configured === 0 ? undefined : (configured ?? MEMORY_STORE_BUDGET)
  const chunks = blobs instanceof MemoryBlobStore ? blobs : undefined
  return new StorageGauge(
    async (): Promise<Usage> => ({ used: store.storedBytes() + (chunks?.storedBytes() ?? 0), budget }),
    log,
  )
}
