/**
 * Durable mode (REDIS_DURABILITY=aof): a state change is answered only once Redis has it
 * in its append-only file on disk, so a Redis crash can neither resurrect a consumed
 * secret nor lose a created one. Two ways to get there:
 *
 * - `fsync`: Redis runs with `appendfsync always` and fsyncs every write before replying,
 *   so the plain script call is already durable when its reply arrives.
 * - `waitaof` (Redis >= 7.2, any appendfsync): the script and `WAITAOF 1 0 <timeout>` go
 *   out together on one of a few dedicated connections, because WAITAOF waits for the
 *   writes of its own connection and blocks it meanwhile. No acknowledgement, no reply:
 *   the caller gets StoreUnavailableError (503) and a consumed view is forfeited rather
 *   than served from a state that might not survive a restart.
 */
import { Cluster } from 'ioredis'
import type { RedisClient, StoreLogger } from './redis-client.ts'
import {
  dataNodes,
  readFacts,
  toStoreError,
  versionAtLeast,
  waitForReady,
  watchForStalls,
  type ServerFacts,
} from './redis-client.ts'
import { SCRIPTS, type ScriptName } from './scripts.ts'
import { StoreUnavailableError } from './store.ts'

export type DurableWrites = 'fsync' | 'waitaof'
type Arg = string | number | Buffer

const WAITAOF_SINCE = [7, 2] as const
/** appendfsync everysec syncs about once a second; a slow disk gets one more second. */
export const WAITAOF_TIMEOUT_MS = 2000
const POOL_SIZE = 4

export class DurabilityError extends Error {
  override readonly name = 'DurabilityError'
}

/** How one server can make writes durable, or why it cannot. */
export function durableWritesFor({ address, version, config, unreadable }: ServerFacts): DurableWrites {
  const prefix = `REDIS_DURABILITY=aof, but the Redis at ${address}`
  if (unreadable !== undefined) {
    throw new DurabilityError(`${prefix} does not let us read its persistence settings (CONFIG GET): ${unreadable}`)
  }
  if (config.appendonly !== 'yes') {
    throw new DurabilityError(
      `${prefix} runs with appendonly ${config.appendonly ?? 'unknown'}: a restart would lose recent writes. Set appendonly yes.`,
    )
  }
  if (config.appendfsync === 'always') return 'fsync'
  if (versionAtLeast(version, WAITAOF_SINCE)) return 'waitaof'
  throw new DurabilityError(
    `${prefix} (version ${version}) runs with appendfsync ${config.appendfsync ?? 'unknown'} and cannot confirm a write ` +
      'on disk before it replies. Either set appendfsync always (Redis fsyncs before every reply), or use Redis 7.2 ' +
      'or later, where each state change waits for WAITAOF.',
  )
}

/** Checks every data node; a cluster mixing both kinds waits for WAITAOF everywhere (instant on `always` nodes). */
export async function verifyDurability(client: RedisClient): Promise<DurableWrites> {
  await waitForReady(client)
  const modes = await Promise.all(dataNodes(client).map(async (node) => durableWritesFor(await readFacts(node))))
  return modes.includes('waitaof') ? 'waitaof' : 'fsync'
}

/** WAITAOF replies [local fsyncs, replica fsyncs]; the local one is what a restart replays. */
function acknowledged(reply: unknown): boolean {
  return Array.isArray(reply) && Number(reply[0]) >= 1
}

export class DurableWriter {
  private writes: Promise<DurableWrites>
  private pool: Promise<RedisClient[]> | undefined
  private next = 0

  /** `writes` is what verifyDurability found at boot. */
  constructor(
    private readonly client: RedisClient,
    writes: DurableWrites,
    private readonly logger: StoreLogger,
  ) {
    this.writes = Promise.resolve(writes)
    // A Redis that comes back may have come back with other settings: trust it again only
    // once checked. Writes meanwhile wait for the check, and fail if it does.
    client.on('ready', () => {
      this.writes = verifyDurability(client)
      this.writes.catch((err: unknown) =>
        logger.error({ reason: (err as Error).message }, 'Redis is no longer durable: state changes answer 503'),
      )
    })
  }

  /** How the next write becomes durable; StoreUnavailableError while that is unknown or impossible. */
  async mode(): Promise<DurableWrites> {
    try {
      return await this.writes
    } catch (err) {
      throw new StoreUnavailableError('Redis cannot make writes durable', 'unreachable', { cause: err })
    }
  }

  /**
   * Runs `script` and WAITAOF in one pipeline on a dedicated connection (one node in a
   * cluster: the script's keys pick it). The script goes as EVAL, never EVALSHA: ioredis
   * would answer a NOSCRIPT by re-sending the script after the WAITAOF, unacknowledged.
   */
  async run(script: ScriptName, keys: string[], args: Arg[]): Promise<unknown> {
    const connection = await this.connection()
    const results = await connection
      .pipeline()
      .callBuffer('EVAL', [SCRIPTS[script], keys.length, ...keys, ...args])
      .call('WAITAOF', [1, 0, WAITAOF_TIMEOUT_MS])
      .exec()
    const [[scriptError, reply] = [], [ackError, ack] = []] = results ?? []
    if (scriptError) throw toStoreError(scriptError)
    if (ackError || !acknowledged(ack)) {
      this.logger.warn(
        { reason: ackError?.message ?? 'timeout' },
        'Redis did not confirm a write on disk: answered 503',
      )
      throw new StoreUnavailableError('Redis did not confirm the write on disk', 'unreachable', { cause: ackError })
    }
    return reply
  }

  async close(): Promise<void> {
    const pool = await this.pool?.catch(() => [])
    await Promise.all((pool ?? []).map((c) => c.quit().catch(() => c.disconnect())))
  }

  private async connection(): Promise<RedisClient> {
    this.pool ??= this.openPool()
    const pool = await this.pool.catch((err: unknown) => {
      this.pool = undefined
      throw err
    })
    this.next = (this.next + 1) % pool.length
    return pool[this.next]!
  }

  /** Opened on first use: on a Redis with appendfsync always they would sit idle. */
  private async openPool(): Promise<RedisClient[]> {
    const pool = Array.from({ length: POOL_SIZE }, () => duplicateForBlocking(this.client))
    for (const c of pool) {
      // Outages are reported once by the main client.
      c.on('error', () => {})
      watchForStalls(c)
    }
    try {
      await Promise.all(pool.map((c) => waitForReady(c)))
    } catch (err) {
      for (const c of pool) c.disconnect()
      throw err
    }
    return pool
  }
}

/** Same settings, but with time for WAITAOF to wait before the client gives up. */
function duplicateForBlocking(client: RedisClient): RedisClient {
  const commandTimeout = WAITAOF_TIMEOUT_MS + 1000
  if (client instanceof Cluster) {
    return client.duplicate([], { redisOptions: { ...client.options.redisOptions, commandTimeout } })
  }
  return client.duplicate({ commandTimeout })
}
