/**
 * Limits are counted in Redis so that every instance sees the same counts, and in this
 * process when Redis does not answer: a limit Redis cannot count for a moment is still
 * enforced per instance rather than not at all. Each switch is logged once, so an operator
 * sees when limits stop being shared and when they are again.
 */
import type { FastifyBaseLogger } from 'fastify'
import { waitForReady, type RedisClient } from '../store/redis-client.ts'

/**
 * How long a count waits for Redis. Short, so that a stalled Redis costs a request only the
 * store's own timeout after it (a 503 in about a second), not two timeouts in a row.
 */
export const SHARED_TIMEOUT_MS = 250

export type Logger = Pick<FastifyBaseLogger, 'warn' | 'info'>

export class SharedOrLocal {
  private local = false
  /** The first connection attempt, while it lasts: counts made at boot wait for it, as the store's calls do. */
  private connecting: Promise<void> | undefined

  constructor(
    redis: RedisClient,
    private readonly log: Logger,
    /** What is counted, for the log lines: "rate limits", "byte budgets". */
    private readonly what: string,
  ) {
    if (redis.status !== 'ready') {
      this.connecting = waitForReady(redis)
        .catch(() => {})
        .finally(() => (this.connecting = undefined))
    }
  }

  async count<T>(shared: () => Promise<T>, local: () => T): Promise<T> {
    await this.connecting
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${SHARED_TIMEOUT_MS} ms`)), SHARED_TIMEOUT_MS)
    })
    try {
      const result = await Promise.race([shared(), late])
      if (this.local) {
        this.local = false
        this.log.info(`${this.what} are shared through Redis again`)
      }
      return result
    } catch (err) {
      if (!this.local) {
        this.local = true
        // The message only: ioredis errors can carry the command's arguments.
        const reason = err instanceof Error ? err.message : String(err)
        this.log.warn({ reason }, `${this.what} are counted in this process only until Redis answers again`)
      }
      return local()
    } finally {
      clearTimeout(timer)
    }
  }
}
