/**
 * The Store contract (protocol.md §8, §9) as reusable suites: the integration project runs
 * them against the memory store and one Redis, the cluster project against Redis Cluster,
 * so no backend's state machine can drift from the others.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SID_BYTES, TIMELINE_MAX_EVENTS, encodeB64u } from '@burnlink/shared'
import {
  CLAIM_DIGEST_BYTES,
  type NewSecret,
  type NewUpload,
  type Store,
  type StoreOptions,
} from '../../server/src/store/store.ts'

export const K = 5
/** A short claim window, so the suite can outlive it; long enough for a retry within it on a busy machine. */
export const CLAIM_WINDOW_MS = 3000
export const OPTIONS: StoreOptions = {
  maxFailedAttempts: K,
  statusRetentionSeconds: 3600,
  claimRetrySeconds: CLAIM_WINDOW_MS / 1000,
  downloadWindowSeconds: CLAIM_WINDOW_MS / 1000,
}
export const CT_BYTES = 1052
/** The Redis store reads Redis' clock, which may drift from this process' a little. */
const SKEW_MS = 1000

export const bytes = (n: number) => new Uint8Array(randomBytes(n))
/** A claim as the store sees it: the route passes a digest, so any 16 bytes will do here. */
export const claim = () => bytes(CLAIM_DIGEST_BYTES)
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** The clock minute a time falls in: opens are made one event per minute. */
export const minute = (ms: number) => Math.floor(ms / 60_000)

export function newSecret(over: Partial<NewSecret> = {}): NewSecret {
  return {
    sid: encodeB64u(bytes(SID_BYTES)),
    hdr: Uint8Array.of(1, 0),
    ct: bytes(CT_BYTES),
    av: bytes(32),
    rv: bytes(32),
    mv: bytes(32),
    ttlSeconds: 600,
    maxViews: 1,
    ...over,
  }
}

/** An upload of two files: 2 chunks (1 MiB + 1 padded) and 1 chunk (the smallest file). */
export function newUpload(over: Partial<NewUpload> = {}): NewUpload {
  return {
    ...newSecret(),
    uv: bytes(32),
    sizes: [1_114_144, 272],
    layout: [2, 1],
    bytes: 1_114_112 + 256,
    bid: encodeB64u(bytes(16)),
    uploadTtlSeconds: 600,
    ...over,
  }
}

/** A committed file secret. */
export async function committedIn(store: Store, over: Partial<NewUpload> = {}, fsig?: Uint8Array): Promise<NewUpload> {
  const u = newUpload(over)
  expect((await store.createUpload(u)).kind).toBe('created')
  for (const [file, chunk] of [
    [0, 0],
    [0, 1],
    [1, 0],
  ] as const) {
    expect(await store.recordChunk(u.sid, u.uv, file, chunk)).toEqual({ kind: 'recorded' })
  }
  expect((await store.commit(u.sid, u.uv, fsig)).kind).toBe('committed')
  return u
}

export async function createdIn(store: Store, over: Partial<NewSecret> = {}): Promise<NewSecret> {
  const s = newSecret(over)
  expect((await store.create(s)).kind).toBe('created')
  return s
}

