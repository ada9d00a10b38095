/**
 * The in-process store for single-instance use and tests: the same state machine as the
 * Redis scripts, each method one synchronous block (so atomic), expiry applied lazily on
 * access plus one periodic sweep instead of a timer per secret.
 */
import { timingSafeEqual } from 'node:crypto'
import { CLAIM_RETRY, DEFAULT_SERVER_LIMITS, type BurnReason } from '@burnlink/shared'
import { eventTime, recordable, withEnd, type StoredEvent } from './timeline.ts'
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
  Gone,
  MetaResult,
  NewSecret,
  NewUpload,
  NotFound,
  RecordChunkResult,
  RevealResult,
  UploadSession,
  StatusRecord,
  Store,
  StoreOptions,
} from './store.ts'

/** What Redis keeps in `:c`: gone when the secret ends, or once no claim can fetch it again. */
interface Content {
  rv: Uint8Array
  hdr: Uint8Array
  ct: Uint8Array
}

interface Entry extends StatusRecord {
  av: Uint8Array
  mv: Uint8Array
  content?: Content
  /** When `content` goes, as `:c`'s own expiry: expiresAt, later only for an open claim. */
  contentUntil: number
  /** Claim digest (hex) → the time until which that claim may fetch its view again. */
  claims: Map<string, number>
  purgeAt: number
  /** A file secret's chunks, the digest of its upload token, and from the commit its `fsig` if any. */
  files?: FileChunks & { sizes: number[]; bytes: number; uv: Uint8Array; fsig?: Uint8Array }
  /**
   * Until the commit: the entry is invisible to everything but its uploader, and expiresAt,
   * contentUntil and purgeAt all hold the upload deadline.
   */
  upload?: { ttlMs: number; recorded: Set<string> }
}

const NOT_FOUND: NotFound = { kind: 'not_found' }

export class MemoryStore implements Store {
  private readonly entries = new Map<string, Entry>()
  private readonly sweeper: NodeJS.Timeout
  private readonly claimRetryMs: number
  private readonly downloadWindowMs: number

