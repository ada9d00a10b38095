import { describe, expect, it } from 'vitest'
import { mapLimited } from './map-limited.ts'

/** A fake async call that records how many calls were in flight at once and which started. */
function recorder(fail?: (item: number) => boolean) {
  let inFlight = 0
  const seen = { most: 0, started: [] as number[] }
  const run = async (item: number): Promise<string> => {
    seen.started.push(item)
    seen.most = Math.max(seen.most, ++inFlight)
    // Uneven durations, so calls finish out of order.
    await new Promise((resolve) => setTimeout(resolve, (item * 7) % 5))
    inFlight--
    if (fail?.(item)) throw new Error(`call ${item} failed`)
    return `answer ${item}`
  }
  return { run, seen }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

describe('mapLimited', () => {
  it.each([1, 2, 3])('keeps at most %i calls in flight, and uses them all, over 20 items', async (limit) => {
    const { run, seen } = recorder()
    const results = await mapLimited(range(20), limit, run)
    expect(seen.most).toBe(limit)
    expect(results).toEqual(range(20).map((i) => `answer ${i}`))
  })

  it('starts no more calls than there are items', async () => {
    const { run, seen } = recorder()
    expect(await mapLimited([5], 3, run)).toEqual(['answer 5'])
    expect(seen.most).toBe(1)
    expect(await mapLimited([], 3, run)).toEqual([])
  })

  it('rejects with the first failure and starts nothing after it', async () => {
    const { run, seen } = recorder((item) => item === 3)
    await expect(mapLimited(range(20), 2, run)).rejects.toThrow('call 3 failed')
    // Calls already running when it failed may finish, but no new one began.
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(seen.started.length).toBeLessThanOrEqual(5)
    expect(seen.started).not.toContain(19)
  })
})
