/**
 * The Redis store: each Store method is one EVALSHA of a script in scripts.ts, with binary
 * values end to end: no JSON or base64 in Redis, so a 1,052-byte ciphertext costs about
 * 1.8 KB on Redis 7 (two keys; the test suite guards the figure). Works the same on one Redis
 * and on a Redis Cluster: a secret's keys share one hash slot and every script declares them.
 */
import { CLAIM_RETRY, DEFAULT_SERVER_LIMITS, MAX_HEADER_BYTES, type BurnReason } from '@burnlink/shared'
import type { DurableWriter } from './durable.ts'
import { failFastWhenStalled, guarded, waitForReady, type RedisClient } from './redis-client.ts'
import { RV_BYTES, SCRIPTS, TIMELINE_SCRIPTS, type ScriptName } from './scripts.ts'
import { decodeEvents, withEnd } from './timeline.ts'
import type {
  AbortResult,
  AckResult,
  BurnAuth,
  BurnResult,
  ChunkAccessResult,
  CommitResult,
  CreateResult,
  CreateUploadResult,
  EndedState,
  FileChunks,
  MetaResult,
  NewSecret,
  NewUpload,
  RecordChunkResult,
  RevealResult,
  UploadSession,
  StatusRecord,
  Store,
  StoreOptions,
} from './store.ts'

type Arg = string | number | Buffer
type Scripts = { [N in ScriptName as `${N}Buffer`]: (...keysAndArgs: Arg[]) => Promise<unknown> }
type Reply = Array<Buffer | number | null>

/** The key names of a secret; the `{sid}` hash tag keeps them in one cluster slot. */
export function secretKeys(sid: string): { c: string; m: string; e: string } {
  return { c: `bl:{${sid}}:c`, m: `bl:{${sid}}:m`, e: `bl:{${sid}}:e` }
}

