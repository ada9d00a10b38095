/**
 * The one way the server talks to Redis: an ioredis client tuned to fail fast and heal by
 * itself, the boot checks that catch a Redis unfit for secrets, and the mapping from
 * backend failures to `StoreUnavailableError` (a 503, never a hang or a 500).
 */
import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { StoreUnavailableError } from './store.ts'

export type StoreLogger = Pick<Logger, 'warn' | 'info' | 'error'>

const MIN_VERSION = [7, 2] as const
const CONNECT_TIMEOUT_MS = 3000

export function createRedisClient(url: string, logger: StoreLogger): Redis {
  const redis = new Redis(url, {
    // A request must get its 503 now, not queue behind a dead connection.
    enableOfflineQueue: false,
    commandTimeout: 1000,
    // In-flight commands fail as soon as the connection drops, and are never re-sent:
    // a reveal replayed after a lost reply would spend a second view.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  })
  let healthy = true
  redis.on('ready', () => {
    healthy = true
    logger.info('redis connection ready')
    void checkServer(redis, logger)
  })
  // ioredis emits an error per reconnect attempt; one line per outage is enough.
  redis.on('error', (err: Error) => {
    if (!healthy) return
    healthy = false
    logger.error({ reason: err.message }, 'redis connection lost, retrying')
  })
  return redis
}

/**
 * Resolves once the client can take commands; rejects with StoreUnavailableError at its
 * first connection error or after `timeoutMs`, whichever comes first.
 */
export function waitForReady(redis: Redis, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve()
  return new Promise((resolve, reject) => {
    const settle = (err?: unknown) => {
      clearTimeout(timer)
      redis.off('ready', onReady).off('error', onError)
      if (err === undefined) resolve()
      else reject(new StoreUnavailableError('Redis is not reachable', 'unreachable', { cause: err }))
    }
    const onReady = () => settle()
    const onError = (err: Error) => settle(err)
    const timer = setTimeout(() => settle(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs).unref()
    redis.once('ready', onReady).once('error', onError)
  })
}

async function checkServer(redis: Redis, logger: StoreLogger): Promise<void> {
  try {
    const info = await redis.info('server')
    const version = /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown'
    const [major = 0, minor = 0] = version.split('.').map(Number)
    if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
      logger.warn({ version }, `Redis ${version} is older than ${MIN_VERSION.join('.')}, the tested minimum`)
    }
  } catch (err) {
    logger.warn({ reason: messageOf(err) }, 'could not read the Redis version')
  }
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string?, string?]
    if (policy !== undefined && policy !== 'noeviction') {
      logger.error(
        { policy },
        `Redis maxmemory-policy is ${policy}: Redis may silently evict live secrets. Set maxmemory-policy noeviction.`,
      )
    }
  } catch (err) {
    // Managed Redis often disables CONFIG; the operator has to vouch for the policy then.
    logger.warn({ reason: messageOf(err) }, 'could not check Redis maxmemory-policy, make sure it is noeviction')
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

const UNAVAILABLE_REPLY = /^(LOADING|READONLY|MASTERDOWN|BUSY|TRYAGAIN|CLUSTERDOWN|NOREPLICAS)\b/
const UNREACHABLE_MESSAGE =
  /^(Command timed out|Connection is closed|Stream isn't writeable|connect ETIMEDOUT|Socket timeout|Reached the max retries)/

/**
 * Turns backend trouble into StoreUnavailableError and lets everything else (a script bug,
 * a wrong type) through, so real defects stay loud 500s.
 */
export function toStoreError(err: unknown): unknown {
  if (!(err instanceof Error)) return err
  // ioredis attaches the command's arguments (key names, verifiers, ciphertext) to reply
  // errors; no logger downstream may ever see them.
  delete (err as { command?: unknown }).command
  if (err.name === 'ReplyError') {
    // OOM can also arrive wrapped in a script error, so it is matched anywhere.
    if (/\bOOM command not allowed\b/.test(err.message)) {
      return new StoreUnavailableError('Redis is out of memory', 'full', { cause: err })
    }
    return UNAVAILABLE_REPLY.test(err.message) ? new StoreUnavailableError('Redis cannot serve requests', 'unreachable', { cause: err }) : err
  }
  const code = (err as NodeJS.ErrnoException).code
  if (UNREACHABLE_MESSAGE.test(err.message) || err.name === 'MaxRetriesPerRequestError' || (code !== undefined && /^E[A-Z]+$/.test(code))) {
    return new StoreUnavailableError('Redis is unreachable', 'unreachable', { cause: err })
  }
  return err
}

/** Runs one Redis call, rethrowing backend trouble as StoreUnavailableError. */
export async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    throw toStoreError(err)
  }
}
