/**
 * The in-process request store: the same state machine as the Redis scripts, each method one
 * synchronous block (so atomic), expiry applied on access plus one periodic sweep.
 */
import { timingSafeEqual } from 'node:crypto'
import type {
  AnswerResult,
  CollectAckResult,
  CollectResult,
  CreateRequestResult,
  NewRequest,
  OpenResult,
  RequestBurnResult,
  RequestEnded,
  RequestGone,
  RequestStatusRecord,
  RequestStore,
  RequestStoreOptions,
} from './request-store.ts'

interface Entry extends RequestStatusRecord {
  qv: Uint8Array
  cv: Uint8Array
  /** Until the request ends. */
  pub?: Uint8Array
  note?: Uint8Array
  answer?: { epk: Uint8Array; ans: Uint8Array }
  /** When `answer` goes: the expiry, or after a collect the claim's deadline. */
  answerUntil: number
  /** Claim digest (hex) → until when it may collect again. */
  claims: Map<string, number>
  purgeAt: number
}

const NOT_FOUND = { kind: 'not_found' } as const

const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
  a !== undefined && b !== undefined && a.length === b.length && timingSafeEqual(a, b)

export class MemoryRequestStore implements RequestStore {
  private readonly entries = new Map<string, Entry>()
  private readonly sweeper: NodeJS.Timeout

  constructor(
    private readonly options: RequestStoreOptions,
    sweepIntervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs).unref()
  }

  async create(r: NewRequest): Promise<CreateRequestResult> {
    const now = this.now()
    const e = this.find(r.rid, now)
    if (e) {
      const again =
        e.state === 'pending' &&
        same(e.qv, r.qv) &&
        same(e.cv, r.cv) &&
        same(e.pub, r.pub) &&
        (e.note === undefined ? r.note === undefined : same(e.note, r.note)) &&
        e.expiresAt - e.createdAt === r.ttlSeconds * 1000
      return again ? { kind: 'created', expiresAt: e.expiresAt } : { kind: 'exists' }
    }
    const expiresAt = now + r.ttlSeconds * 1000
    this.entries.set(r.rid, {
      state: 'pending',
      createdAt: now,
      expiresAt,
      qv: new Uint8Array(r.qv),
      cv: new Uint8Array(r.cv),
      pub: new Uint8Array(r.pub),
      ...(r.note && { note: new Uint8Array(r.note) }),
      answerUntil: expiresAt,
      claims: new Map(),
      purgeAt: expiresAt + this.options.statusRetentionSeconds * 1000,
    })
    return { kind: 'created', expiresAt }
  }

  async open(rid: string, qv: Uint8Array): Promise<OpenResult> {
    const e = this.find(rid, this.now())
    if (!e || !same(e.qv, qv)) return NOT_FOUND
    if (e.state === 'pending')
      return { kind: 'ok', pub: e.pub!, ...(e.note && { note: e.note }), expiresAt: e.expiresAt }
    if (e.state === 'answered' || e.state === 'collected') return { kind: 'already_answered' }
    return gone(e.state)
  }

  async answer(rid: string, qv: Uint8Array, epk: Uint8Array, ans: Uint8Array): Promise<AnswerResult> {
    const now = this.now()
    const e = this.find(rid, now)
    if (!e || !same(e.qv, qv)) return NOT_FOUND
    if (e.state === 'pending') {
      e.answer = { epk: new Uint8Array(epk), ans: new Uint8Array(ans) }
      e.state = 'answered'
      e.answeredAt = now
      return { kind: 'answered' }
    }
    if (e.state === 'answered' && same(e.answer?.epk, epk) && same(e.answer?.ans, ans)) return { kind: 'answered' }
    if (e.state === 'answered' || e.state === 'collected') return { kind: 'already_answered' }
    return gone(e.state)
  }

  async collect(rid: string, cv: Uint8Array, claim?: Uint8Array): Promise<CollectResult> {
    const now = this.now()
    const e = this.find(rid, now)
    if (!e || !same(e.cv, cv)) return NOT_FOUND
    const key = claim && Buffer.from(claim).toString('hex')
    if (key && e.state === 'collected' && e.answer && now < (e.claims.get(key) ?? 0)) {
      return { kind: 'ok', ...e.answer }
    }
    if (e.state === 'pending') return { kind: 'not_answered' }
    if (e.state !== 'answered') return gone(e.state)
    const answer = e.answer!
    this.end(e, 'collected', now)
    if (key) {
      const deadline = now + this.options.claimRetrySeconds * 1000
      e.claims.set(key, deadline)
      e.answer = answer
      e.answerUntil = deadline
      e.purgeAt = Math.max(e.purgeAt, deadline)
    }
    return { kind: 'ok', ...answer }
  }

  async ack(rid: string, cv: Uint8Array, claim: Uint8Array): Promise<CollectAckResult> {
    const e = this.find(rid, this.now())
    if (!e || !same(e.cv, cv)) return NOT_FOUND
    if (e.claims.delete(Buffer.from(claim).toString('hex'))) delete e.answer
    return { kind: 'acked' }
  }

  async status(rid: string, cv: Uint8Array): Promise<RequestStatusRecord | null> {
    const e = this.find(rid, this.now())
    if (!e || !same(e.cv, cv)) return null
    const { state, createdAt, expiresAt, answeredAt, endedAt } = e
    return {
      state,
      createdAt,
      expiresAt,
      ...(answeredAt !== undefined && { answeredAt }),
      ...(endedAt !== undefined && { endedAt }),
    }
  }

  async burn(rid: string, cv: Uint8Array): Promise<RequestBurnResult> {
    const now = this.now()
    const e = this.find(rid, now)
    if (!e || !same(e.cv, cv)) return NOT_FOUND
    if (e.state !== 'pending' && e.state !== 'answered') return gone(e.state)
    this.end(e, 'burned', now)
    return { kind: 'burned' }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper)
    this.entries.clear()
  }

  /** The live entry, with expiry and the answer's own deadline applied. */
  private find(rid: string, now: number): Entry | undefined {
    const e = this.entries.get(rid)
    if (!e) return undefined
    if (now >= e.purgeAt) {
      this.entries.delete(rid)
      return undefined
    }
    if ((e.state === 'pending' || e.state === 'answered') && now >= e.expiresAt) this.end(e, 'expired', e.expiresAt)
    if (e.answer && now >= e.answerUntil) delete e.answer
    return e
  }

  private end(e: Entry, state: RequestEnded, at: number): void {
    e.state = state
    e.endedAt = at
    delete e.pub
    delete e.note
    delete e.answer
  }

  private sweep(): void {
    const now = this.now()
    for (const rid of this.entries.keys()) this.find(rid, now)
  }
}

const gone = (state: RequestEnded): RequestGone => ({ kind: 'gone', state })
