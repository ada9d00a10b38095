/**
 * Per-client request limits, kept in the same Redis as the secrets when there is one, so
 * they hold across every instance behind a load balancer (in-process otherwise).
 * The client is `request.ip`, which follows X-Forwarded-For only when TRUST_PROXY says so.
 * Routes opt in with `config.rateLimit`; pages and assets are not limited.
 */
import { createHash } from 'node:crypto'
import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import { apiError } from '../errors.ts'
import type { RedisClient } from '../store/redis-client.ts'

export interface RateLimitOptions {
  redis?: RedisClient
}

export default fp<RateLimitOptions>(
  async (app, { redis }) => {
    await app.register(rateLimit, {
      global: false,
      ...(redis && { redis, nameSpace: 'bl:rl:' }),
      // A Redis outage already answers 503 from the store; the limiter must not turn it
      // into a second, different failure.
      skipOnError: true,
      // Hashed so Redis never holds client addresses; a short-lived key, not anonymity.
      keyGenerator: (req) => createHash('sha256').update(req.ip).digest('base64url').slice(0, 16),
      errorResponseBuilder: (_req, ctx) => apiError('rateLimited', Math.ceil(ctx.ttl / 1000)),
    })
  },
  { name: 'rate-limit' },
)
