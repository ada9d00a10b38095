/**
 * The one way the server talks to Redis: an ioredis client tuned to fail fast and heal by
 * itself, the boot checks that catch a Redis unfit for secrets, and the mapping from
 * backend failures to `StoreUnavailableError` (a 503, never a hang or a 500).
 */
import { Cluster, Command, Redis, type RedisOptions } from 'ioredis'
import type { Logger } from 'pino'
import { StoreUnavailableError } from './store.ts'

export type StoreLogger = Pick<Logger, 'warn' | 'info' | 'error'>
/** One Redis, or a Redis Cluster: the store and the rate limiter take either. */
export type RedisClient = Redis | Cluster

// What the scripts need: PEXPIRETIME, PEXPIREAT … GT and `#!lua flags=allow-oom` came in 7.0,
// the version Debian 12 ships and the tests run on. Durable mode's WAITAOF needs 7.2, and
// durable.ts checks that for itself.
const MIN_VERSION = [7, 0] as const
const CONNECT_TIMEOUT_MS = 3000

const FAIL_FAST = {
  // A request must get its 503 now, not queue behind a dead connection.
  enableOfflineQueue: false,
  commandTimeout: 1000,
  // In-flight commands fail as soon as the connection drops, and are never re-sent:
  // a reveal replayed after a lost reply would spend a second view.
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  connectTimeout: CONNECT_TIMEOUT_MS,
} satisfies RedisOptions

const retryStrategy = (attempt: number) => Math.min(attempt * 100, 1000)

/**
 * A Redis server (`address:port`) is stalled while a command sent there ran out of time and
 * is still unanswered. What is sent there now only queues behind it, to run unseen whenever
 * the server wakes (a reveal then releases a view nobody receives: only a claim can fetch it
 * again), and waits its own full timeout first. So the store refuses at once while its
 * server is stalled, and a request costs one timeout (the rate limiter's, which comes
 * first), not one per call.
 *
 * Redis answers a connection's commands in order, so the oldest unanswered one is the head
 * of ioredis' command queue, and the first to time out. A sweep looks at each watched
 * connection's head every SWEEP_MS and catches its timeout; the connection is stalled while
 * that command is still the head, and its answer (an error reply too) ends the stall by
 * itself. Every connection this module opens is watched, the durable pool's included.
 * Nothing is done per command: ioredis' tracing channel, which the watch once listened
 * to, makes ioredis turn every argument of every command into a string, a create's
 * ciphertext included (issue 17).
 */
const SWEEP_MS = 50

interface Watch {
  server: string
  /** The head the sweep last saw, whose timeout it listens for. */
  seen?: unknown
  /** The head that timed out: the connection is stalled while it is still the head. */
  timedOut?: unknown
}

const watches = new Map<Redis, Watch>()
let sweeping: NodeJS.Timeout | undefined

function sweep(): void {
  for (const [connection, watch] of watches) {
    const head = connection.commandQueue.peekFront()
    if (head === undefined || head === watch.seen || !(head.command instanceof Command)) continue
    watch.seen = head
    head.command.promise.catch((err: unknown) => {
      if (err instanceof Error && err.message === 'Command timed out') watch.timedOut = head
    })
  }
}

const serverKey = (address: string, port?: number) => (port === undefined ? address : `${address}:${port}`)

/** As ioredis names the server it talks to. */
function serverOf(node: Redis): string {
  const { path, host, port } = node.options
  return path ? serverKey(path) : serverKey(host ?? 'localhost', port ?? 6379)
}

/** Watches one connection for stalls until it ends for good (quit, disconnect). */
export function watchForStalls(connection: RedisClient): void {
  if (connection instanceof Cluster) return
  const watch = { server: serverOf(connection) }
  watches.set(connection, watch)
  connection.on('end', () => watches.delete(connection))
  connection.on('connect', () => watches.set(connection, watch))
  sweeping ??= setInterval(sweep, SWEEP_MS).unref()
}

