/**
 * How full the storage is, for the global budget: creates are refused once the stored bytes
 * reach it, while everything that reads or frees storage goes on. Sampled every second, never
 * per request, so a burst of creates can overshoot the budget by what arrives within a second;
 * the budget sits below the point where Redis itself refuses writes for that reason.
 *
 * With Redis, the measure is `used_memory` from INFO (summed over a cluster's masters): it
 * counts Redis' own overhead too, which is what maxmemory is compared with. The budget is
 * MAX_STORED_BYTES, or else 80 % of maxmemory when one is set (INFO reports it even where
 * CONFIG GET is refused), read at every sample so a changed maxmemory applies within a second.
 * The memory store counts its own bytes exactly.
 */
import { dataNodes, type RedisClient } from '../store/redis-client.ts'
import type { Logger } from './shared-or-local.ts'

export const SAMPLE_EVERY_MS = 1000
/** The default budget's share of Redis maxmemory: what is left absorbs a second's creates and the counters. */
export const MAXMEMORY_SHARE = 0.8

export interface Usage {
  used: number
  /** Undefined when nothing bounds the storage. */
  budget: number | undefined
}

export class StorageGauge {
  private usage: Usage | undefined
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly read: () => Promise<Usage>,
    private readonly log: Logger,
  ) {}

  /** The last sample, for the metrics; undefined before the first. */
  last(): Usage | undefined {
    return this.usage
  }

  /** True once a sample found the stored bytes at or over the budget. */
  full(): boolean {
    return this.usage?.budget !== undefined && this.usage.used >= this.usage.budget
  }

  start(): void {
    void this.sample()
    this.timer = setInterval(() => void this.sample(), SAMPLE_EVERY_MS).unref()
  }

  stop(): void {
    clearInterval(this.timer)
  }

  async sample(): Promise<void> {
    let next: Usage
    try {
      next = await this.read()
    } catch {
      // Storage unreachable: the store answers 503 meanwhile; the last sample stands.
      return
    }
    const [first, wasFull] = [this.usage === undefined, this.full()]
    this.usage = next
    const full = this.full()
    if (first) this.describe(next)
    else if (full !== wasFull) {
      if (full) this.log.warn(next, 'storage budget reached: new secrets are refused until stored bytes fall below it')
      else this.log.info(next, 'below the storage budget again: new secrets are accepted')
    }
  }

  private describe(usage: Usage): void {
    if (usage.budget === undefined)
      this.log.warn(
        'no storage budget (Redis without maxmemory, or MAX_STORED_BYTES=0): nothing stops secrets from ' +
          'filling the memory of the machine',
      )
    else this.log.info(usage, 'storage budget in bytes')
  }
}

/** Usage of a Redis or a Redis Cluster; `configured` is MAX_STORED_BYTES (0 for none). */
export function redisUsage(redis: RedisClient, configured: number | undefined): () => Promise<Usage> {
  return async () => {
    const infos = await Promise.all(dataNodes(redis).map((node) => node.info('memory')))
    // A cluster still discovering its masters has none to sample yet.
    if (infos.length === 0) throw new Error('no Redis master to sample')
    const used = infos.reduce((sum, info) => sum + field(info, 'used_memory'), 0)
    const maxmemory = infos.map((info) => field(info, 'maxmemory'))
    // One master without maxmemory leaves the whole unbounded.
    const derived = maxmemory.includes(0)
      ? undefined
      : Math.floor(MAXMEMORY_SHARE * maxmemory.reduce((a, b) => a + b, 0))
    return { used, budget: configured === 0 ? undefined : (configured ?? derived) }
  }
}

function field(info: string, name: string): number {
  return Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0)
}