/** The keys a script declares: `:c` and `:m`, and `:e` for those that keep the timeline. */
function keysFor(script: ScriptName, sid: string): string[] {
  const { c, m, e } = secretKeys(sid)
  return TIMELINE_SCRIPTS.has(script) ? [c, m, e] : [c, m]
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
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      redis.defineCommand(name, { numberOfKeys: keysFor(name as ScriptName, '').length, lua })
    }
    this.scripts = redis as unknown as Scripts
    if (redis.status !== 'ready') {
      this.connecting = waitForReady(redis)
        .catch(() => {})
        .finally(() => (this.connecting = undefined))
    }
  }

  async create(s: NewSecret): Promise<CreateResult> {
    const expiresAt = await this.write(
      'burnlinkCreate',
      s.sid,
      contentOf(s),
      asBuffer(s.av),
      asBuffer(s.mv),
      s.ttlSeconds * 1000,
      s.maxViews,
      this.options.statusRetentionSeconds * 1000,
    )
    return expiresAt === 0 ? { kind: 'exists' } : { kind: 'created', expiresAt: Number(expiresAt) }
  }

  async meta(sid: string, av: Uint8Array): Promise<MetaResult> {
    const reply = (await this.run('burnlinkMeta', sid, asBuffer(av))) as Reply
    if (kindOf(reply) !== 'ok') return ended(reply)
    const [, hdr, viewsLeft, expiresAt, count, fileBytes] = reply
    return {
      kind: 'ok',
      hdr: bytes(hdr),
      viewsLeft: Number(viewsLeft),
      expiresAt: Number(expiresAt),
      ...(count ? { files: { count: Number(count), bytes: Number(fileBytes) } } : {}),
    }
  }

  async reveal(sid: string, av: Uint8Array, rv: Uint8Array, claim?: Uint8Array): Promise<RevealResult> {
    const reply = (await this.write(
      'burnlinkReveal',
      sid,
      asBuffer(av),
      asBuffer(rv),
      this.options.maxFailedAttempts,
      claim ? asBuffer(claim) : '',
      (this.options.claimRetrySeconds ?? CLAIM_RETRY.defaultSeconds) * 1000,
      (this.options.downloadWindowSeconds ?? DEFAULT_SERVER_LIMITS.downloadWindowSeconds) * 1000,
    )) as Reply
    switch (kindOf(reply)) {
      case 'ok': {
        const files = chunksIn(reply, 4)
        const fsig = reply[6] ? { fsig: bytes(reply[6]) } : {}
        return {
          kind: 'ok',
          ct: bytes(reply[1]),
          viewsLeft: Number(reply[2]),
          ...(files && { files: { ...files, downloadExpiresAt: Number(reply[3]), ...fsig } }),
        }
      }
      case 'wrong': {
        const files = chunksIn(reply, 2)
        return { kind: 'wrong', attemptsLeft: Number(reply[1]), ...(files && { files }) }
      }
      case 'claim_required':
        return { kind: 'claim_required' }
      default:
        return ended(reply)
    }
  }

  async ack(sid: string, av: Uint8Array, claim: Uint8Array): Promise<AckResult> {
    const reply = (await this.write('burnlinkAck', sid, asBuffer(av), asBuffer(claim))) as Reply
    if (reply[0] !== 1) return { kind: 'not_found' }
    const unneeded = chunksIn(reply, 1)
    return { kind: 'acked', ...(unneeded && { unneeded }) }
  }

  /** One script per ref (each ref is its own hash slot); the calls share one round trip. */
  async status(refs: ReadonlyArray<{ sid: string; mv: Uint8Array }>): Promise<Array<StatusRecord | null>> {
    const replies = await Promise.all(
      refs.map(({ sid, mv }) => this.run('burnlinkStatus', sid, asBuffer(mv)) as Promise<Reply | null>),
    )
    return replies.map((r) => (r === null ? null : toStatus(r)))
  }

  async burn(sid: string, auth: BurnAuth): Promise<BurnResult> {
    const [field, verifier, reason]: [string, Uint8Array, BurnReason] =
      'mv' in auth ? ['mv', auth.mv, 'creator'] : ['av', auth.av, 'recipient']
    const reply = (await this.write('burnlinkBurn', sid, field, asBuffer(verifier), reason)) as Reply
    if (kindOf(reply) !== 'burned') return ended(reply)
    const files = chunksIn(reply, 1)
    return { kind: 'burned', ...(files && { files }) }
  }

  async createUpload(u: NewUpload): Promise<CreateUploadResult> {
    const reply = (await this.write(
      'burnlinkCreateUpload',
      u.sid,
      contentOf(u),
      asBuffer(u.av),
      asBuffer(u.mv),
      u.ttlSeconds * 1000,
      u.maxViews,
      asBuffer(u.uv),
      u.bid,
      u.layout.join(','),
      u.bytes,
      u.uploadTtlSeconds * 1000,
      u.sizes.join(','),
    )) as Reply
    const uploadExpiresAt = Number(reply[0])
    return uploadExpiresAt === 0 ? { kind: 'exists' } : { kind: 'created', uploadExpiresAt, bid: String(reply[1]) }
  }

  async uploadSession(sid: string, uv: Uint8Array): Promise<UploadSession> {
    const reply = (await this.run('burnlinkUploadSession', sid, asBuffer(uv))) as Reply
    const kind = kindOf(reply)
    if (kind !== 'uploading') return { kind: kind === 'committed' ? 'committed' : 'not_found' }
    const [, , , uploadExpiresAt, ttlMs, now, sizes] = reply
    return {
      kind: 'uploading',
      ...chunksIn(reply, 1)!,
      sizes: numbers(sizes),
      uploadExpiresAt: Number(uploadExpiresAt),
      ttlMs: Number(ttlMs),
      now: Number(now),
    }
  }

  async recordChunk(sid: string, uv: Uint8Array, file: number, chunk: number): Promise<RecordChunkResult> {
    const kind = String(await this.write('burnlinkRecordChunk', sid, asBuffer(uv), `p${file}.${chunk}`))
    return { kind: kind === 'recorded' || kind === 'committed' ? kind : 'not_found' }
  }

  async commit(sid: string, uv: Uint8Array, fsig?: Uint8Array): Promise<CommitResult> {
    const reply = (await this.write(
      'burnlinkCommit',
      sid,
      asBuffer(uv),
      this.options.statusRetentionSeconds * 1000,
      fsig ? asBuffer(fsig) : '',
    )) as Reply
    switch (kindOf(reply)) {
      case 'committed':
        return { kind: 'committed', expiresAt: Number(reply[1]) }
      case 'incomplete':
        return { kind: 'incomplete', missing: Number(reply[1]) }
      case 'conflict':
        return { kind: 'conflict' }
      default:
        return { kind: 'not_found' }
    }
  }

  async abort(sid: string, uv: Uint8Array): Promise<AbortResult> {
    const kind = String(await this.write('burnlinkAbort', sid, asBuffer(uv)))
    return { kind: kind === 'aborted' || kind === 'conflict' ? kind : 'not_found' }
  }

  async chunkAccess(sid: string, av: Uint8Array, claim: Uint8Array): Promise<ChunkAccessResult> {
    const reply = (await this.run('burnlinkChunkAccess', sid, asBuffer(av), asBuffer(claim))) as Reply
    switch (kindOf(reply)) {
      case 'ok':
        return { kind: 'ok', ...chunksIn(reply, 1)!, sizes: numbers(reply[3]) }
      case 'window_closed':
        return { kind: 'window_closed' }
      default:
        return ended(reply)
    }
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

  /** Not async: once connected, a request's call pays for no promise but the script's and guarded's. */
  private run(script: ScriptName, sid: string, ...args: Arg[]): Promise<unknown> {
    if (this.connecting) return this.connecting.then(() => this.run(script, sid, ...args))
    return guarded(() => {
      failFastWhenStalled(this.redis)
      return this.scripts[`${script}Buffer`](...keysFor(script, sid), ...args)
    })
  }

  /** A state change: through the durable writer when it needs WAITAOF, a plain script call otherwise. */
  private write(script: ScriptName, sid: string, ...args: Arg[]): Promise<unknown> {
    const durable = this.durable
    if (!durable) return this.run(script, sid, ...args)
    return durable.mode().then(async (mode) => {
      if (mode === 'fsync') return this.run(script, sid, ...args)
      await this.connecting
      return guarded(() => {
        failFastWhenStalled(this.redis)
        return durable.run(script, keysFor(script, sid), args)
      })
    })
  }
}