export function describeStoreContract(name: string, open: () => Store): void {
  describe(`${name} store contract`, () => {
    let store: Store
    beforeAll(() => {
      store = open()
    })
    afterAll(() => store.close())

    async function created(over: Partial<NewSecret> = {}): Promise<NewSecret & { expiresAt: number }> {
      const s = newSecret(over)
      const res = await store.create(s)
      if (res.kind !== 'created') throw new Error(`create answered ${res.kind}`)
      return { ...s, expiresAt: res.expiresAt }
    }
    const statusOf = async (s: NewSecret) => (await store.status([{ sid: s.sid, mv: s.mv }]))[0]

    it('creates once and refuses the same sid while live and after it ended', async () => {
      const before = Date.now()
      const s = await created({ ttlSeconds: 600 })
      expect(s.expiresAt).toBeGreaterThanOrEqual(before + 600_000 - SKEW_MS)
      expect(s.expiresAt).toBeLessThanOrEqual(Date.now() + 600_000 + SKEW_MS)
      expect(await store.create({ ...newSecret(), sid: s.sid })).toEqual({ kind: 'exists' })
      await store.burn(s.sid, { mv: s.mv })
      expect(await store.create({ ...newSecret(), sid: s.sid })).toEqual({ kind: 'exists' })
    })

    it('meta never consumes and reports header, views left and expiry', async () => {
      const s = await created({ maxViews: 2 })
      for (let i = 0; i < 3; i++) {
        expect(await store.meta(s.sid, s.av)).toEqual({ kind: 'ok', hdr: s.hdr, viewsLeft: 2, expiresAt: s.expiresAt })
      }
      expect(await statusOf(s)).toMatchObject({ state: 'active', views: 0 })
      expect(await store.reveal(s.sid, s.av, s.rv)).toMatchObject({ kind: 'ok', viewsLeft: 1 })
      expect(await store.meta(s.sid, s.av)).toMatchObject({ kind: 'ok', viewsLeft: 1 })
    })

    it('answers an unknown sid and a wrong token identically', async () => {
      const s = await created()
      const unknown = newSecret()
      const notFound = { kind: 'not_found' }
      for (const sid of [unknown.sid, s.sid]) {
        expect(await store.meta(sid, unknown.av)).toEqual(notFound)
        expect(await store.reveal(sid, unknown.av, s.rv)).toEqual(notFound)
        expect(await store.burn(sid, { av: unknown.av })).toEqual(notFound)
        expect(await store.burn(sid, { mv: unknown.mv })).toEqual(notFound)
      }
      // Tokens are not interchangeable: mv does not open, av does not manage.
      expect(await store.meta(s.sid, s.mv)).toEqual(notFound)
      expect(await store.burn(s.sid, { mv: s.av })).toEqual(notFound)
      expect(
        await store.status([
          { sid: s.sid, mv: s.av },
          { sid: unknown.sid, mv: unknown.mv },
        ]),
      ).toEqual([null, null])
      expect(await statusOf(s)).toMatchObject({ state: 'active', failedAttempts: 0 })
    })

    it('releases a single-view secret once, then reports it viewed', async () => {
      const s = await created()
      const revealedAt = Date.now()
      expect(await store.reveal(s.sid, s.av, s.rv)).toEqual({ kind: 'ok', ct: s.ct, viewsLeft: 0 })
      const gone = { kind: 'gone', state: 'viewed' }
      expect(await store.reveal(s.sid, s.av, s.rv)).toEqual(gone)
      expect(await store.meta(s.sid, s.av)).toEqual(gone)
      expect(await store.burn(s.sid, { av: s.av })).toEqual(gone)
      expect(await store.burn(s.sid, { mv: s.mv })).toEqual(gone)
      const status = await statusOf(s)
      expect(status).toMatchObject({ state: 'viewed', views: 1, maxViews: 1, failedAttempts: 0 })
      expect(status?.burnReason).toBeUndefined()
      expect(status?.endedAt).toBeGreaterThanOrEqual(revealedAt - SKEW_MS)
    })

    it('counts views of a multi-view secret down to zero', async () => {
      const s = await created({ maxViews: 3 })
      for (const left of [2, 1, 0]) {
        expect(await store.reveal(s.sid, s.av, s.rv)).toEqual({ kind: 'ok', ct: s.ct, viewsLeft: left })
        if (left > 0) expect(await store.meta(s.sid, s.av)).toMatchObject({ kind: 'ok', viewsLeft: left })
      }
      expect(await store.reveal(s.sid, s.av, s.rv)).toEqual({ kind: 'gone', state: 'viewed' })
      expect(await statusOf(s)).toMatchObject({ state: 'viewed', views: 3, maxViews: 3 })
    })

    it('counts wrong reveal tokens, never resets them, and burns at K', async () => {
      const s = await created({ maxViews: 5 })
      const wrong = bytes(32)
      expect(await store.reveal(s.sid, s.av, wrong)).toEqual({ kind: 'wrong', attemptsLeft: K - 1 })
      expect(await store.reveal(s.sid, s.av, wrong)).toEqual({ kind: 'wrong', attemptsLeft: K - 2 })
      expect(await store.reveal(s.sid, s.av, s.rv)).toMatchObject({ kind: 'ok', viewsLeft: 4 })
      expect(await store.meta(s.sid, s.av)).toMatchObject({ kind: 'ok', viewsLeft: 4 })
      for (let left = K - 3; left >= 0; left--) {
        expect(await store.reveal(s.sid, s.av, bytes(32))).toEqual({ kind: 'wrong', attemptsLeft: left })
      }
      expect(await store.reveal(s.sid, s.av, s.rv)).toEqual({ kind: 'gone', state: 'burned' })
      expect(await store.meta(s.sid, s.av)).toEqual({ kind: 'gone', state: 'burned' })
      expect(await statusOf(s)).toMatchObject({ state: 'burned', burnReason: 'attempts', views: 1, failedAttempts: K })
    })

    it('reports status in order for a batch, with every field of an active secret', async () => {
      const a = await created({ ttlSeconds: 120, maxViews: 4 })
      const b = await created()
      await store.reveal(b.sid, b.av, b.rv)
      const [sa, missing, sb] = await store.status([
        { sid: a.sid, mv: a.mv },
        { sid: newSecret().sid, mv: a.mv },
        { sid: b.sid, mv: b.mv },
      ])
      expect(sa).toEqual({
        state: 'active',
        views: 0,
        maxViews: 4,
        failedAttempts: 0,
        createdAt: a.expiresAt - 120_000,
        expiresAt: a.expiresAt,
        events: [],
      })
      expect(missing).toBeNull()
      expect(sb).toMatchObject({ state: 'viewed', views: 1 })
    })

    it('burns for the creator and for the recipient, once', async () => {
      for (const [auth, reason] of [
        ['mv', 'creator'],
        ['av', 'recipient'],
      ] as const) {
        const s = await created({ maxViews: 3 })
        const burnedAt = Date.now()
        const by = auth === 'mv' ? { mv: s.mv } : { av: s.av }
        expect(await store.burn(s.sid, by)).toEqual({ kind: 'burned' })
        expect(await store.burn(s.sid, by)).toEqual({ kind: 'gone', state: 'burned' })
        expect(await store.reveal(s.sid, s.av, s.rv)).toEqual({ kind: 'gone', state: 'burned' })
        expect(await store.meta(s.sid, s.av)).toEqual({ kind: 'gone', state: 'burned' })
        const status = await statusOf(s)
        expect(status).toMatchObject({ state: 'burned', burnReason: reason, views: 0 })
        expect(status?.endedAt).toBeGreaterThanOrEqual(burnedAt - SKEW_MS)
      }
    })

    it('expires on its own clock, untouched or not', async () => {
      const untouched = await created({ ttlSeconds: 1 })
      const touched = await created({ ttlSeconds: 1, maxViews: 2 })
      await sleep(1200)
      expect(await statusOf(untouched)).toMatchObject({ state: 'expired', endedAt: untouched.expiresAt })
      const gone = { kind: 'gone', state: 'expired' }
      expect(await store.meta(touched.sid, touched.av)).toEqual(gone)
      expect(await store.reveal(touched.sid, touched.av, touched.rv)).toEqual(gone)
      expect(await store.burn(touched.sid, { mv: touched.mv })).toEqual(gone)
      expect(await statusOf(touched)).toMatchObject({ state: 'expired', endedAt: touched.expiresAt, views: 0 })
      // Nobody ran at the expiry, and what came after it found nothing to open: the timeline only ends.
      for (const s of [untouched, touched]) {
        expect((await statusOf(s))?.events).toEqual([{ type: 'expired', at: s.expiresAt }])
      }
    })

    it('keeps a timeline of opens, wrong passphrases and views, then how it ended, in order and in whole seconds', async () => {
      const s = await created({ maxViews: 2 })
      const mine = claim()
      await store.meta(s.sid, s.av)
      await store.reveal(s.sid, s.av, bytes(32))
      await store.meta(s.sid, s.av)
      await store.reveal(s.sid, s.av, s.rv, mine)
      // A claim's repeat is the same view, not another.
      await store.reveal(s.sid, s.av, s.rv, mine)
      expect((await statusOf(s))?.events.map((e) => e.type)).toEqual([
        'opened',
        'wrong_passphrase',
        'opened',
        'revealed',
      ])
      await store.reveal(s.sid, s.av, s.rv)
      // After the end, calls that find nothing to open add nothing.
      await store.meta(s.sid, s.av)
      await store.reveal(s.sid, s.av, bytes(32))
      const status = await statusOf(s)
      const events = status?.events ?? []
      expect(events.map((e) => e.type)).toEqual([
        'opened',
        'wrong_passphrase',
        'opened',
        'revealed',
        'revealed',
        'viewed',
      ])
      const createdAt = status!.createdAt
      for (const [i, e] of events.entries()) {
        expect(e.at).toBeGreaterThanOrEqual(i === 0 ? createdAt : events[i - 1]!.at)
        if (e.type !== 'viewed') expect((e.at - createdAt) % 1000).toBe(0)
      }
      expect(events.at(-1)).toEqual({ type: 'viewed', at: status!.endedAt })
      expect(status!.endedAt! - events.at(-2)!.at).toBeLessThan(1000)
    })

    it('makes one event of opens in one clock minute, unless something happened between them', async () => {
      const s = await created({ maxViews: 3 })
      for (let i = 0; i < 3; i++) await store.meta(s.sid, s.av)
      const opens = (await statusOf(s))?.events ?? []
      // Three calls within a second cross at most one minute boundary.
      expect(opens.length).toBeGreaterThanOrEqual(1)
      expect(opens.length).toBeLessThanOrEqual(2)
      for (let i = 1; i < opens.length; i++) expect(minute(opens[i]!.at)).not.toBe(minute(opens[i - 1]!.at))
      await store.reveal(s.sid, s.av, s.rv)
      await store.meta(s.sid, s.av)
      expect((await statusOf(s))?.events.slice(opens.length).map((e) => e.type)).toEqual(['revealed', 'opened'])
    })

    it('ends the timeline with the burn, and keeps the first 100 events before it', async () => {
      for (const [auth, reason] of [
        ['mv', 'creator'],
        ['av', 'recipient'],
      ] as const) {
        const s = await created({ maxViews: 3 })
        await store.burn(s.sid, auth === 'mv' ? { mv: s.mv } : { av: s.av })
        const status = await statusOf(s)
        expect(status).toMatchObject({ burnReason: reason, events: [{ type: 'burned', at: status?.endedAt }] })
      }
      const attempts = await created()
      for (let i = 0; i < K; i++) await store.reveal(attempts.sid, attempts.av, bytes(32))
      expect((await statusOf(attempts))?.events.map((e) => e.type)).toEqual([
        ...Array<string>(K).fill('wrong_passphrase'),
        'burned',
      ])

      const busy = await created({ maxViews: 150 })
      for (let i = 0; i < 120; i++) await store.reveal(busy.sid, busy.av, busy.rv)
      expect((await statusOf(busy))?.events).toHaveLength(TIMELINE_MAX_EVENTS)
      await store.burn(busy.sid, { mv: busy.mv })
      const events = (await statusOf(busy))?.events ?? []
      expect(events).toHaveLength(TIMELINE_MAX_EVENTS + 1)
      expect(new Set(events.slice(0, -1).map((e) => e.type))).toEqual(new Set(['revealed']))
      expect(events.at(-1)?.type).toBe('burned')
    })

    it('answers a repeated identical create as created, with the same expiry, and any other as exists', async () => {
      const s = await created({ maxViews: 2 })
      const { expiresAt: _expiresAt, ...request } = s
      expect(await store.create(request)).toEqual({ kind: 'created', expiresAt: s.expiresAt })
      const ct = s.ct.slice()
      ct[100]! ^= 1
      for (const other of [
        { av: bytes(32) },
        { rv: bytes(32) },
        { mv: bytes(32) },
        { hdr: Uint8Array.of(1, 1) },
        { ct },
        { ttlSeconds: 601 },
        { maxViews: 3 },
      ]) {
        expect(await store.create({ ...request, ...other })).toEqual({ kind: 'exists' })
      }
      expect(await statusOf(s)).toMatchObject({ state: 'active', maxViews: 2, views: 0 })
      await store.reveal(s.sid, s.av, s.rv)
      await store.burn(s.sid, { av: s.av })
      expect(await store.create(request)).toEqual({ kind: 'exists' })
    })

    it('gives a claimant its view again without counting it, and nobody else', async () => {
      const s = await created()
      const mine = claim()
      const released = { kind: 'ok', ct: s.ct, viewsLeft: 0 }
      expect(await store.reveal(s.sid, s.av, s.rv, mine)).toEqual(released)
      expect(await store.reveal(s.sid, s.av, s.rv, mine)).toEqual(released)
      expect(await store.reveal(s.sid, s.av, s.rv, mine)).toEqual(released)
      const gone = { kind: 'gone', state: 'viewed' }
      expect(await store.reveal(s.sid, s.av, s.rv, claim())).toEqual(gone)
      expect(await store.reveal(s.sid, s.av, s.rv)).toEqual(gone)
      // The claim alone opens nothing: it needs the link (av) and the passphrase (rv) too.
      expect(await store.reveal(s.sid, s.av, bytes(32), mine)).toEqual(gone)
      expect(await store.reveal(s.sid, bytes(32), s.rv, mine)).toEqual({ kind: 'not_found' })
      expect(await store.meta(s.sid, s.av)).toEqual(gone)
      expect(await statusOf(s)).toMatchObject({ state: 'viewed', views: 1, failedAttempts: 0 })
    })

    it('counts each claim once on a multi-view secret and reports the views left now', async () => {
      const s = await created({ maxViews: 3 })
      const [a, b] = [claim(), claim()]
      expect(await store.reveal(s.sid, s.av, s.rv, a)).toEqual({ kind: 'ok', ct: s.ct, viewsLeft: 2 })
      expect(await store.reveal(s.sid, s.av, s.rv, a)).toEqual({ kind: 'ok', ct: s.ct, viewsLeft: 2 })
      expect(await store.reveal(s.sid, s.av, s.rv, b)).toEqual({ kind: 'ok', ct: s.ct, viewsLeft: 1 })
      expect(await store.reveal(s.sid, s.av, s.rv, a)).toEqual({ kind: 'ok', ct: s.ct, viewsLeft: 1 })
      expect(await statusOf(s)).toMatchObject({ state: 'active', views: 2 })
      // A wrong passphrase under a known claim is still a wrong passphrase.
      expect(await store.reveal(s.sid, s.av, bytes(32), a)).toEqual({ kind: 'wrong', attemptsLeft: K - 1 })
    })

    it('refuses a claim after its window, and the ciphertext is gone by then', async () => {
      const s = await created()
      const mine = claim()
      await store.reveal(s.sid, s.av, s.rv, mine)
      await sleep(CLAIM_WINDOW_MS + 200)
      expect(await store.reveal(s.sid, s.av, s.rv, mine)).toEqual({ kind: 'gone', state: 'viewed' })
    })

    it('ends a claim at its acknowledgement, idempotently, for the link holder only', async () => {
      const s = await created()
      const mine = claim()
      await store.reveal(s.sid, s.av, s.rv, mine)
      expect(await store.ack(s.sid, bytes(32), mine)).toEqual({ kind: 'not_found' })
      expect(await store.ack(newSecret().sid, s.av, mine)).toEqual({ kind: 'not_found' })
      expect(await store.reveal(s.sid, s.av, s.rv, mine)).toMatchObject({ kind: 'ok' })
      expect(await store.ack(s.sid, s.av, mine)).toEqual({ kind: 'acked' })
      expect(await store.ack(s.sid, s.av, mine)).toEqual({ kind: 'acked' })
      expect(await store.ack(s.sid, s.av, claim())).toEqual({ kind: 'acked' })
      expect(await store.reveal(s.sid, s.av, s.rv, mine)).toEqual({ kind: 'gone', state: 'viewed' })
    })

    it('keeps an open claim when another is acknowledged', async () => {
      const s = await created({ maxViews: 2 })
      const [a, b] = [claim(), claim()]
      await store.reveal(s.sid, s.av, s.rv, a)
      await store.reveal(s.sid, s.av, s.rv, b)
      await store.ack(s.sid, s.av, b)
      expect(await store.reveal(s.sid, s.av, s.rv, a)).toEqual({ kind: 'ok', ct: s.ct, viewsLeft: 0 })
      expect(await store.reveal(s.sid, s.av, s.rv, b)).toEqual({ kind: 'gone', state: 'viewed' })
    })

    it('keeps an earlier claim open when the last view is taken without one', async () => {
      const s = await created({ maxViews: 2 })
      const mine = claim()
      await store.reveal(s.sid, s.av, s.rv, mine)
      expect(await store.reveal(s.sid, s.av, s.rv)).toEqual({ kind: 'ok', ct: s.ct, viewsLeft: 0 })
      expect(await store.reveal(s.sid, s.av, s.rv, mine)).toEqual({ kind: 'ok', ct: s.ct, viewsLeft: 0 })
      expect(await store.reveal(s.sid, s.av, s.rv, claim())).toEqual({ kind: 'gone', state: 'viewed' })
    })

    it('ends every claim at a burn, by the creator or a recipient', async () => {
      for (const by of ['mv', 'av'] as const) {
        const s = await created({ maxViews: 2 })
        const mine = claim()
        await store.reveal(s.sid, s.av, s.rv, mine)
        expect(await store.burn(s.sid, by === 'mv' ? { mv: s.mv } : { av: s.av })).toEqual({ kind: 'burned' })
        expect(await store.reveal(s.sid, s.av, s.rv, mine)).toEqual({ kind: 'gone', state: 'burned' })
      }
    })

    it('keeps a claim through an expiry right after its release', async () => {
      const s = await created({ ttlSeconds: 1, maxViews: 2 })
      const mine = claim()
      expect(await store.reveal(s.sid, s.av, s.rv, mine)).toMatchObject({ kind: 'ok', viewsLeft: 1 })
      await sleep(1200)
      expect(await store.reveal(s.sid, s.av, s.rv, claim())).toEqual({ kind: 'gone', state: 'expired' })
      expect(await store.reveal(s.sid, s.av, s.rv, mine)).toEqual({ kind: 'ok', ct: s.ct, viewsLeft: 0 })
      expect(await statusOf(s)).toMatchObject({ state: 'expired', views: 1, endedAt: s.expiresAt })
    })

    it('round-trips binary header and ciphertext byte for byte, isolated from the caller', async () => {
      const hdr = bytes(24)
      const ct = Uint8Array.from({ length: 2076 }, (_, i) => (i * 7) % 256)
      const s = await created({ hdr: hdr.slice(), ct: ct.slice(), maxViews: 2 })
      s.hdr.fill(0)
      s.ct.fill(0)
      const meta = await store.meta(s.sid, s.av)
      expect(meta).toMatchObject({ kind: 'ok', hdr })
      if (meta.kind === 'ok') meta.hdr.fill(0)
      const first = await store.reveal(s.sid, s.av, s.rv)
      expect(first).toEqual({ kind: 'ok', ct, viewsLeft: 1 })
      if (first.kind === 'ok') first.ct.fill(0)
      expect(await store.reveal(s.sid, s.av, s.rv)).toEqual({ kind: 'ok', ct, viewsLeft: 0 })
    })

    it('keeps an upload invisible until every chunk is recorded and the commit made it active', async () => {
      const u = newUpload()
      const made = await store.createUpload(u)
      expect(made).toMatchObject({ kind: 'created', bid: u.bid })
      // A repeat while uploading: the first create's deadline and bid; anything else with the sid is refused.
      expect(await store.createUpload({ ...u, bid: 'other' })).toEqual(made)
      expect(await store.createUpload({ ...u, maxViews: 2 })).toEqual({ kind: 'exists' })
      expect(await store.create(u)).toEqual({ kind: 'exists' })
      expect(await store.uploadSession(u.sid, u.uv)).toMatchObject({
        kind: 'uploading',
        bid: u.bid,
        layout: [2, 1],
        sizes: u.sizes,
      })
      expect(await store.uploadSession(u.sid, bytes(32))).toEqual({ kind: 'not_found' })
      expect(await store.meta(u.sid, u.av)).toEqual({ kind: 'not_found' })
      expect(await store.reveal(u.sid, u.av, u.rv, claim())).toEqual({ kind: 'not_found' })
      expect(await store.status([{ sid: u.sid, mv: u.mv }])).toEqual([null])
      expect(await store.burn(u.sid, { mv: u.mv })).toEqual({ kind: 'not_found' })
      expect(await store.recordChunk(u.sid, u.uv, 0, 1)).toEqual({ kind: 'recorded' })
      expect(await store.recordChunk(u.sid, u.uv, 0, 1)).toEqual({ kind: 'recorded' })
      expect(await store.recordChunk(u.sid, bytes(32), 0, 0)).toEqual({ kind: 'not_found' })
      expect(await store.commit(u.sid, u.uv)).toEqual({ kind: 'incomplete', missing: 2 })
      await store.recordChunk(u.sid, u.uv, 1, 0)
      await store.recordChunk(u.sid, u.uv, 0, 0)
      expect(await store.commit(u.sid, bytes(32))).toEqual({ kind: 'not_found' })
      const committed = await store.commit(u.sid, u.uv)
      if (committed.kind !== 'committed') throw new Error(`commit answered ${committed.kind}`)
      expect(committed.expiresAt).toBeGreaterThan(Date.now() + 600_000 - SKEW_MS)
      expect(await store.commit(u.sid, u.uv)).toEqual(committed)
      expect(await store.uploadSession(u.sid, u.uv)).toEqual({ kind: 'committed' })
      expect(await store.recordChunk(u.sid, u.uv, 0, 0)).toEqual({ kind: 'committed' })
      expect(await store.abort(u.sid, u.uv)).toEqual({ kind: 'conflict' })
      expect(await store.meta(u.sid, u.av)).toMatchObject({
        kind: 'ok',
        expiresAt: committed.expiresAt,
        files: { count: 2, bytes: u.bytes },
      })
    })

    it("keeps a commit's fsig opaquely and hands it to every reveal; a repeat needs the same one", async () => {
      const fsig = bytes(2 * 32 + 64)
      const u = await committedIn(store, { maxViews: 2 }, fsig)
      expect(await store.commit(u.sid, u.uv, bytes(fsig.length))).toEqual({ kind: 'conflict' })
      expect(await store.commit(u.sid, u.uv)).toEqual({ kind: 'conflict' })
      expect(await store.commit(u.sid, u.uv, new Uint8Array(fsig))).toMatchObject({ kind: 'committed' })
      const mine = claim()
      const first = await store.reveal(u.sid, u.av, u.rv, mine)
      if (first.kind !== 'ok' || !first.files) throw new Error(`reveal answered ${first.kind}`)
      expect(first.files.fsig).toEqual(fsig)
      // A repeat of the claim and another recipient's view carry it too.
      expect(await store.reveal(u.sid, u.av, u.rv, mine)).toEqual(first)
      expect(await store.reveal(u.sid, u.av, u.rv, claim())).toMatchObject({ kind: 'ok', files: { fsig } })
      // Without one (a format 1 creator): none, and a repeat with one is another commit.
      const plain = await committedIn(store)
      expect(await store.commit(plain.sid, plain.uv, fsig)).toEqual({ kind: 'conflict' })
      const revealed = await store.reveal(plain.sid, plain.av, plain.rv, claim())
      expect(revealed).toMatchObject({ kind: 'ok' })
      expect(revealed.kind === 'ok' && revealed.files && 'fsig' in revealed.files).toBe(false)
    })

    it('forgets an aborted upload', async () => {
      const u = newUpload()
      await store.createUpload(u)
      await store.recordChunk(u.sid, u.uv, 0, 0)
      expect(await store.abort(u.sid, bytes(32))).toEqual({ kind: 'not_found' })
      expect(await store.abort(u.sid, u.uv)).toEqual({ kind: 'aborted' })
      expect(await store.abort(u.sid, u.uv)).toEqual({ kind: 'not_found' })
      expect(await store.uploadSession(u.sid, u.uv)).toEqual({ kind: 'not_found' })
      expect(await store.recordChunk(u.sid, u.uv, 0, 1)).toEqual({ kind: 'not_found' })
    })

    it('reveals a file secret to a claim only, which then reads chunks until its window closes', async () => {
      const u = await committedIn(store, { maxViews: 2 })
      const mine = claim()
      const files = { bid: u.bid, layout: [2, 1] }
      expect(await store.reveal(u.sid, u.av, bytes(32))).toEqual({ kind: 'claim_required' })
      expect(await store.status([{ sid: u.sid, mv: u.mv }])).toMatchObject([{ failedAttempts: 0 }])
      expect(await store.chunkAccess(u.sid, u.av, mine)).toEqual({ kind: 'not_found' })
      const first = await store.reveal(u.sid, u.av, u.rv, mine)
      if (first.kind !== 'ok' || !first.files) throw new Error(`reveal answered ${first.kind}`)
      expect(first.files).toMatchObject(files)
      expect(first.files.downloadExpiresAt).toBeGreaterThan(Date.now() + CLAIM_WINDOW_MS - SKEW_MS)
      // A repeat of the same claim: the same window.
      expect(await store.reveal(u.sid, u.av, u.rv, mine)).toEqual(first)
      expect(await store.chunkAccess(u.sid, u.av, mine)).toEqual({ kind: 'ok', ...files, sizes: u.sizes })
      expect(await store.chunkAccess(u.sid, bytes(32), mine)).toEqual({ kind: 'not_found' })
      expect(await store.chunkAccess(u.sid, u.av, claim())).toEqual({ kind: 'not_found' })
      await sleep(first.files.downloadExpiresAt - Date.now() + SKEW_MS)
      expect(await store.chunkAccess(u.sid, u.av, mine)).toEqual({ kind: 'window_closed' })
    })

    it('says when nobody can read the chunks any more: the last ack after the end, or a burn', async () => {
      const u = await committedIn(store)
      const files = { bid: u.bid, layout: [2, 1] }
      const mine = claim()
      expect(await store.reveal(u.sid, u.av, u.rv, mine)).toMatchObject({ kind: 'ok', viewsLeft: 0 })
      expect(await store.ack(u.sid, u.av, mine)).toEqual({ kind: 'acked', unneeded: files })
      expect(await store.chunkAccess(u.sid, u.av, mine)).toEqual({ kind: 'not_found' })

      const v = await committedIn(store, { maxViews: 3 })
      const theirs = claim()
      await store.reveal(v.sid, v.av, v.rv, theirs)
      // Still active: another view may come.
      expect(await store.ack(v.sid, v.av, theirs)).toEqual({ kind: 'acked' })
      const again = claim()
      await store.reveal(v.sid, v.av, v.rv, again)
      expect(await store.burn(v.sid, { av: v.av })).toEqual({ kind: 'burned', files: { bid: v.bid, layout: [2, 1] } })
      expect(await store.chunkAccess(v.sid, v.av, again)).toEqual({ kind: 'gone', state: 'burned' })

      const w = await committedIn(store)
      for (let i = 1; i < K; i++) await store.reveal(w.sid, w.av, bytes(32), claim())
      expect(await store.reveal(w.sid, w.av, bytes(32), claim())).toEqual({
        kind: 'wrong',
        attemptsLeft: 0,
        files: { bid: w.bid, layout: [2, 1] },
      })
    })
  })
}

