/**
 * The Redis request store: each RequestStore method is one EVALSHA of a script in
 * scripts.ts, binary values end to end. A request's keys share one hash slot, so it works
 * on one Redis and on a Redis Cluster alike.
 */
import { failFastWhenStalled, guarded, waitForReady, type RedisClient } from '../store/redis-client.ts'
import {
  EPK_BYTES,
  type AnswerResult,
  type CollectAckResult,
  type CollectResult,
  type CreateRequestResult,
  type NewRequest,
  type OpenResult,
  type RequestBurnResult,
  type RequestEnded,
  type RequestGone,
  type RequestState,
  type RequestStatusRecord,
  type RequestStore,
  type RequestStoreOptions,
} from './request-store.ts'
import { REQUEST_SCRIPTS, type RequestScriptName } from './scripts.ts'

type Arg = string | number | Buffer
type Scripts = {
  [N in RequestScriptName as `${N}Buffer`]: (a: string, m: string, ...args: Arg[]) => Promise<unknown>
}
type Reply = Array<Buffer | number | null>

/** Both key names of a request; the `{rid}` hash tag keeps them in one cluster slot. */
export function requestKeys(rid: string): { a: string; m: string } {
  return { a: `blq:{${rid}}:a`, m: `blq:{${rid}}:m` }
}

export class RedisRequestStore implements RequestStore {
  private readonly scripts: Scripts
  private connecting: Promise<void> | undefined

  constructor(
    private readonly redis: RedisClient,
    private readonly options: RequestStoreOptions,
  ) {
    for (const [name, lua] of Object.entries(REQUEST_SCRIPTS)) redis.defineCommand(name, { numberOfKeys: 2, lua })
    this.scripts = redis as unknown as Scripts
    if (redis.status !== 'ready') {
      this.connecting = waitForReady(redis)
        .catch(() => {})
        .finally(() => (this.connecting = undefined))
    }
  }

  async create(r: NewRequest): Promise<CreateRequestResult> {
    const expiresAt = Number(
      await this.run(
        'burnlinkRequestCreate',
        r.rid,
        Buffer.from(r.pub),
        r.note ? Buffer.from(r.note) : '',
        Buffer.from(r.qv),
        Buffer.from(r.cv),
        r.ttlSeconds * 1000,
        this.options.statusRetentionSeconds * 1000,
      ),
    )
    return expiresAt === 0 ? { kind: 'exists' } : { kind: 'created', expiresAt }
  }

  async open(rid: string, qv: Uint8Array): Promise<OpenResult> {
    const reply = (await this.run('burnlinkRequestOpen', rid, Buffer.from(qv))) as Reply
    if (kindOf(reply) !== 'ok') return answeredOr(reply)
    const [, pub, note, expiresAt] = reply
    return { kind: 'ok', pub: bytes(pub), ...(note ? { note: bytes(note) } : {}), expiresAt: Number(expiresAt) }
  }

  async answer(rid: string, qv: Uint8Array, epk: Uint8Array, ans: Uint8Array): Promise<AnswerResult> {
    const reply = (await this.run('burnlinkRequestAnswer', rid, Buffer.from(qv), Buffer.concat([epk, ans]))) as Reply
    return kindOf(reply) === 'answered' ? { kind: 'answered' } : answeredOr(reply)
  }

  async collect(rid: string, cv: Uint8Array, claim?: Uint8Array): Promise<CollectResult> {
    const reply = (await this.run(
      'burnlinkRequestCollect',
      rid,
      Buffer.from(cv),
      claim ? Buffer.from(claim) : '',
      this.options.claimRetrySeconds * 1000,
    )) as Reply
    switch (kindOf(reply)) {
      case 'ok': {
        const a = bytes(reply[1])
        return { kind: 'ok', epk: a.slice(0, EPK_BYTES), ans: a.slice(EPK_BYTES) }
      }
      case 'not_answered':
        return { kind: 'not_answered' }
      default:
        return ended(reply)
    }
  }

  async ack(rid: string, cv: Uint8Array, claim: Uint8Array): Promise<CollectAckResult> {
    const done = await this.run('burnlinkRequestAck', rid, Buffer.from(cv), Buffer.from(claim))
    return Number(done) === 1 ? { kind: 'acked' } : { kind: 'not_found' }
  }

  async status(rid: string, cv: Uint8Array): Promise<RequestStatusRecord | null> {
    const r = (await this.run('burnlinkRequestStatus', rid, Buffer.from(cv))) as Reply | null
    if (!r) return null
    const [state, createdAt, expiresAt, answeredAt, endedAt] = r
    return {
      state: String(state) as RequestState,
      createdAt: Number(createdAt),
      expiresAt: Number(expiresAt),
      ...(answeredAt ? { answeredAt: Number(answeredAt) } : {}),
      ...(endedAt ? { endedAt: Number(endedAt) } : {}),
    }
  }

  async burn(rid: string, cv: Uint8Array): Promise<RequestBurnResult> {
    const reply = (await this.run('burnlinkRequestBurn', rid, Buffer.from(cv))) as Reply
    return kindOf(reply) === 'burned' ? { kind: 'burned' } : ended(reply)
  }

  /** The client belongs to the secrets' store, which closes it. */
  async close(): Promise<void> {}

  private async run(script: RequestScriptName, rid: string, ...args: Arg[]): Promise<unknown> {
    await this.connecting
    failFastWhenStalled(this.redis)
    const { a, m } = requestKeys(rid)
    return guarded(() => this.scripts[`${script}Buffer`](a, m, ...args))
  }
}

const kindOf = (reply: Reply) => String(reply[0])

function ended(reply: Reply): { kind: 'not_found' } | RequestGone {
  return kindOf(reply) === 'gone' ? { kind: 'gone', state: String(reply[1]) as RequestEnded } : { kind: 'not_found' }
}

/** For the responder's calls, where an answer already given is a kind of its own. */
function answeredOr(reply: Reply): { kind: 'already_answered' } | { kind: 'not_found' } | RequestGone {
  return kindOf(reply) === 'already_answered' ? { kind: 'already_answered' } : ended(reply)
}

/** Copies out of the reply buffer, which may be a view into a larger socket chunk. */
function bytes(b: Reply[number] | undefined): Uint8Array {
  if (!(b instanceof Buffer)) throw new TypeError('Redis script replied without bytes')
  return new Uint8Array(b)
}
