/**
 * One timed load run with autocannon, used programmatically, when wrk is not installed. Each request takes the next
 * pre-made body; latencies are kept at full precision (autocannon's own histogram rounds
 * to whole milliseconds, too coarse for a 5 ms target) and only for 2xx answers.
 */
import autocannon from 'autocannon'
import type { Workload } from './workloads.ts'

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  ok: number
  /** Non-2xx answers, socket errors and timeouts. */
  failed: number
  /** Count per non-2xx status, to tell a spoiled run (409, 410, 429) from a slow one. */
  failures: Record<string, number>
  /** Requests sent after a one-time workload ran out (they fail, so the pool was too small). */
  overrun: number
  /** CPU milliseconds of the server processes and Redis per 2xx answer (cpu.ts). */
  cpuMsPerOp?: number
  /** The part of it spent in Redis. */
  redisCpuMsPerOp?: number
}

/** wrk when it is installed (wrk.ts says why), else autocannon. */
export type Generator = 'wrk' | 'autocannon'

export interface LoadOptions {
  url: string
  workload: Workload
  connections: number
  seconds: number
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

export async function runLoad({ url, workload, connections, seconds }: LoadOptions): Promise<LoadResult> {
  const { bodies, path, reusable } = workload
  let next = 0
  let overrun = 0
  const latencies: number[] = []
  const failures: Record<string, number> = {}
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => {
          if (next >= bodies.length && !reusable) overrun++
          req.body = bodies[next++ % bodies.length]
          return req
        },
      },
    ],
  })
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms)
    else failures[status] = (failures[status] ?? 0) + 1
  })
  const result = await instance
  latencies.sort((a, b) => a - b)
  return {
    rps: latencies.length / result.duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ok: latencies.length,
    failed: result.non2xx + result.errors + result.timeouts,
    failures,
    overrun,
  }
}