/** Atomicity under real races: `peers` stores on separate connections to one backend. */
export function describeRaces(name: string, openPeers: () => Store[]): void {
  describe(name, () => {
    let peers: Store[]
    beforeAll(() => {
      peers = openPeers()
    })
    afterAll(() => Promise.all(peers.map((p) => p.close())))

    const race = <T>(n: number, call: (s: Store) => Promise<T>) =>
      Promise.all(Array.from({ length: n }, (_, i) => call(peers[i % peers.length]!)))

    it.each([1, 3])(
      'releases a maxViews=%i secret exactly that often among 200 readers, 20 times',
      async (maxViews) => {
        for (let round = 0; round < 20; round++) {
          const s = await createdIn(peers[0]!, { maxViews })
          const results = await race(200, (p) => p.reveal(s.sid, s.av, s.rv))
          const ok = results.filter((r) => r.kind === 'ok')
          expect(ok.map((r) => r.viewsLeft).sort()).toEqual(Array.from({ length: maxViews }, (_, i) => i))
          expect(results.filter((r) => r.kind === 'gone' && r.state === 'viewed')).toHaveLength(200 - maxViews)
        }
      },
    )

    it('releases a single view once among 100 readers sharing a claim and 100 with their own', async () => {
      for (let round = 0; round < 10; round++) {
        const s = await createdIn(peers[0]!)
        const shared = claim()
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            peers[i % peers.length]!.reveal(s.sid, s.av, s.rv, i % 2 ? shared : claim()),
          ),
        )
        const ok = (odd: number) => results.filter((r, i) => i % 2 === odd && r.kind === 'ok').length
        // Either the shared claim won and every call carrying it got the view, or one other call did.
        expect([
          [100, 0],
          [0, 1],
        ]).toContainEqual([ok(1), ok(0)])
        expect(await peers[0]!.status([{ sid: s.sid, mv: s.mv }])).toMatchObject([{ state: 'viewed', views: 1 }])
      }
    })

    it('opens one download window among 50 claims racing for a one-view file secret', async () => {
      const u = await committedIn(peers[0]!)
      const claims = Array.from({ length: 50 }, claim)
      const results = await Promise.all(claims.map((c, i) => peers[i % peers.length]!.reveal(u.sid, u.av, u.rv, c)))
      expect(results.filter((r) => r.kind === 'ok')).toHaveLength(1)
      const access = await Promise.all(claims.map((c) => peers[0]!.chunkAccess(u.sid, u.av, c)))
      expect(access.map((a) => a.kind)).toEqual(results.map((r) => (r.kind === 'ok' ? 'ok' : 'not_found')))
    })

    it('counts exactly K of 20 simultaneous wrong tokens, then burns', async () => {
      const s = await createdIn(peers[0]!, { maxViews: 3 })
      const results = await race(20, (p) => p.reveal(s.sid, s.av, bytes(32)))
      const wrong = results.flatMap((r) => (r.kind === 'wrong' ? [r.attemptsLeft] : []))
      expect(wrong.sort()).toEqual([0, 1, 2, 3, 4])
      expect(results.filter((r) => r.kind === 'gone' && r.state === 'burned')).toHaveLength(20 - K)
      expect(await peers[0]!.status([{ sid: s.sid, mv: s.mv }])).toMatchObject([
        { state: 'burned', burnReason: 'attempts', failedAttempts: K },
      ])
    })
  })
}
