/**
 * The app factory: everything the service does, with no environment, no timers and no
 * listening. main.ts wires it to the process; tests drive it with `inject()`.
 */
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify'
import { validatorCompiler, type ZodTypeProvider } from '@fastify/type-provider-zod'
import { MAX_CT_BYTES, b64uLength } from '@burnlink/shared'
import type { Logger } from 'pino'
import { openBlobStorage, type BlobStorage } from './blobs/open-blobs.ts'
import type { Config } from './config.ts'
import { MeteredStore } from './metrics/metered-store.ts'
import type { Metrics } from './metrics/metrics.ts'
import budgets from './plugins/budgets.ts'
import errorHandler, { clientErrorHandler } from './plugins/error-handler.ts'
import metricsPlugin from './plugins/metrics.ts'
import openapi from './plugins/openapi.ts'
import rateLimit from './plugins/rate-limit.ts'
import requestLog, { logsEachRequest } from './plugins/request-log.ts'
import security from './plugins/security.ts'
import shutdown from './plugins/shutdown.ts'
import webPlugin, { loadWebRoot, notFoundPage } from './plugins/web.ts'
import fileRoutes, { FileKeeper } from './routes/files.ts'
import healthRoutes from './routes/health.ts'
import limitsRoutes, { serverLimits } from './routes/limits.ts'
import requestRoutes from './routes/requests.ts'
import { MemoryRequestStore } from './requests/memory-requests.ts'
import { RedisRequestStore } from './requests/redis-requests.ts'
import type { RequestStore } from './requests/request-store.ts'
import secretRoutes from './routes/secrets.ts'
import type { RedisClient } from './store/redis-client.ts'
import type { Store } from './store/store.ts'

export interface AppOptions {
  config: Config
  store: Store
  /** A pino logger; omitted in tests, where the app logs nothing. */
  logger?: FastifyBaseLogger
  /** The Redis behind the store, if any: rate limits and budgets are kept there so they hold across instances. */
  redis?: RedisClient
  /** Where to record metrics (served on their own listener by main.ts); none when absent. */
  metrics?: Metrics
  /**
   * Where file chunks go and the sweep that deletes them; when absent the app opens them
   * from the configuration (beside `redis`, if given) and closes them when it closes.
   */
  blobStorage?: BlobStorage
  /** Secret requests (protocol.md §12); beside `redis` when given, in this process otherwise. */
  requests?: RequestStore
}

/**
 * The largest valid request is a create with the largest ciphertext: its base64url plus
 * the other fields, which are a few hundred bytes. Anything bigger is refused with 413
 * before it is read into memory.
 */
export const BODY_LIMIT = b64uLength(MAX_CT_BYTES) + 1024

/** Fastify's types lack the hop-count form that proxy-addr itself understands. */
function trustProxy(setting: Config['trustProxy']) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting
}

export async function buildApp({ config, store, logger, redis, metrics, blobStorage, requests }: AppOptions) {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    // Fastify's request logging prints URLs and headers; request-log.ts logs a safe subset.
    logController: new LogController({ disableRequestLogging: true }),
    // A child logger per request only pays for its request id when lines per request are
    // written (debug); at info a request logs at most one error, and the app's logger saves
    // building a child on every request.
    childLoggerFactory: (parent, bindings, options) =>
      logsEachRequest(parent) ? parent.child(bindings, options) : parent,
    trustProxy: trustProxy(config.trustProxy),
    bodyLimit: BODY_LIMIT,
    // Request ids from headers could be attacker-chosen strings in our logs.
    requestIdHeader: false,
    // Requests arriving on open connections during shutdown are served (shutdown.ts asks
    // clients to close); Fastify's own 503 here would not be a protocol error body.
    return503OnClosing: false,
    clientErrorHandler,
    // Each of these ends a way to hold a connection open: never finishing the headers,
    // trickling the body, going silent mid-request or mid-response, or idling between
    // requests. Node answers the first two with a 408 through clientErrorHandler.
    requestTimeout: config.http.requestTimeoutMs,
    connectionTimeout: config.http.idleTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    http: {
      headersTimeout: config.http.headersTimeoutMs,
      // Node looks for expired requests at this interval (30 s by default), so a timeout
      // holds to within a tenth of its length.
      connectionsCheckingInterval: config.http.headersTimeoutMs / 10,
    },
  }).withTypeProvider<ZodTypeProvider>()
  // Past the cap, new connections are closed at once: each open one costs memory.
  app.server.maxConnections = config.http.maxConnections

  app.setValidatorCompiler(validatorCompiler)
  // Responses are built from already-validated values by our own code, and the clients
  // parse every response with the shared schemas; re-validating a 64 KiB ciphertext on
  // the way out would only cost time. The response schemas still document the API.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  // JSON only: a text/plain body is a client mistake that deserves 415, not a zod error.
  app.removeContentTypeParser(['text/plain'])

  // First, so that its hook sees every response, 404s and rate-limited ones included.
  if (metrics) await app.register(metricsPlugin, { metrics })
  // The routes' calls are what the lifecycle counters count.
  const routeStore = metrics ? new MeteredStore(store, metrics) : store
  await app.register(rateLimit, { redis, ipv6Prefix: config.rateLimit.ipv6Prefix })
  const storage = blobStorage ?? openBlobStorage(config, redis, app.log as Logger)
  // After the routes' last requests: the sweep stops before the store behind it closes.
  if (!blobStorage) app.addHook('onClose', async () => storage.close())
  await app.register(budgets, { config, store, redis, blobs: storage.blobs })
  metrics?.watchStore({
    ping: () => store.ping(),
    blobsPing: () => storage.blobs.ping(),
    usage: () => app.storageUsage(),
  })
  const web = config.webRoot ? await loadWebRoot(config.webRoot, serverLimits(config)) : undefined
  await app.register(errorHandler, {
    notFoundPerMinute: config.rateLimit.readPerMinute,
    notFoundPage: web && ((req, reply) => notFoundPage(web, req, reply)),
  })
  await app.register(security)
  await app.register(shutdown)
  await app.register(requestLog)
  await app.register(openapi)
  const files = new FileKeeper(routeStore, storage, config)
  await app.register(secretRoutes, { prefix: '/api/v1/secrets', store: routeStore, config, files })
  await app.register(fileRoutes, { prefix: '/api/v1/secrets', store: routeStore, config, storage })
  const requestOptions = {
    statusRetentionSeconds: config.statusRetentionSeconds,
    claimRetrySeconds: config.claimRetrySeconds,
  }
  const requestStore =
    requests ?? (redis ? new RedisRequestStore(redis, requestOptions) : new MemoryRequestStore(requestOptions))
  if (!requests) app.addHook('onClose', async () => requestStore.close())
  await app.register(requestRoutes, { prefix: '/api/v1/requests', requests: requestStore, config })
  await app.register(limitsRoutes, { prefix: '/api/v1', config })
  await app.register(healthRoutes, { store: routeStore, blobs: storage.blobs })
  if (web) await app.register(webPlugin, web)
  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
