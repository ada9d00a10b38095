import { describe, expect, it } from 'vitest'
import { RecentMap } from '../src/budgets/recent-map.ts'

describe('RecentMap', () => {
  it('forgets an entry once it expires', () => {
    const map = new RecentMap<{ expiresAt: number }>(10)
    map.set('a', { expiresAt: 100 }, 0)
    expect(map.get('a', 99)).toEqual({ expiresAt: 100 })
    expect(map.get('a', 100)).toBeUndefined()
    expect(map.size).toBe(0)
  })

  it('drops expired entries from the front as it writes, without being read', () => {
    const map = new RecentMap<{ expiresAt: number }>(10)
    for (let i = 0; i < 5; i++) map.set(`old ${i}`, { expiresAt: 10 }, 0)
    map.set('new', { expiresAt: 100 }, 50)
    expect(map.size).toBe(1)
  })

  it('never holds more than its capacity, forgetting the entry written longest ago', () => {
    const map = new RecentMap<{ expiresAt: number }>(3)
    for (const key of ['a', 'b', 'c']) map.set(key, { expiresAt: 1000 }, 0)
    map.set('a', { expiresAt: 1000 }, 1)
    map.set('d', { expiresAt: 1000 }, 2)
    expect(map.size).toBe(3)
    expect(map.get('b', 3)).toBeUndefined()
    expect(['a', 'c', 'd'].map((k) => map.get(k, 3) !== undefined)).toEqual([true, true, true])
  })
})
