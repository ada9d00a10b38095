/**
 * In-process counters keyed by client: each entry expires, and the map never holds more
 * than `capacity` entries, so a flood of new addresses costs bounded memory. A Map keeps
 * insertion order; every write moves its entry to the end, so the front holds the entries
 * written longest ago, which are the first to expire and the first to go when full.
 */
export class RecentMap<V extends { expiresAt: number }> {
  private readonly entries = new Map<string, V>()

  constructor(private readonly capacity: number) {}

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key)
    if (entry && now >= entry.expiresAt) {
      this.entries.delete(key)
      return undefined
    }
    return entry
  }

  set(key: string, value: V, now: number): void {
    this.entries.delete(key)
    this.entries.set(key, value)
    for (const [oldest, entry] of this.entries) {
      if (now < entry.expiresAt && this.entries.size <= this.capacity) break
      this.entries.delete(oldest)
    }
  }

  get size(): number {
    return this.entries.size
  }
}
