/**
 * The in-process store for single-instance use and tests: the same state machine as the
 * Redis scripts, each method one synchronous block (so atomic), expiry applied lazily on
 * access plus one periodic sweep instead of a timer per secret.
 */
import { timingSafeEqual } from 'node:crypto'
import type { BurnReason } from '@burnlink/shared'
import type {
  BurnAuth,
  BurnResult,
  CreateResult,
  EndedState,
  Gone,
  MetaResult,
  NewSecret,
  NotFound,
  RevealResult,
  StatusRecord,
  Store,
  StoreOptions,
} from './store.ts'

/** What Redis keeps in `:c`: gone the moment the secret ends. */
interface Content {
  rv: Uint8Array
  hdr: Uint8Array
  ct: Uint8Array
}

interface Entry extends StatusRecord {
  av: Uint8Array
  mv: Uint8Array
  content?: Content
  purgeAt: number
}

const NOT_FOUND: NotFound = { kind: 'not_found' }

export class MemoryStore implements Store {
  private readonly entries = new Map<string, Entry>()
  private readonly sweeper: NodeJS.Timeout

  constructor(
    private readonly options: StoreOptions,
    sweepIntervalMs = 60_000,
  ) {
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs).unref()
  }

  async create(s: NewSecret): Promise<CreateResult> {
    const now = Date.now()
    if (this.find(s.sid, now)) return { kind: 'exists' }
    const expiresAt = now + s.ttlSeconds * 1000
    this.entries.set(s.sid, {
      av: copy(s.av),
      mv: copy(s.mv),
      content: { rv: copy(s.rv), hdr: copy(s.hdr), ct: copy(s.ct) },
      state: 'active',
      views: 0,
      maxViews: s.maxViews,
      failedAttempts: 0,
      createdAt: now,
      expiresAt,
      purgeAt: expiresAt + this.options.statusRetentionSeconds * 1000,
    })
    return { kind: 'created', expiresAt }
  }

  async meta(sid: string, av: Uint8Array): Promise<MetaResult> {
    const e = this.live(sid, 'av', av)
    if (!isEntry(e)) return e
    return { kind: 'ok', hdr: copy(e.content.hdr), viewsLeft: e.maxViews - e.views, expiresAt: e.expiresAt }
  }

  async reveal(sid: string, av: Uint8Array, rv: Uint8Array): Promise<RevealResult> {
    const e = this.live(sid, 'av', av)
    if (!isEntry(e)) return e
    if (!same(e.content.rv, rv)) {
      e.failedAttempts += 1
      const attemptsLeft = Math.max(0, this.options.maxFailedAttempts - e.failedAttempts)
      if (attemptsLeft === 0) finish(e, 'burned', Date.now(), 'attempts')
      return { kind: 'wrong', attemptsLeft }
    }
    const ct = copy(e.content.ct)
    e.views += 1
    if (e.views >= e.maxViews) finish(e, 'viewed', Date.now())
    return { kind: 'ok', ct, viewsLeft: e.maxViews - e.views }
  }

  async status(refs: ReadonlyArray<{ sid: string; mv: Uint8Array }>): Promise<Array<StatusRecord | null>> {
    const now = Date.now()
    return refs.map(({ sid, mv }) => {
      const e = this.find(sid, now)
      if (!e || !same(e.mv, mv)) return null
      const { av: _av, mv: _mv, content: _content, purgeAt: _purgeAt, ...record } = e
      return record
    })
  }

  async burn(sid: string, auth: BurnAuth): Promise<BurnResult> {
    const [field, verifier, reason]: ['av' | 'mv', Uint8Array, BurnReason] =
      'mv' in auth ? ['mv', auth.mv, 'creator'] : ['av', auth.av, 'recipient']
    const e = this.live(sid, field, verifier)
    if (!isEntry(e)) return e
    finish(e, 'burned', Date.now(), reason)
    return { kind: 'burned' }
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper)
    this.entries.clear()
  }

  /** The entry if it is still retained, with expiry applied as of `now`. */
  private find(sid: string, now: number): Entry | undefined {
    const e = this.entries.get(sid)
    if (!e) return undefined
    if (now >= e.purgeAt) {
      this.entries.delete(sid)
      return undefined
    }
    if (e.state === 'active' && now >= e.expiresAt) finish(e, 'expired', e.expiresAt)
    return e
  }

  /** An active entry whose `field` verifier matches, or the answer the caller gets instead. */
  private live(sid: string, field: 'av' | 'mv', verifier: Uint8Array): LiveEntry | NotFound | Gone {
    const e = this.find(sid, Date.now())
    if (!e || !same(e[field], verifier)) return NOT_FOUND
    if (e.state !== 'active' || !e.content) return { kind: 'gone', state: e.state as EndedState }
    return e as LiveEntry
  }

  private sweep(): void {
    const now = Date.now()
    for (const sid of this.entries.keys()) this.find(sid, now)
  }
}

type LiveEntry = Entry & { content: Content }

function isEntry(x: LiveEntry | NotFound | Gone): x is LiveEntry {
  return !('kind' in x)
}

function finish(e: Entry, state: EndedState, now: number, reason?: BurnReason): void {
  e.state = state
  e.endedAt = now
  if (reason) e.burnReason = reason
  delete e.content
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

function copy(b: Uint8Array): Uint8Array {
  return new Uint8Array(b)
}