function isStalled(server: string): boolean {
  for (const [connection, watch] of watches) {
    if (watch.timedOut === undefined || watch.server !== server) continue
    if (connection.commandQueue.peekFront() === watch.timedOut) return true
    watch.timedOut = undefined
  }
  return false
}

/**
 * Throws StoreUnavailableError at once while the client's Redis is stalled. A cluster is
 * not checked: telling which node holds a key would take the slot table's hash, so there a
 * stalled node costs a call its own timeout.
 */
export function failFastWhenStalled(client: RedisClient): void {
  if (client instanceof Cluster || watches.size === 0) return
  if (isStalled(serverOf(client))) throw new StoreUnavailableError('Redis is not answering', 'unreachable')
}

/**
 * Every command issued in one turn of the event loop leaves in one write. ioredis writes
 * each command to the socket as it is issued, a syscall apiece: under load that was a
 * quarter of the server's CPU, and Redis paid a read for each too (issue 17). The socket is
 * corked at a turn's first command and uncorked once the turn's I/O callbacks have run
 * (setImmediate), so the requests served in that turn share one writev.
 * ioredis' own auto-pipelining would batch as well, but it keeps one pipeline in flight per
 * connection: while a stalled Redis holds it, the next request's commands wait for it to
 * time out before they are even sent, then wait their own timeout (two seconds to a 503,
 * not one). Here every command is still sent, queued and timed on its own.
 */
export function coalesceWrites(connection: Redis): void {
  connection.on('connect', () => {
    const stream = connection.stream
    const write = stream.write
    let corked = false
    const flush = () => {
      corked = false
      stream.uncork()
    }
    stream.write = function (this: typeof stream, ...args: Parameters<typeof write>) {
      if (!corked) {
        corked = true
        stream.cork()
        setImmediate(flush)
      }
      return write.apply(this, args)
    } as typeof write
  })
}

export function createRedisClient(url: string, logger: StoreLogger): Redis {
  const client = new Redis(url, { ...FAIL_FAST, retryStrategy })
  coalesceWrites(client)
  return watched(client, logger)
}

export function createClusterClient(
  nodes: ReadonlyArray<{ host: string; port: number }>,
  logger: StoreLogger,
): Cluster {
  const cluster = new Cluster([...nodes], {
    enableOfflineQueue: false,
    // The Cluster client re-sends a command whose connection closed: for a reveal that may
    // already have run, that is the replay FAIL_FAST forbids. MOVED and ASK are still
    // followed: Redis refused those commands without running them.
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    clusterRetryStrategy: retryStrategy,
    redisOptions: FAIL_FAST,
  })
  cluster.on('+node', coalesceWrites)
  return watched(cluster, logger)
}

function watched<C extends RedisClient>(client: C, logger: StoreLogger): C {
  watchForStalls(client)
  let healthy = true
  client.on('ready', () => {
    healthy = true
    logger.info('redis connection ready')
    void checkServer(client, logger)
  })
  // One line per outage: ioredis emits an error per reconnect attempt, and a connection
  // that simply closes emits no error at all, only 'reconnecting' (never after quit()).
  const lost = (reason: string) => {
    if (!healthy) return
    healthy = false
    logger.error({ reason }, 'redis connection lost, retrying')
  }
  client.on('error', (err: Error) => lost(err.message))
  client.on('reconnecting', () => lost('connection closed'))
  return client
}

/**
 * Resolves once the client can take commands; rejects with StoreUnavailableError at its
 * first connection error or after CONNECT_TIMEOUT_MS, whichever comes first.
 */
export async function waitForReady(redis: RedisClient): Promise<void> {
  await readyEvent(redis)
  // A ready cluster has only just started connecting to its masters, and without an
  // offline queue it refuses commands for a node still connecting: open them all first.
  if (redis instanceof Cluster) await guarded(() => Promise.all(redis.nodes('master').map((node) => node.ping())))
}

/**
 * One wait per connecting client, however many stores, budgets and limiters ask at once: each
 * its own pair of listeners would pass Node's limit of ten (and its leak warning) when several
 * apps share a client, as tests do.
 */
