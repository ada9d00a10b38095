/**
 * The Redis store: each Store method is one EVALSHA of a script in scripts.ts, with binary
 * values end to end: no JSON or base64 in Redis, so a 1,052-byte ciphertext costs about
 * 1.8 KB on Redis 7 (two keys; the test suite guards the figure). Works the same on one Redis
 * and on a Redis Cluster: a secret's keys share one hash slot and every script declares them.
 */
import { CLAIM_RETRY, MAX_HEADER_BYTES, type BurnReason } from '@burnlink/shared'
import type { DurableWriter } from './durable.ts'
import { failFastWhenStalled, guarded, waitForReady, type RedisClient } from './redis-client.ts'
import { RV_BYTES, SCRIPTS, type ScriptName } from './scripts.ts'
import type {
  AckResult,
  BurnAuth,
  BurnResult,
  CreateResult,
  EndedState,
  MetaResult,
  NewSecret,
  RevealResult,
  StatusRecord,
  Store,
  StoreOptions,
} from './store.ts'

type Arg = string | number | Buffer
type Scripts = { [N in ScriptName as `${N}Buffer`]: (c: string, m: string, ...args: Arg[]) => Promise<unknown> }
type Reply = Array<Buffer | number | null>

/** Both key names of a secret; the `{sid}` hash tag keeps them in one cluster slot. */
export function secretKeys(sid: string): { c: string; m: string } {
  return { c: `bl:{${sid}}:c`, m: `bl:{${sid}}:m` }
}

export class RedisStore implements Store {
  private readonly scripts: Scripts
  /** The first connection attempt, while it lasts: calls made at boot wait for it instead of failing. */
  private connecting: Promise<void> | undefined

  /** With a `durable` writer, every state change waits until Redis has it on disk (durable.ts). */
  constructor(
    private readonly redis: RedisClient,
    private readonly options: StoreOptions,
    private readonly durable?: DurableWriter,
  ) {
    for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(name, { numberOfKeys: 2, lua })
    this.scripts = redis as unknown as Scripts
    if (redis.status !== 'ready') {
      this.connecting = waitForReady(redis)
        .catch(() => {})
        .finally(() => (this.connecting = undefined))
    }
  }

  async create(s: NewSecret): Promise<CreateResult> {
    // The scripts find hdr and ct by these offsets; a wrong size would misread every later call.
    if (s.rv.length !== RV_BYTES || s.hdr.length > MAX_HEADER_BYTES)
      throw new RangeError('rv or hdr has the wrong size')
    const c = Buffer.concat([s.rv, Uint8Array.of(s.hdr.length), s.hdr, s.ct])
    const expiresAt = await this.write(
      'burnlinkCreate',
      s.sid,
      c,
      Buffer.from(s.av),
      Buffer.from(s.mv),
      s.ttlSeconds * 1000,
      s.maxViews,
      this.options.statusRetentionSeconds * 1000,
    )
    return expiresAt === 0 ? { kind: 'exists' } : { kind: 'created', expiresAt: Number(expiresAt) }
  }

  async meta(sid: string, av: Uint8Array): Promise<MetaResult> {
    const reply = (await this.run('burnlinkMeta', sid, Buffer.from(av))) as Reply
    if (kindOf(reply) !== 'ok') return ended(reply)
    return { kind: 'ok', hdr: bytes(reply[1]), viewsLeft: Number(reply[2]), expiresAt: Number(reply[3]) }
  }

  async reveal(sid: string, av: Uint8Array, rv: Uint8Array, claim?: Uint8Array): Promise<RevealResult> {
    const reply = (await this.write(
      'burnlinkReveal',
      sid,
      Buffer.from(av),
      Buffer.from(rv),
      this.options.maxFailedAttempts,
      claim ? Buffer.from(claim) : '',
      (this.options.claimRetrySeconds ?? CLAIM_RETRY.defaultSeconds) * 1000,
    )) as Reply
    switch (kindOf(reply)) {
      case 'ok':
        return { kind: 'ok', ct: bytes(reply[1]), viewsLeft: Number(reply[2]) }
      case 'wrong':
        return { kind: 'wrong', attemptsLeft: Number(reply[1]) }
      default:
        return ended(reply)
    }
  }