  /** `now` is the store's clock; a test may set it, to see what minutes apart look like without waiting them. */
  constructor(
    private readonly options: StoreOptions,
    sweepIntervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    this.claimRetryMs = (options.claimRetrySeconds ?? CLAIM_RETRY.defaultSeconds) * 1000
    this.downloadWindowMs = (options.downloadWindowSeconds ?? DEFAULT_SERVER_LIMITS.downloadWindowSeconds) * 1000
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs).unref()
  }

  async create(s: NewSecret): Promise<CreateResult> {
    const now = this.now()
    const existing = this.find(s.sid, now)
    if (existing) {
      const { content } = existing
      const again =
        existing.state === 'active' &&
        !existing.upload &&
        content !== undefined &&
        same(existing.av, s.av) &&
        same(existing.mv, s.mv) &&
        same(content.rv, s.rv) &&
        same(content.hdr, s.hdr) &&
        same(content.ct, s.ct) &&
        existing.expiresAt - existing.createdAt === s.ttlSeconds * 1000 &&
        existing.maxViews === s.maxViews
      return again ? { kind: 'created', expiresAt: existing.expiresAt } : { kind: 'exists' }
    }
    const expiresAt = now + s.ttlSeconds * 1000
    this.entries.set(s.sid, {
      av: copy(s.av),
      mv: copy(s.mv),
      content: { rv: copy(s.rv), hdr: copy(s.hdr), ct: copy(s.ct) },
      contentUntil: expiresAt,
      claims: new Map(),
      state: 'active',
      views: 0,
      maxViews: s.maxViews,
      failedAttempts: 0,
      createdAt: now,
      expiresAt,
      purgeAt: expiresAt + this.options.statusRetentionSeconds * 1000,
      events: [],
    })
    return { kind: 'created', expiresAt }
  }

  async meta(sid: string, av: Uint8Array): Promise<MetaResult> {
    const now = this.now()
    const e = this.live(this.holder(sid, 'av', av, now))
    if (!isEntry(e)) return e
    record(e, 'opened', now)
    return {
      kind: 'ok',
      hdr: copy(e.content.hdr),
      viewsLeft: e.maxViews - e.views,
      expiresAt: e.expiresAt,
      ...(e.files && { files: { count: e.files.layout.length, bytes: e.files.bytes } }),
    }
  }

  async reveal(sid: string, av: Uint8Array, rv: Uint8Array, claim?: Uint8Array): Promise<RevealResult> {
    const now = this.now()
    const held = this.holder(sid, 'av', av, now)
    const claimKey = claim && hex(claim)
    // Before the rev check: a file secret's reveal without a claim spends no attempt.
    if (held?.files && claimKey === undefined) return { kind: 'claim_required' }
    if (held && claimKey !== undefined) {
      // The claimant asking again for the view it was given: the same ciphertext, no new view.
      const deadline = held.claims.get(claimKey)
      if (deadline !== undefined && now < deadline && held.content && same(held.content.rv, rv)) {
        const viewsLeft = held.state === 'active' ? held.maxViews - held.views : 0
        return { kind: 'ok', ct: copy(held.content.ct), viewsLeft, ...filesOf(held, deadline) }
      }
    }
    const e = this.live(held)
    if (!isEntry(e)) return e
    if (!same(e.content.rv, rv)) {
      e.failedAttempts += 1
      record(e, 'wrong_passphrase', now)
      const attemptsLeft = Math.max(0, this.options.maxFailedAttempts - e.failedAttempts)
      if (attemptsLeft > 0) return { kind: 'wrong', attemptsLeft }
      finish(e, 'burned', now, 'attempts')
      return { kind: 'wrong', attemptsLeft, ...(e.files && { files: chunksOf(e.files) }) }
    }
    const ct = copy(e.content.ct)
    e.views += 1
    record(e, 'revealed', now)
    let deadline: number | undefined
    if (claimKey !== undefined) {
      deadline = now + (e.files ? this.downloadWindowMs : this.claimRetryMs)
      e.claims.set(claimKey, deadline)
      e.contentUntil = Math.max(e.contentUntil, deadline)
      e.purgeAt = Math.max(e.purgeAt, deadline)
    }
    if (e.views >= e.maxViews) finish(e, 'viewed', now)
    return { kind: 'ok', ct, viewsLeft: e.maxViews - e.views, ...(deadline !== undefined && filesOf(e, deadline)) }
  }

  async ack(sid: string, av: Uint8Array, claim: Uint8Array): Promise<AckResult> {
    const now = this.now()
    const e = this.holder(sid, 'av', av, now)
    if (!e) return NOT_FOUND
    if (e.claims.delete(hex(claim)) && e.state !== 'burned') {
      keepContent(e, now, e.state === 'active' ? e.expiresAt : undefined)
    }
    const unneeded = e.files && e.state !== 'active' && !openClaims(e, now)
    return { kind: 'acked', ...(unneeded && { unneeded: chunksOf(e.files!) }) }
  }

  async status(refs: ReadonlyArray<{ sid: string; mv: Uint8Array }>): Promise<Array<StatusRecord | null>> {
    const now = this.now()
    return refs.map(({ sid, mv }) => {
      const e = this.holder(sid, 'mv', mv, now)
      if (!e) return null
      const {
        av: _av,
        mv: _mv,
        content: _c,
        contentUntil: _cu,
        claims: _claims,
        purgeAt: _p,
        files: _f,
        upload: _u,
        events,
        ...record
      } = e
      return { ...record, events: withEnd(events, e.state, e.endedAt) }
    })
  }

  async burn(sid: string, auth: BurnAuth): Promise<BurnResult> {
    const [field, verifier, reason]: ['av' | 'mv', Uint8Array, BurnReason] =
      'mv' in auth ? ['mv', auth.mv, 'creator'] : ['av', auth.av, 'recipient']
    const now = this.now()
    const e = this.live(this.holder(sid, field, verifier, now))
    if (!isEntry(e)) return e
    finish(e, 'burned', now, reason)
    return { kind: 'burned', ...(e.files && { files: chunksOf(e.files) }) }
  }

  async createUpload(u: NewUpload): Promise<CreateUploadResult> {
    const now = this.now()
    const existing = this.find(u.sid, now)
    if (existing) {
      const { content, files, upload } = existing
      const again =
        upload !== undefined &&
        files !== undefined &&
        content !== undefined &&
        same(files.uv, u.uv) &&
        files.sizes.join() === u.sizes.join() &&
        same(existing.av, u.av) &&
        same(existing.mv, u.mv) &&
        same(content.rv, u.rv) &&
        same(content.hdr, u.hdr) &&
        same(content.ct, u.ct) &&
        upload.ttlMs === u.ttlSeconds * 1000 &&
        existing.maxViews === u.maxViews
      return again ? { kind: 'created', uploadExpiresAt: existing.purgeAt, bid: files.bid } : { kind: 'exists' }
    }
    const deadline = now + u.uploadTtlSeconds * 1000
    this.entries.set(u.sid, {
      av: copy(u.av),
      mv: copy(u.mv),
      content: { rv: copy(u.rv), hdr: copy(u.hdr), ct: copy(u.ct) },
      contentUntil: deadline,
      claims: new Map(),
      state: 'active',
      views: 0,
      maxViews: u.maxViews,
      failedAttempts: 0,
      createdAt: now,
      expiresAt: deadline,
      purgeAt: deadline,
      events: [],
      files: { bid: u.bid, layout: [...u.layout], sizes: [...u.sizes], bytes: u.bytes, uv: copy(u.uv) },
      upload: { ttlMs: u.ttlSeconds * 1000, recorded: new Set() },
    })
    return { kind: 'created', uploadExpiresAt: deadline, bid: u.bid }
  }

  async uploadSession(sid: string, uv: Uint8Array): Promise<UploadSession> {
    const now = this.now()
    const e = this.uploader(sid, uv, now)
    if (!e) return NOT_FOUND
    if (!e.upload) return { kind: 'committed' }
    return {
      kind: 'uploading',
      ...chunksOf(e.files),
      sizes: [...e.files.sizes],
      uploadExpiresAt: e.purgeAt,
      ttlMs: e.upload.ttlMs,
      now,
    }
  }

  async recordChunk(sid: string, uv: Uint8Array, file: number, chunk: number): Promise<RecordChunkResult> {
    const e = this.uploader(sid, uv, this.now())
    if (!e) return NOT_FOUND
    if (!e.upload) return { kind: 'committed' }
    e.upload.recorded.add(`${file}.${chunk}`)
    return { kind: 'recorded' }
  }

  async commit(sid: string, uv: Uint8Array, fsig?: Uint8Array): Promise<CommitResult> {
    const now = this.now()
    const e = this.uploader(sid, uv, now)
    if (!e) return NOT_FOUND
    if (!e.upload) {
      const stored = e.files.fsig
      const again = stored === undefined || fsig === undefined ? stored === fsig : same(stored, fsig)
      return again && e.state === 'active' ? { kind: 'committed', expiresAt: e.expiresAt } : { kind: 'conflict' }
    }
    const missing = e.files.layout.reduce((sum, n) => sum + n, 0) - e.upload.recorded.size
    if (missing > 0) return { kind: 'incomplete', missing }
    e.expiresAt = now + e.upload.ttlMs
    e.contentUntil = e.expiresAt
    e.purgeAt = e.expiresAt + this.options.statusRetentionSeconds * 1000
    if (fsig) e.files.fsig = copy(fsig)
    delete e.upload
    return { kind: 'committed', expiresAt: e.expiresAt }
  }

  async abort(sid: string, uv: Uint8Array): Promise<AbortResult> {
    const e = this.uploader(sid, uv, this.now())
    if (!e) return NOT_FOUND
    if (!e.upload) return { kind: 'conflict' }
    this.entries.delete(sid)
    return { kind: 'aborted' }
  }

  async chunkAccess(sid: string, av: Uint8Array, claim: Uint8Array): Promise<ChunkAccessResult> {
    const now = this.now()
    const e = this.holder(sid, 'av', av, now)
    if (!e?.files) return NOT_FOUND
    if (e.state === 'burned') return { kind: 'gone', state: 'burned' }
    const deadline = e.claims.get(hex(claim))
    if (deadline === undefined) return NOT_FOUND
    if (now >= deadline) return { kind: 'window_closed' }
    return { kind: 'ok', ...chunksOf(e.files), sizes: [...e.files.sizes] }
  }

  async ping(): Promise<void> {}

  /** Bytes of content and verifiers held (not the objects around them), for the storage budget. */
  storedBytes(): number {
    let bytes = 0
    for (const { av, mv, content } of this.entries.values())
      bytes += av.length + mv.length + (content ? content.rv.length + content.hdr.length + content.ct.length : 0)
    return bytes
  }

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
    if (e.state === 'active' && now >= e.expiresAt) finish(e, 'expired', now, undefined, e.expiresAt)
    if (e.content && now >= e.contentUntil) delete e.content
    return e
  }

  /** The entry whose `field` verifier matches, if any; an upload not yet committed has none. */
  private holder(sid: string, field: 'av' | 'mv', verifier: Uint8Array, now: number): Entry | undefined {
    const e = this.find(sid, now)
    return e && !e.upload && same(e[field], verifier) ? e : undefined
  }

  /** The file secret whose upload token this is, committed or not. */
  private uploader(sid: string, uv: Uint8Array, now: number): (Entry & Required<Pick<Entry, 'files'>>) | undefined {
    const e = this.find(sid, now)
    return e?.files && same(e.files.uv, uv) ? (e as Entry & Required<Pick<Entry, 'files'>>) : undefined
  }

  /** An active entry, or the answer the caller gets instead. */
  private live(e: Entry | undefined): LiveEntry | NotFound | Gone {
    if (!e) return NOT_FOUND
    if (e.state !== 'active' || !e.content) return { kind: 'gone', state: e.state as EndedState }
    return e as LiveEntry
  }

  private sweep(): void {
    const now = this.now()
    for (const sid of this.entries.keys()) this.find(sid, now)
  }
}

