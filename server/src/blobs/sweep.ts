/**
 * The server deletes the chunks of ended secrets itself, on time, whatever the blob store
 * and however many instances run (protocol.md §10.5, Deletion). Each secret with files has
 * one entry in a queue ordered by the time after which its chunks may go: a sorted set
 * `bl:sweep` in Redis, shared by every instance, or a map in this process without Redis.
 * Every instance's sweeper takes the due entries about every 10 s and deletes their chunks.
 *
 * Taking an entry leases it rather than removing it: one script moves it a minute into the
 * future, so no other sweeper gets it meanwhile, and only once its chunks are gone is it
 * removed. A sweeper that dies or loses its storage mid-way leaves the entry to come due
 * again; deleting twice is harmless.
 *
 * Whoever changes a secret's fate keeps its entry right: move it later *before* the change
 * that makes the chunks needed longer (commit: to the expiry; a reveal: to the end of its
 * download window) and earlier *after* the change that ends them (burn, abort: now). An
 * upload that finishes after its secret stopped taking uploads schedules the entry for now
 * again, since the sweep may already have passed.
 */
import type { Logger } from 'pino'
import type { RedisClient } from '../store/redis-client.ts'
import { failFastWhenStalled, guarded } from '../store/redis-client.ts'
import type { BlobLayout, BlobRef, BlobStore } from './blob-store.ts'

/** An entry names what to delete: sid and bid (b64u) and the chunks per file, as `sid.bid.n0,n1,…`. */
type Member = string

export interface SweepQueue {
  /** Adds the entry, or moves it: `at` replaces any earlier time. */
  schedule(member: Member, at: number): Promise<void>
  /** Adds the entry, or moves it later, never earlier. */
  extend(member: Member, at: number): Promise<void>
  cancel(member: Member): Promise<void>
  /** Up to `limit` due entries, each leased until `lease` (the queue's clock, ms). */
  take(limit: number, leaseMs: number): Promise<{ lease: number; members: Member[] }>
  /** Removes an entry whose chunks are gone, unless it was scheduled again since it was taken. */
  done(member: Member, lease: number): Promise<void>
}

const memberOf = (ref: BlobRef, layout: BlobLayout): Member => `${ref.sid}.${ref.bid}.${layout.join(',')}`

function parse(member: Member): { ref: BlobRef; layout: BlobLayout } | undefined {
  const [sid, bid, chunks, ...rest] = member.split('.')
  const layout = chunks?.split(',').map(Number)
  if (!sid || !bid || !layout || rest.length > 0 || !layout.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    return undefined
  }
  return { ref: { sid, bid }, layout }
}

export interface SweepOptions {
  intervalMs?: number
  /** Entries per take. */
  batch?: number
  /** How long a taken entry is this sweeper's alone. */
  leaseMs?: number
}

export class Sweeper {
  private readonly intervalMs: number
  private readonly batch: number
  private readonly leaseMs: number
  private timer: NodeJS.Timeout | undefined
  private running: Promise<number> | undefined
  private healthy = true

  constructor(
    private readonly queue: SweepQueue,
    private readonly blobs: BlobStore,
    private readonly logger: Pick<Logger, 'warn' | 'info'>,
    { intervalMs = 10_000, batch = 100, leaseMs = 60_000 }: SweepOptions = {},
  ) {
    this.intervalMs = intervalMs
    this.batch = batch
    this.leaseMs = leaseMs
  }

  /** The chunks of `ref` may be deleted from `at` on (ms, the secrets store's clock); replaces any earlier time. */
  schedule(ref: BlobRef, layout: BlobLayout, at: number): Promise<void> {
    return this.queue.schedule(memberOf(ref, layout), at)
  }

  /**
   * As schedule, but never earlier than the entry's time: for a reveal's download window,
   * which must not cut short a later window or the expiry of a secret still active.
   */
  extend(ref: BlobRef, layout: BlobLayout, at: number): Promise<void> {
    return this.queue.extend(memberOf(ref, layout), at)
  }

  /** Forgets the entry: for a ref whose upload never started (its create was refused). */
  cancel(ref: BlobRef, layout: BlobLayout): Promise<void> {
    return this.queue.cancel(memberOf(ref, layout))
  }