const pendingReady = new WeakMap<RedisClient, Promise<void>>()

function readyEvent(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve()
  let pending = pendingReady.get(redis)
  if (!pending) {
    pending = new Promise<void>((resolve, reject) => {
      const settle = (err?: unknown) => {
        clearTimeout(timer)
        redis.off('ready', onReady).off('error', onError)
        if (err === undefined) resolve()
        else reject(new StoreUnavailableError('Redis is not reachable', 'unreachable', { cause: err }))
      }
      const onReady = () => settle()
      const onError = (err: Error) => settle(err)
      const timer = setTimeout(() => settle(new Error(`not ready after ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS)
      timer.unref()
      redis.once('ready', onReady).once('error', onError)
    }).finally(() => pendingReady.delete(redis))
    pendingReady.set(redis, pending)
  }
  return pending
}

/** What the boot checks need to know about one Redis server; `unreadable` when CONFIG GET is refused. */
export interface ServerFacts {
  address: string
  version: string
  config: Partial<Record<'maxmemory-policy' | 'appendonly' | 'appendfsync', string>>
  unreadable?: string
}

/** The servers that hold data: the client's one Redis, or every master of a cluster. */
export function dataNodes(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client]
}

export async function readFacts(node: Redis): Promise<ServerFacts> {
  const { host, port } = node.options
  const facts: ServerFacts = { address: `${host}:${port}`, version: 'unknown', config: {} }
  try {
    facts.version = /^redis_version:(\S+)/m.exec(await node.info('server'))?.[1] ?? 'unknown'
    const flat = (await node.call('CONFIG', ['GET', 'maxmemory-policy', 'appendonly', 'appendfsync'])) as string[]
    for (let i = 0; i + 1 < flat.length; i += 2) facts.config[flat[i] as keyof ServerFacts['config']] = flat[i + 1]
  } catch (err) {
    // Managed Redis often disables CONFIG.
    facts.unreadable = messageOf(err)
  }
  return facts
}

export function versionAtLeast(version: string, [major, minor]: readonly [number, number]): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number)
  return a > major || (a === major && b >= minor)
}

async function checkServer(client: RedisClient, logger: StoreLogger): Promise<void> {
  for (const node of dataNodes(client)) {
    const { address, version, config, unreadable } = await readFacts(node)
    if (version !== 'unknown' && !versionAtLeast(version, MIN_VERSION)) {
      logger.warn(
        { version },
        `Redis ${version} is older than ${MIN_VERSION.join('.')}, which the store's scripts need`,
      )
    }
    const policy = config['maxmemory-policy']
    if (unreadable !== undefined) {
      logger.warn({ address, reason: unreadable }, 'could not check Redis maxmemory-policy, make sure it is noeviction')
    } else if (policy !== undefined && policy !== 'noeviction') {
      logger.error(
        { address, policy },
        `Redis maxmemory-policy is ${policy}: Redis may silently evict live secrets. Set maxmemory-policy noeviction.`,
      )
    }
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
    return UNAVAILABLE_REPLY.test(err.message)
      ? new StoreUnavailableError('Redis cannot serve requests', 'unreachable', { cause: err })
      : err
  }
  const code = (err as NodeJS.ErrnoException).code
  if (
    UNREACHABLE_MESSAGE.test(err.message) ||
    err.name === 'MaxRetriesPerRequestError' ||
    (code !== undefined && /^E[A-Z]+$/.test(code))
  ) {
    return new StoreUnavailableError('Redis is unreachable', 'unreachable', { cause: err })
  }
  return err
}

/**
 * Runs one Redis call, rethrowing backend trouble as StoreUnavailableError. Not async: every
 * request's store call passes here, and a catch on the call's own promise is one promise
 * less than an async function awaiting it.
 */
export function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call().catch(rethrowAsStoreError)
  } catch (err) {
    return Promise.reject(toStoreError(err))
  }
}

function rethrowAsStoreError(err: unknown): never {
  throw toStoreError(err)
}
