/**
 * How many bytes each client may store per hour, over a sliding window (sliding-window.ts:
 * two fixed hours, so any real hour holds at most twice the budget and the long-run rate is
 * the budget). Counted in Redis, shared by every instance, on Redis' clock; in this process
 * without Redis or while it does not answer (shared-or-local.ts).
 *
 * A charge that would take a client over its budget is refused whole and counts nothing.
 */
import type { RedisClient } from '../store/redis-client.ts'
import { RecentMap } from './recent-map.ts'
import { SharedOrLocal, type Logger } from './shared-or-local.ts'
import { admits, waitMs, type WindowCounts } from './sliding-window.ts'

export const HOUR_MS = 3_600_000
/** Clients counted in process at once; past it the ones that stored longest ago are forgotten. */
const MAX_CLIENTS = 100_000

export type Charge = { ok: true } | { ok: false; retryAfterSeconds: number }

/**
 * KEYS[1] hash {w: fixed window number, c: current count, p: previous count}. ARGV: cost,
 * limit, window ms. Returns {admitted 0|1, current, previous, elapsed ms}, the counts as
 * they were before this charge. The admission test is sliding-window.ts' `admits`.
 * allow-oom: counting must go on when Redis is full; each client costs one small hash.
 */
const CHARGE_SCRIPT = `#!lua flags=allow-oom
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local index = math.floor(now / window)
local elapsed = now - index * window
local s = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local w, current, previous = tonumber(s[1]), 0, 0
if w == index then
  current, previous = tonumber(s[2]), tonumber(s[3])
elseif w == index - 1 then
  previous = tonumber(s[2])
end
if current + previous * (window - elapsed) / window + cost > limit then
  return {0, current, previous, elapsed}
end
redis.call('HSET', KEYS[1], 'w', index, 'c', current + cost, 'p', previous)
redis.call('PEXPIRE', KEYS[1], 2 * window - elapsed)
return {1, current, previous, elapsed}
`

type ChargeCommand = {
  burnlinkChargeBytes(key: string, cost: number, limit: number, windowMs: number): Promise<number[]>
}

interface LocalCounts {
  index: number
  current: number
  previous: number
  expiresAt: number
}

export class ByteBudget {
  private readonly redis: (RedisClient & ChargeCommand) | undefined
  private readonly counting: SharedOrLocal | undefined
  private readonly local = new RecentMap<LocalCounts>(MAX_CLIENTS)

  constructor(
    redis: RedisClient | undefined,
    log: Logger,
    /** Bytes per client per window. */
    readonly limit: number,
    private readonly windowMs = HOUR_MS,
  ) {
    redis?.defineCommand('burnlinkChargeBytes', { numberOfKeys: 1, lua: CHARGE_SCRIPT })
    this.redis = redis as ByteBudget['redis']
    this.counting = redis && new SharedOrLocal(redis, log, 'byte budgets')
  }

  /** `client` is a rate-limit key: already hashed, so Redis never holds an address. */
  async charge(client: string, bytes: number): Promise<Charge> {
    const { redis, counting } = this
    const local = () => this.chargeLocally(client, bytes)
    if (!redis || !counting) return local()
    return counting.count(async () => {
      const [admitted, current = 0, previous = 0, elapsed = 0] = await redis.burnlinkChargeBytes(
        `bl:bb:${client}`,
        bytes,
        this.limit,
        this.windowMs,
      )
      return admitted === 1 ? { ok: true } : this.refusal({ current, previous, elapsed }, bytes)
    }, local)
  }

  private chargeLocally(client: string, bytes: number): Charge {
    const now = Date.now()
    const index = Math.floor(now / this.windowMs)
    const counts = this.local.get(client, now)
    const current = counts?.index === index ? counts.current : 0
    const previous = counts?.index === index ? counts.previous : counts?.index === index - 1 ? counts.current : 0
    const seen = { current, previous, elapsed: now - index * this.windowMs }
    if (!admits(seen, bytes, this.limit, this.windowMs)) return this.refusal(seen, bytes)
    const expiresAt = (index + 2) * this.windowMs
    this.local.set(client, { index, current: current + bytes, previous, expiresAt }, now)
    return { ok: true }
  }

  private refusal(counts: WindowCounts, bytes: number): Charge {
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs(counts, bytes, this.limit, this.windowMs) / 1000)),
    }
  }
}
