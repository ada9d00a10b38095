/**
 * Per-client request limits, counted in the same Redis as the secrets when there is one, so
 * they hold across every instance behind a load balancer (in process otherwise). They keep
 * limiting when Redis is full, and count in process while it does not answer
 * (budgets/request-leases.ts): a limiter never lets everything through.
 * The client is `request.ip`, which follows X-Forwarded-For only when TRUST_PROXY says so.
 * Routes opt in with `config.rateLimit`; pages and assets are not limited.
 */
import { createHash } from 'node:crypto'
import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import ipaddr from 'ipaddr.js'
import { LeaseStore } from '../budgets/request-leases.ts'
import { apiError } from '../errors.ts'
import type { RedisClient } from '../store/redis-client.ts'

export interface RateLimitOptions {
  redis?: RedisClient
  /** IPv6 clients are counted per network of this many leading bits. */
  ipv6Prefix: number
}

/**
 * The key a client's requests count against. An IPv6 client is its whole network of
 * `ipv6Prefix` bits: one subscriber usually holds a /64 and can use a new address from it
 * for every request. IPv4 counts per address, and so does IPv4 mapped into IPv6
 * (::ffff:a.b.c.d, how a dual-stack socket reports an IPv4 peer).
 * Hashed so Redis never holds client addresses; a short-lived key, not anonymity.
 */
export function rateLimitKey(ip: string, ipv6Prefix: number): string {
  const cacheKey = `${ipv6Prefix}/${ip}`
  let key = recentKeys.get(cacheKey)
  if (key === undefined) {
    // Cleared whole when full: a flood of new addresses costs bounded memory, and a busy
    // client's key is back after one miss.
    if (recentKeys.size >= RECENT_KEYS) recentKeys.clear()
    key = computeKey(ip, ipv6Prefix)
    recentKeys.set(cacheKey, key)
  }
  return key
}

/**
 * Parsing the address and hashing it was ~3 % of a request's CPU, done twice for a create
 * (limiter and byte budget): recent clients' keys are remembered.
 */
const RECENT_KEYS = 10_000
const recentKeys = new Map<string, string>()

function computeKey(ip: string, ipv6Prefix: number): string {
  const client = ipaddr.isValid(ip) ? ipaddr.process(ip) : undefined
  const counted =
    client?.kind() === 'ipv6'
      ? `${ipaddr.IPv6.networkAddressFromCIDR(`${client.toNormalizedString()}/${ipv6Prefix}`)}/${ipv6Prefix}`
      : (client?.toString() ?? ip)
  return createHash('sha256').update(counted).digest('base64url').slice(0, 16)
}

export default fp<RateLimitOptions>(
  async (app, { redis, ipv6Prefix }) => {
    await app.register(rateLimit, {
      global: false,
      store: LeaseStore.over(redis, app.log, 'bl:rl:'),
      keyGenerator: (req) => rateLimitKey(req.ip, ipv6Prefix),
      errorResponseBuilder: (_req, ctx) => apiError('rateLimited', Math.ceil(ctx.ttl / 1000)),
      // Only a refusal says when to come back (Retry-After). The count left on every admitted
      // request is three more headers to build and send per answer, and no client reads them.
      addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    })
  },
  { name: 'rate-limit' },
)
