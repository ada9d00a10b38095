import { inject } from 'vitest'

/** The last of Redis' 16 databases: no worker's, for rate-limit.test.ts's exact counts. */
export const RATE_LIMIT_DB = 15

/** The run's Redis, in logical database `db`. */
export function redisDatabaseUrl(db: number): string {
  const url = new URL(inject('redisUrl'))
  url.pathname = `/${db}`
  return url.toString()
}

/**
 * The run's Redis, in a logical database of this worker's own (1 to maxWorkers). Test files
 * running side by side all come from 127.0.0.1, so in one database they would share the rate
 * limiter's and byte budgets' counters and refuse each other's requests. Files one after
 * another in a worker still share a database, as the whole run once did.
 */
export function workerRedisUrl(): string {
  const worker = Number(process.env.VITEST_POOL_ID ?? 1)
  if (worker >= RATE_LIMIT_DB) throw new Error(`worker ${worker}: Redis has no spare database for it`)
  return redisDatabaseUrl(worker)
}
