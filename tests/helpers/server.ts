/**
 * Runs the real app on a loopback port for tests that need HTTP from outside the process
 * (browsers, the CLI, other processes). API-only tests use `buildApp(...).inject()`.
 */
import { existsSync } from 'node:fs'
import type { FastifyBaseLogger } from 'fastify'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../../server/src/app.ts'
import { defaultConfig, type Config } from '../../server/src/config.ts'
import { RedisRequestStore } from '../../server/src/requests/redis-requests.ts'
import { MemoryStore } from '../../server/src/store/memory-store.ts'
import { createRedisClient } from '../../server/src/store/redis-client.ts'
import { RedisStore } from '../../server/src/store/redis-store.ts'
import type { Store } from '../../server/src/store/store.ts'
import { silentLogger } from './logger.ts'

export const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url))

export interface TestServerOptions {
  /** A Redis URL to use the Redis store; the memory store otherwise. */
  redisUrl?: string
  config?: Partial<Config>
  /** Where the app logs; silent otherwise. */
  logger?: FastifyBaseLogger
}

export function openTestStore(config: Config, redisUrl?: string): Store {
  const options = { maxFailedAttempts: config.maxFailedAttempts, statusRetentionSeconds: config.statusRetentionSeconds }
  return redisUrl ? new RedisStore(createRedisClient(redisUrl, silentLogger), options) : new MemoryStore(options)
}

export async function startTestServer(opts: TestServerOptions = {}) {
  const config = defaultConfig({ webRoot: existsSync(WEB_DIST) ? WEB_DIST : undefined, ...opts.config })
  const store = openTestStore(config, opts.redisUrl)
  // Secret requests on the same Redis, so that tests can look at (and tamper with) what they store.
  const requestsClient = opts.redisUrl ? createRedisClient(opts.redisUrl, silentLogger) : undefined
  const requests =
    requestsClient &&
    new RedisRequestStore(requestsClient, {
      statusRetentionSeconds: config.statusRetentionSeconds,
      claimRetrySeconds: config.claimRetrySeconds,
    })
  const app = await buildApp({ config, store, logger: opts.logger, requests })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    store,
    async close() {
      await app.close()
      await store.close()
      // Not quit(): after a test restarted Redis the socket may be down, and nothing waits to be flushed.
      requestsClient?.disconnect()
    },
  }
}
