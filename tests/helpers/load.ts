/**
 * Small load-generation tools for the reliability tests: bounded concurrency, a POST that
 * never throws (a refused or reset connection is an outcome to count, not an exception),
 * and polling with a deadline.
 */

/** Server-process environment that keeps the rate limits and the byte budget out of load tests. */
export const NO_RATE_LIMITS = {
  RATE_LIMIT_CREATE_PER_MINUTE: '100000000',
  RATE_LIMIT_READ_PER_MINUTE: '100000000',
  CREATE_BYTES_PER_HOUR: '1000000000000',
} as const

export interface Outcome {
  /** 0 when no HTTP response arrived; `error` then says why. */
  status: number
  body: unknown
  error?: string
  /** performance.now() at the start and end of the call. */
  start: number
  end: number
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight. */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}

/** Runs `workers` loops of `fn` until `stop()` says so. */
export async function loop(workers: number, stop: () => boolean, fn: (worker: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (!stop()) await fn(w)
    }),
  )
}

/** The innermost cause's code or message: fetch wraps ECONNREFUSED and resets in a TypeError. */
export function errorCode(err: unknown): string {
  let e: unknown = err
  while (e instanceof Error && e.cause instanceof Error) e = e.cause
  if (e instanceof Error) return (e as NodeJS.ErrnoException).code ?? e.name
  return String(e)
}

export async function postJson(baseUrl: string, path: string, body: unknown, timeoutMs = 10_000): Promise<Outcome> {
  const start = performance.now()
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
    const text = await res.text()
    return { status: res.status, body: parseJson(text), start, end: performance.now() }
  } catch (err) {
    return { status: 0, body: undefined, error: errorCode(err), start, end: performance.now() }
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** Resolves with performance.now() once `check` holds; throws after `ms`. */
export async function waitFor(check: () => Promise<boolean> | boolean, ms: number, everyMs = 20): Promise<number> {
  const deadline = performance.now() + ms
  while (performance.now() < deadline) {
    if (await check()) return performance.now()
    await new Promise((r) => setTimeout(r, everyMs))
  }
  throw new Error(`condition not met within ${ms} ms`)
}

/** Counts of each distinct key, sorted, for reports. */
export function tally<T>(items: readonly T[], key: (item: T) => string | number): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const item of items) {
    const k = String(key(item))
    counts[k] = (counts[k] ?? 0) + 1
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)))
}
