/**
 * Apart from the schemas (zod), so that the create page can start with the stock limits
 * without loading the validators.
 */
import { CHUNK_BYTES } from './file-layout.ts'
import { ATTEMPTS, CLAIM_RETRY, TTL, VIEWS } from './limits.ts'
import type { ServerLimits } from './schemas.ts'

/** What a stock server enforces: for clients to use until, or unless, the server says. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = Object.freeze({
  maxTtlSeconds: TTL.defaultMaxSeconds,
  maxViews: VIEWS.defaultMax,
  maxFailedAttempts: ATTEMPTS.default,
  allowHttpRedirects: false,
  claimRetrySeconds: CLAIM_RETRY.defaultSeconds,
  maxFileBytes: 25 * CHUNK_BYTES,
  maxFiles: 10,
  downloadWindowSeconds: 900,
})

/**
 * The name of the `<meta>` in which the server puts its limits into every page, as JSON: the
 * app starts with them instead of asking (web/src/common/use-server-config.ts).
 */
export const LIMITS_META_NAME = 'burnlink-limits'
