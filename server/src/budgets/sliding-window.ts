/**
 * A sliding window from two fixed ones, the approximation Cloudflare's limiter uses: what
 * was counted in the previous window is assumed to have been spread evenly over it, so the
 * part still inside the sliding window is its share of the time left. Each fixed window
 * admits at most the limit, so any real window of the same length, which spans two fixed
 * ones, holds at most twice the limit, and the long-run rate is the limit.
 *
 * The byte budget's Lua script (byte-budget.ts) admits with the same formula on Redis'
 * clock; the in-process budget calls these directly.
 */

export interface WindowCounts {
  /** Counted since the current fixed window began. */
  current: number
  /** Counted in the whole fixed window before it. */
  previous: number
  /** Milliseconds into the current fixed window. */
  elapsed: number
}

/** What the sliding window ending now is taken to hold. */
export function slidingTotal({ current, previous, elapsed }: WindowCounts, windowMs: number): number {
  return current + (previous * (windowMs - elapsed)) / windowMs
}

export function admits(counts: WindowCounts, cost: number, limit: number, windowMs: number): boolean {
  return slidingTotal(counts, windowMs) + cost <= limit
}

/**
 * Milliseconds until `cost` more would be admitted, if nothing else is counted meanwhile:
 * 0 when it fits now. A cost above the limit never fits; callers keep costs below it.
 */
export function waitMs(counts: WindowCounts, cost: number, limit: number, windowMs: number): number {
  if (admits(counts, cost, limit, windowMs)) return 0
  const { current, previous, elapsed } = counts
  const rest = windowMs - elapsed
  // It fits in this window once enough of the previous one has slid out.
  if (current + cost <= limit) return Math.ceil(rest - (windowMs * (limit - current - cost)) / previous)
  // Only in the next one, once enough of this window has slid out in turn.
  return Math.ceil(rest + windowMs - (windowMs * (limit - cost)) / current)
}
