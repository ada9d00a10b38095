/**
 * How many bytes each client may store per hour, over a sliding window (sliding-window.ts:
 * two fixed hours, so any real hour holds at most twice the budget and the long-run rate is
 * the budget). Counted in Redis, shared by every instance, on Redis' clock; in this process
 * without Redis or while it does not answer (shared-or-local.ts).
 *
 * A charge that would take a client over its budget is refused whole and counts nothing.
 *
 * An instance takes bytes from Redis in leases, as the rate limiter takes requests
 * (request-leases.ts), and spends them without asking again: a lease is 1/32 of the budget,
 * at least the charge, so a client storing often costs one round trip per lease, not one per
 * create (a round trip was a tenth of a create's CPU). Leased bytes count as stored in Redis
 * at once, so instances together never admit more than the budget; a client whose creates
 * move between N instances may be refused up to (N - 1) leases early. At small budgets (the
 * charge above 1/32 of the budget) every charge still asks and the count is exact. A lease
 * ends with its fixed window: what it still holds then is never spent.
 *
 * A lease is also at most 16 of the charge that asks for it: an instance that sees a client
 * once (one of many instances, or a process restarted since) would otherwise hold 1/32 of that
 * client's hour unspent, and 32 such instances would refuse a client that stored a few
 * kilobytes. So what instances hold unspent is bounded by the client's own charges.
 */
import type { RedisClient } from '../store/redis-client.ts'
import { RecentMap } from './recent-map.ts'
import { SharedOrLocal, type Logger } from './shared-or-local.ts'
import { admits, waitMs, type WindowCounts } from './sliding-window.ts'

export const HOUR_MS = 3_600_000
/** Clients counted in process at once; past it the ones that stored longest ago are forgotten. */
const MAX_CLIENTS = 100_000

export type Charge = { ok: true } | { ok: false; retryAfterSeconds: number }

/** A lease's share of the budget. */
const LEASE_SHARE = 32
/** The most charges of the size asking that one lease covers. */
const LEASE_CHARGES = 16

/**
 * KEYS[1] hash {w: fixed window number, c: current count, p: previous count}. ARGV: cost,
 * lease (at least cost), limit, window ms. Returns {granted, current, previous, elapsed ms},
 * the counts as they were before this charge: granted is the lease when it fits, else the
 * cost when that fits, else 0. The admission test is sliding-window.ts' \`admits\`.
 * allow-oom: counting must go on when Redis is full; each client costs one small hash.
 */
const CHARGE_SCRIPT = `#!lua flags=allow-oom
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cost, lease, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local index = math.floor(now / window)
local elapsed = now - index * window
local s = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local w, current, previous = tonumber(s[1]), 0, 0
if w == index then
  current, previous = tonumber(s[2]), tonumber(s[3])
elseif w == index - 1 then
  previous = tonumber(s[2])
end
local total = current + previous * (window - elapsed) / window
local granted = 0
if total + lease <= limit then granted = lease elseif total + cost <= limit then granted = cost end
if granted == 0 then return {0, current, previous, elapsed} end
redis.call('HSET', KEYS[1], 'w', index, 'c', current + granted, 'p', previous)
redis.call('PEXPIRE', KEYS[1], 2 * window - elapsed)
return {granted, current, previous, elapsed}
`

type ChargeCommand = {
  burnlinkLeaseBytes(key: string, cost: number, lease: number, limit: number, windowMs: number): Promise<number[]>
}

/** Bytes leased from Redis and not yet spent, until the fixed window they were counted in ends. */
interface Lease {
  held: number
  expiresAt: number
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
  private readonly leases = new RecentMap<Lease>(MAX_CLIENTS)

  constructor(
    redis: RedisClient | undefined,
    log: Logger,
    /** Bytes per client per window. */
    readonly limit: number,
    private readonly windowMs = HOUR_MS,
  ) {
    redis?.defineCommand('burnlinkLeaseBytes', { numberOfKeys: 1, lua: CHARGE_SCRIPT })
    this.redis = redis as ByteBudget['redis']
    this.counting = redis && new SharedOrLocal(redis, log, 'byte budgets')
  }

  /** `client` is a rate-limit key: already hashed, so Redis never holds an address. */
  async charge(client: string, bytes: number): Promise<Charge> {
    const { redis, counting } = this
    const local = () => this.chargeLocally(client, bytes)
    if (!redis || !counting) return local()
    const key = `bl:bb:${client}`
    const lease = this.leases.get(key, Date.now())
    if (lease && lease.held >= bytes) {
      lease.held -= bytes
      return { ok: true }
    }
    return counting.count(async () => {
      const want = Math.max(bytes, Math.min(Math.floor(this.limit / LEASE_SHARE), LEASE_CHARGES * bytes))
      const [granted = 0, current = 0, previous = 0, elapsed = 0] = await redis.burnlinkLeaseBytes(
        key,
        bytes,
        want,
        this.limit,
        this.windowMs,
      )
      if (granted === 0) return this.refusal({ current, previous, elapsed }, bytes)
      this.keep(key, granted - bytes, this.windowMs - elapsed)
      return { ok: true }
    }, local)
  }

  /** Adds what a grant leaves over to what this instance holds: concurrent charges may each have leased. */
  private keep(key: string, rest: number, windowLeftMs: number): void {
    if (rest <= 0) return
    const now = Date.now()
    const lease = this.leases.get(key, now)
    this.leases.set(key, { held: (lease?.held ?? 0) + rest, expiresAt: now + windowLeftMs }, now)
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