/**
 * The bytes as a Buffer, which ioredis sends as they are (a Uint8Array it would spell out as
 * text): a view, not a copy, and the routes' values are Buffers already (native base64url).
 */
function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)
}

/** `:c`: rv ‖ len(hdr) ‖ hdr ‖ ct. The scripts find hdr and ct by these offsets; a wrong size would misread every later call. */
function contentOf(s: NewSecret): Buffer {
  if (s.rv.length !== RV_BYTES || s.hdr.length > MAX_HEADER_BYTES) throw new RangeError('rv or hdr has the wrong size')
  return Buffer.concat([s.rv, Uint8Array.of(s.hdr.length), s.hdr, s.ct])
}

/** A file secret's bid and layout at reply[at], reply[at + 1]; undefined for a text secret. */
function chunksIn(reply: Reply, at: number): FileChunks | undefined {
  const [bid, fl] = [reply[at], reply[at + 1]]
  if (!bid || !fl) return undefined
  return { bid: String(bid), layout: numbers(fl) }
}

/** A list the scripts keep as "n0,n1,…". */
function numbers(list: Reply[number] | undefined): number[] {
  return String(list).split(',').map(Number)
}

function kindOf(reply: Reply): string {
  return String(reply[0])
}

function ended(reply: Reply): { kind: 'not_found' } | { kind: 'gone'; state: EndedState } {
  return kindOf(reply) === 'gone' ? { kind: 'gone', state: String(reply[1]) as EndedState } : { kind: 'not_found' }
}

/**
 * The reply's bytes, a plain view that may share a larger socket chunk: every caller
 * encodes them into its answer within the request, so the chunk is not held past it. A copy
 * here was a fresh off-heap ArrayBuffer per reveal, ~1.5 % of a reveal's CPU with its GC.
 */
function bytes(b: Reply[number] | undefined): Uint8Array {
  if (!(b instanceof Buffer)) throw new TypeError('Redis script replied without bytes')
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}

function toStatus(r: Reply): StatusRecord {
  const [state, burnReason, views, maxViews, failedAttempts, createdAt, expiresAt, endedAt, events] = r
  const ended = endedAt !== null && endedAt !== undefined ? Number(endedAt) : undefined
  return {
    state: String(state) as StatusRecord['state'],
    ...(burnReason ? { burnReason: String(burnReason) as BurnReason } : {}),
    views: Number(views),
    maxViews: Number(maxViews),
    failedAttempts: Number(failedAttempts),
    createdAt: Number(createdAt),
    expiresAt: Number(expiresAt),
    ...(ended !== undefined ? { endedAt: ended } : {}),
    events: withEnd(decodeEvents(bytes(events), Number(createdAt)), String(state) as StatusRecord['state'], ended),
  }
}
