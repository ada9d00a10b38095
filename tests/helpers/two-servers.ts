import { afterAll, beforeAll } from 'vitest'
import { NO_RATE_LIMITS } from './load.ts'
import { startServerProcess, type ServerProcess } from './server-process.ts'
import { workerRedisUrl } from './worker-redis.ts'

/**
 * Two server processes sharing the run's Redis, for races that must cross processes. Without
 * limits: the whole run's creates come from 127.0.0.1 into that one Redis, so limits here
 * would only measure the other tests (budgets.test.ts tests the limits).
 */
export function useTwoServerProcesses(): { url(i: number): string } {
  let servers: ServerProcess[] = []
  beforeAll(async () => {
    const env = { REDIS_URL: workerRedisUrl(), ...NO_RATE_LIMITS }
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)])
  })
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()))
  })
  /** The server for the i-th call: alternating, so concurrent calls meet both. */
  return { url: (i) => servers[i % 2]!.url }
}