  /** Sweeps every interval until close(); the timer never keeps the process alive. */
  start(): void {
    this.timer ??= setInterval(() => {
      this.sweep().then(
        () => {
          if (!this.healthy) this.logger.info('blob sweep works again')
          this.healthy = true
        },
        (err: unknown) => {
          if (this.healthy) this.logger.warn({ reason: (err as Error).message }, 'blob sweep failed, retrying')
          this.healthy = false
        },
      )
    }, this.intervalMs).unref()
  }

  /**
   * Deletes the chunks of every due entry, batch after batch, and resolves with how many
   * entries it finished; a call while a sweep runs joins it. Stops at the first failure:
   * the entries it had taken come due again when their lease ends.
   */
  sweep(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined))
    return this.running
  }

  async close(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.running?.catch(() => {})
  }

  private async pass(): Promise<number> {
    let finished = 0
    for (;;) {
      const { lease, members } = await this.queue.take(this.batch, this.leaseMs)
      for (const member of members) {
        // An entry nobody could have written names no chunks: dropping it is all there is to do.
        const entry = parse(member)
        if (entry) await this.blobs.deleteAll(entry.ref, entry.layout)
        await this.queue.done(member, lease)
        finished++
      }
      if (members.length < this.batch) return finished
    }
  }
}

export class MemorySweepQueue implements SweepQueue {
  private readonly entries = new Map<Member, number>()

  async schedule(member: Member, at: number) {
    this.entries.set(member, at)
  }

  async extend(member: Member, at: number) {
    this.entries.set(member, Math.max(at, this.entries.get(member) ?? at))
  }

  async cancel(member: Member) {
    this.entries.delete(member)
  }

  /** A scan: entries are few (one per file secret in this process) and taken every 10 s. */
  async take(limit: number, leaseMs: number) {
    const now = Date.now()
    const lease = now + leaseMs
    const members: Member[] = []
    for (const [member, at] of this.entries) {
      if (members.length === limit) break
      if (at > now) continue
      this.entries.set(member, lease)
      members.push(member)
    }
    return { lease, members }
  }

  async done(member: Member, lease: number) {
    if (this.entries.get(member) === lease) this.entries.delete(member)
  }
}

/** One key, so on a Redis Cluster it lives on one node; each script touches only it. */
export const SWEEP_KEY = 'bl:sweep'

const SCRIPTS = {
  /** Due entries (by Redis' clock, as the secrets store's times are) leased until now + ARGV[2]. */
  burnlinkSweepTake: `
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
    local lease = now + tonumber(ARGV[2])
    for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', lease, member) end
    return {lease, due}`,
  burnlinkSweepDone: `
    local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
    if score and tonumber(score) == tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
    return 0`,
} as const

type Scripts = { [N in keyof typeof SCRIPTS]: (key: string, ...args: Array<string | number>) => Promise<unknown> }

export class RedisSweepQueue implements SweepQueue {
  private readonly scripts: Scripts

  /** The client stays the caller's. */
  constructor(private readonly redis: RedisClient) {
    for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(name, { numberOfKeys: 1, lua })
    this.scripts = redis as unknown as Scripts
  }

  async schedule(member: Member, at: number) {
    await this.call(() => this.redis.zadd(SWEEP_KEY, at, member))
  }

  async extend(member: Member, at: number) {
    await this.call(() => this.redis.zadd(SWEEP_KEY, 'GT', at, member))
  }

  async cancel(member: Member) {
    await this.call(() => this.redis.zrem(SWEEP_KEY, member))
  }

  async take(limit: number, leaseMs: number) {
    const [lease, members] = (await this.call(() => this.scripts.burnlinkSweepTake(SWEEP_KEY, limit, leaseMs))) as [
      number,
      Member[],
    ]
    return { lease, members }
  }

  async done(member: Member, lease: number) {
    await this.call(() => this.scripts.burnlinkSweepDone(SWEEP_KEY, member, lease))
  }

  private call<T>(command: () => Promise<T>): Promise<T> {
    failFastWhenStalled(this.redis)
    return guarded(command)
  }
}
