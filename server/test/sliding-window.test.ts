import { describe, expect, it } from 'vitest'
import { admits, slidingTotal, waitMs, type WindowCounts } from '../src/budgets/sliding-window.ts'

const W = 3_600_000
const LIMIT = 1000

describe('the two-window sliding estimate', () => {
  it('counts the previous window by the share of it still inside the sliding one', () => {
    expect(slidingTotal({ current: 100, previous: 800, elapsed: 0 }, W)).toBe(900)
    expect(slidingTotal({ current: 100, previous: 800, elapsed: W / 4 }, W)).toBe(700)
    expect(slidingTotal({ current: 100, previous: 800, elapsed: W - 1 }, W)).toBeCloseTo(100, 0)
  })

  it('admits up to the limit exactly, and not a byte more', () => {
    expect(admits({ current: 600, previous: 0, elapsed: 10 }, 400, LIMIT, W)).toBe(true)
    expect(admits({ current: 600, previous: 0, elapsed: 10 }, 401, LIMIT, W)).toBe(false)
    expect(admits({ current: 0, previous: 1000, elapsed: W / 2 }, 500, LIMIT, W)).toBe(true)
    expect(admits({ current: 0, previous: 1000, elapsed: W / 2 }, 501, LIMIT, W)).toBe(false)
  })

  it('waits nothing when the cost fits now', () => {
    expect(waitMs({ current: 0, previous: 0, elapsed: 0 }, LIMIT, LIMIT, W)).toBe(0)
  })

  // The wait is right when the cost fits at its end and not a millisecond before.
  const fitsExactlyAfter = (counts: WindowCounts, cost: number) => {
    const wait = waitMs(counts, cost, LIMIT, W)
    const at = (ms: number): WindowCounts => {
      const elapsed = counts.elapsed + ms
      if (elapsed < W) return { ...counts, elapsed }
      return { current: 0, previous: counts.current, elapsed: elapsed - W }
    }
    expect(admits(at(wait), cost, LIMIT, W)).toBe(true)
    expect(admits(at(wait - 1), cost, LIMIT, W)).toBe(false)
    return wait
  }

  it('waits for enough of the previous window to slide out when the cost fits beside this one', () => {
    // 300 of the previous 800 must slide out: 3/8 of an hour from the start.
    expect(fitsExactlyAfter({ current: 400, previous: 800, elapsed: 0 }, 100)).toBe((3 / 8) * W)
    expect(fitsExactlyAfter({ current: 10, previous: 999, elapsed: W / 3 }, 500)).toBeGreaterThan(0)
  })

  it('waits into the next window when this one alone leaves no room', () => {
    // 900 now: the next window starts with 900 sliding out; 100 must go before 200 fit.
    expect(fitsExactlyAfter({ current: 900, previous: 0, elapsed: W / 2 }, 200)).toBe(W / 2 + W / 9)
    expect(fitsExactlyAfter({ current: LIMIT, previous: LIMIT, elapsed: 0 }, LIMIT)).toBe(2 * W)
  })
})
