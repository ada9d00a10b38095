/**
 * The rate limiter's counters: a store for @fastify/rate-limit. Each client and route has
 * one counter per fixed window in Redis, shared by every instance. An instance takes
 * admissions from it in leases and spends them without asking again, and once Redis has
 * none left for the window it refuses the client without asking either: a busy client
 * costs one round trip per lease, a client over its limit none.
 *
 * A lease is 1/32 of the limit, at least one admission, so at the default limits every
 * request still asks and the count is exact. Leases never admit more than the limit across
 * instances; admissions leased by one instance are not available to another, so a client
 * whose requests move between N instances may be refused up to (N - 1) × (lease - 1)
 * requests early in a window. Without Redis, or while it does not answer, each instance
 * counts the client alone: up to N times the limit across N instances for that time.
 */
import type { FastifyRateLimitStore } from '@fastify/rate-limit'
import type { RedisClient } from '../store/redis-client.ts'
import { RecentMap } from './recent-map.ts'
import { SharedOrLocal, type Logger } from './shared-or-local.ts'

const LEASE_SHARE = 32
/** Clients with a lease or a refusal remembered at once; past it the oldest are forgotten. */
const MAX_CLIENTS = 20_000

/**
 * KEYS[1] the window's counter; ARGV: wanted, limit, window ms. Returns {granted, count, ttl ms}.
 * allow-oom: a full Redis (noeviction) refuses every plain write, and a limiter that cannot
 * count stops limiting. Its keys are a few bytes per client and die with their window.
 */
const LEASE_SCRIPT = `#!lua flags=allow-oom
local used = redis.call('GET', KEYS[1])
if not used then
  local granted = math.min(tonumber(ARGV[1]), tonumber(ARGV[2]))
  redis.call('SET', KEYS[1], granted, 'PX', ARGV[3])
  return {granted, granted, tonumber(ARGV[3])}
end
local granted = math.max(0, math.min(tonumber(ARGV[1]), tonumber(ARGV[2]) - tonumber(used)))
if granted > 0 then redis.call('INCRBY', KEYS[1], granted) end
return {granted, tonumber(used) + granted, redis.call('PTTL', KEYS[1])}
`

interface Lease {
  expiresAt: number
  /** Admissions this instance holds for the client. */
  held: number
  /** The window's count less what is held: what the rate-limit headers report. */
  spent: number
  /** The window has nothing left to lease: refuse until it ends. */
  drained: boolean
}

/** Admissions from Redis, or `alone`: this instance counts the client by itself for now. */
type Grant = { granted: number; count: number; ttl: number; drained: boolean } | 'alone'

type Callback = (err: Error | null, result?: { current: number; ttl: number }) => void
type LeaseCommand = { burnlinkRateLease(key: string, want: number, max: number, windowMs: number): Promise<number[]> }

/** What the store's children share: one Redis, one map of leases, one switch to local counting. */
interface Shared {
  redis: (RedisClient & LeaseCommand) | undefined
  leases: RecentMap<Lease>
  counting: SharedOrLocal | undefined
}

export class LeaseStore implements FastifyRateLimitStore {
  constructor(
    private readonly shared: Shared,
    private readonly prefix: string,
  ) {}

  /** The rate-limit plugin's store option: it constructs the root store, then a child per route. */
  static over(redis: RedisClient | undefined, log: Logger, prefix: string) {
    redis?.defineCommand('burnlinkRateLease', { numberOfKeys: 1, lua: LEASE_SCRIPT })
    const shared: Shared = {
      redis: redis as Shared['redis'],
      leases: new RecentMap(MAX_CLIENTS),
      counting: redis && new SharedOrLocal(redis, log, 'rate limits'),
    }
    return class extends LeaseStore {
      constructor() {
        super(shared, prefix)
      }
    }
  }

  child(options: Parameters<FastifyRateLimitStore['child']>[0]): LeaseStore {
    // The plugin passes its merged options with the route under `routeInfo`, as its own
    // Redis store reads them; its type declarations say otherwise.
    const { method, url } = (options as { routeInfo?: { method?: string; url?: string } }).routeInfo ?? {}
    // The not-found limiter has no route of its own.
    return new LeaseStore(this.shared, `${this.prefix}${url === undefined ? 'unrouted' : `${method}${url}`}-`)
  }

  // The plugin passes the route's window and limit too; its type declarations omit them.
  incr(client: string, done: Callback, windowMs = 60_000, max = 1): void {
    const key = this.prefix + client
    const lease = this.shared.leases.get(key, Date.now())
    if (lease && (lease.held > 0 || lease.drained)) {
      done(null, spend(lease, max))
      return
    }
    this.grant(key, windowMs, max).then((grant) => done(null, spend(this.keep(key, grant, windowMs, max), max)), done)
  }

  private async grant(key: string, windowMs: number, max: number): Promise<Grant> {
    const { redis, counting } = this.shared
    if (!redis || !counting) return 'alone'
    const want = Math.max(1, Math.floor(max / LEASE_SHARE))
    return counting.count<Grant>(
      async () => {
        const [granted = 0, count = 0, ttl = windowMs] = await redis.burnlinkRateLease(key, want, max, windowMs)
        return { granted, count, ttl, drained: granted < want }
      },
      () => 'alone',
    )
  }

  /**
   * Adds a grant to what the instance already holds: concurrent requests may each have
   * leased. Alone, the instance may admit the rest of the limit for the rest of the window,
   * however many requests found Redis silent at once.
   */
  private keep(key: string, grant: Grant, windowMs: number, max: number): Lease {
    const now = Date.now()
    const lease = this.shared.leases.get(key, now) ?? { expiresAt: now + windowMs, held: 0, spent: 0, drained: false }
    if (grant === 'alone') {
      lease.held = Math.max(0, max - lease.spent)
      lease.drained = true
    } else {
      lease.held += grant.granted
      lease.spent = grant.count - lease.held
      lease.drained = grant.drained
      lease.expiresAt = now + grant.ttl
    }
    this.shared.leases.set(key, lease, now)
    return lease
  }
}

/** One request's admission from a lease, as the plugin wants it: over the limit when nothing is held. */
function spend(lease: Lease, max: number): { current: number; ttl: number } {
  const ttl = Math.max(0, lease.expiresAt - Date.now())
  if (lease.held === 0) return { current: max + 1, ttl }
  lease.held -= 1
  lease.spent += 1
  return { current: Math.min(lease.spent, max), ttl }
}