  async ack(sid: string, av: Uint8Array, claim: Uint8Array): Promise<AckResult> {
    const done = await this.write('burnlinkAck', sid, Buffer.from(av), Buffer.from(claim))
    return done === 1 ? { kind: 'acked' } : { kind: 'not_found' }
  }

  /** One script per ref (each ref is its own hash slot); the calls share one round trip. */
  async status(refs: ReadonlyArray<{ sid: string; mv: Uint8Array }>): Promise<Array<StatusRecord | null>> {
    const replies = await Promise.all(
      refs.map(({ sid, mv }) => this.run('burnlinkStatus', sid, Buffer.from(mv)) as Promise<Reply | null>),
    )
    return replies.map((r) => (r === null ? null : toStatus(r)))
  }

  async burn(sid: string, auth: BurnAuth): Promise<BurnResult> {
    const [field, verifier, reason]: [string, Uint8Array, BurnReason] =
      'mv' in auth ? ['mv', auth.mv, 'creator'] : ['av', auth.av, 'recipient']
    const reply = (await this.write('burnlinkBurn', sid, field, Buffer.from(verifier), reason)) as Reply
    return kindOf(reply) === 'burned' ? { kind: 'burned' } : ended(reply)
  }

  async ping(): Promise<void> {
    await this.connecting
    await guarded(() => this.redis.ping())
  }

  async close(): Promise<void> {
    await this.durable?.close()
    try {
      await this.redis.quit()
    } catch {
      // Already down: nothing left to flush, just drop the socket.
      this.redis.disconnect()
    }
  }

  private async run(script: ScriptName, sid: string, ...args: Arg[]): Promise<unknown> {
    await this.connecting
    failFastWhenStalled(this.redis)
    const { c, m } = secretKeys(sid)
    return guarded(() => this.scripts[`${script}Buffer`](c, m, ...args))
  }

  /** A state change: through the durable writer when it needs WAITAOF, a plain script call otherwise. */
  private async write(script: ScriptName, sid: string, ...args: Arg[]): Promise<unknown> {
    const durable = this.durable
    if (!durable || (await durable.mode()) === 'fsync') return this.run(script, sid, ...args)
    await this.connecting
    failFastWhenStalled(this.redis)
    const { c, m } = secretKeys(sid)
    return guarded(() => durable.run(script, [c, m], args))
  }
}

function kindOf(reply: Reply): string {
  return String(reply[0])
}

function ended(reply: Reply): { kind: 'not_found' } | { kind: 'gone'; state: EndedState } {
  return kindOf(reply) === 'gone' ? { kind: 'gone', state: String(reply[1]) as EndedState } : { kind: 'not_found' }
}

/** Copies out of the reply buffer, which may be a view into a larger socket chunk. */
function bytes(b: Reply[number] | undefined): Uint8Array {
  if (!(b instanceof Buffer)) throw new TypeError('Redis script replied without bytes')
  return new Uint8Array(b)
}

function toStatus(r: Reply): StatusRecord {
  const [state, burnReason, views, maxViews, failedAttempts, createdAt, expiresAt, endedAt] = r
  return {
    state: String(state) as StatusRecord['state'],
    ...(burnReason ? { burnReason: String(burnReason) as BurnReason } : {}),
    views: Number(views),
    maxViews: Number(maxViews),
    failedAttempts: Number(failedAttempts),
    createdAt: Number(createdAt),
    expiresAt: Number(expiresAt),
    ...(endedAt !== null && endedAt !== undefined ? { endedAt: Number(endedAt) } : {}),
  }
}