type LiveEntry = Entry & { content: Content }

function isEntry(x: LiveEntry | NotFound | Gone): x is LiveEntry {
  return !('kind' in x)
}

function chunksOf(files: FileChunks): FileChunks {
  return { bid: files.bid, layout: [...files.layout] }
}

/** A file secret's chunks with the claim's download deadline, to spread into a reveal's answer. */
function filesOf(e: Entry, downloadExpiresAt: number) {
  if (!e.files) return {}
  const { fsig } = e.files
  return { files: { ...chunksOf(e.files), downloadExpiresAt, ...(fsig && { fsig: copy(fsig) }) } }
}

function openClaims(e: Entry, now: number): boolean {
  for (const deadline of e.claims.values()) if (deadline > now) return true
  return false
}

/** As scripts.ts keep_content: the content stays until `liveUntil` or the last open claim, else goes now. */
function keepContent(e: Entry, now: number, liveUntil?: number): void {
  let keep = liveUntil
  for (const deadline of e.claims.values())
    if (deadline > now && (keep === undefined || deadline > keep)) keep = deadline
  if (keep === undefined) delete e.content
  else e.contentUntil = keep
}

/** Appends to the creator's timeline, as scripts.ts `record` does. */
function record(e: Entry, type: StoredEvent, now: number): void {
  const at = eventTime(e.createdAt, now)
  if (recordable(e.events.length, e.events.at(-1), type, at)) e.events.push({ type, at })
}

/** A burn ends the claims too; a last view or an expiry leaves an open claim its retry. */
function finish(e: Entry, state: EndedState, now: number, reason?: BurnReason, endedAt = now): void {
  e.state = state
  e.endedAt = endedAt
  if (reason) e.burnReason = reason
  if (state === 'burned') delete e.content
  else keepContent(e, now)
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

function copy(b: Uint8Array): Uint8Array {
  return new Uint8Array(b)
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex')
}
