/**
 * The RequestStore contract (protocol.md §12.5, §12.6) as a reusable suite, run against the
 * memory store and Redis by tests/integration/request-store-contract.test.ts, so the two
 * state machines cannot drift apart.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RID_BYTES, encodeB64u } from '@burnlink/shared'
import type { NewRequest, RequestStore, RequestStoreOptions } from '../../server/src/requests/request-store.ts'

/** A short claim window, so the suite can outlive it. */
export const REQUEST_CLAIM_MS = 3000
export const REQUEST_OPTIONS: RequestStoreOptions = {
  statusRetentionSeconds: 3600,
  claimRetrySeconds: REQUEST_CLAIM_MS / 1000,
}

const bytes = (n: number) => new Uint8Array(randomBytes(n))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function newRequest(over: Partial<NewRequest> = {}): NewRequest {
  return {
    rid: encodeB64u(bytes(RID_BYTES)),
    pub: Uint8Array.of(4, ...bytes(64)),
    note: bytes(284),
    qv: bytes(32),
    cv: bytes(32),
    ttlSeconds: 600,
    ...over,
  }
}

export const newAnswer = () => ({ epk: Uint8Array.of(4, ...bytes(64)), ans: bytes(540) })

export function describeRequestContract(name: string, open: () => RequestStore): void {
  describe(`RequestStore contract: ${name}`, () => {
    let store: RequestStore
    beforeAll(() => {
      store = open()
    })
    afterAll(async () => {
      await store.close()
    })

    async function created(over: Partial<NewRequest> = {}) {
      const r = newRequest(over)
      expect(await store.create(r)).toMatchObject({ kind: 'created' })
      return r
    }

    it('creates once; an identical repeat is created again with the same expiry, anything else exists', async () => {
      const r = await created()
      const first = await store.create(r)
      expect(first).toMatchObject({ kind: 'created' })
      expect(await store.create(r)).toEqual(first)
      expect(await store.create({ ...r, note: undefined })).toEqual({ kind: 'exists' })
      expect(await store.create({ ...r, cv: bytes(32) })).toEqual({ kind: 'exists' })
      const plain = await created({ note: undefined })
      expect(await store.create(plain)).toMatchObject({ kind: 'created' })
    })

    it('opens without consuming, with the stored key and note; wrong qv and unknown rid alike', async () => {
      const r = await created()
      for (let i = 0; i < 3; i++) {
        expect(await store.open(r.rid, r.qv)).toMatchObject({ kind: 'ok', pub: r.pub, note: r.note })
      }
      expect(await store.open(r.rid, bytes(32))).toEqual({ kind: 'not_found' })
      expect(await store.open(newRequest().rid, r.qv)).toEqual({ kind: 'not_found' })
      expect(await store.status(r.rid, r.cv)).toMatchObject({ state: 'pending' })
      const plain = await created({ note: undefined })
      expect(await store.open(plain.rid, plain.qv)).not.toHaveProperty('note')
    })

    it('takes exactly one answer; its own repeat is answered again, another already_answered', async () => {
      const r = await created()
      const a = newAnswer()
      expect(await store.answer(r.rid, r.cv, a.epk, a.ans)).toEqual({ kind: 'not_found' })
      expect(await store.answer(r.rid, r.qv, a.epk, a.ans)).toEqual({ kind: 'answered' })
      expect(await store.answer(r.rid, r.qv, a.epk, a.ans)).toEqual({ kind: 'answered' })
      const b = newAnswer()
      expect(await store.answer(r.rid, r.qv, b.epk, b.ans)).toEqual({ kind: 'already_answered' })
      expect(await store.open(r.rid, r.qv)).toEqual({ kind: 'already_answered' })
      const s = await store.status(r.rid, r.cv)
      expect(s).toMatchObject({ state: 'answered' })
      expect(s!.answeredAt).toBeGreaterThanOrEqual(s!.createdAt)
    })

    it('collect: not_answered changes nothing; then one release, and gone for everyone else', async () => {
      const r = await created()
      expect(await store.collect(r.rid, r.cv)).toEqual({ kind: 'not_answered' })
      expect(await store.collect(r.rid, r.qv)).toEqual({ kind: 'not_found' })
      const a = newAnswer()
      await store.answer(r.rid, r.qv, a.epk, a.ans)
      expect(await store.collect(r.rid, r.cv)).toEqual({ kind: 'ok', epk: a.epk, ans: a.ans })
      expect(await store.collect(r.rid, r.cv)).toEqual({ kind: 'gone', state: 'collected' })
      expect(await store.answer(r.rid, r.qv, a.epk, a.ans)).toEqual({ kind: 'already_answered' })
      expect(await store.status(r.rid, r.cv)).toMatchObject({ state: 'collected' })
      expect(await store.burn(r.rid, r.cv)).toEqual({ kind: 'gone', state: 'collected' })
    })

    it('a claim gets the same answer again within its window, until its ack; others do not', async () => {
      const r = await created()
      const a = newAnswer()
      await store.answer(r.rid, r.qv, a.epk, a.ans)
      const claim = bytes(16)
      expect(await store.collect(r.rid, r.cv, claim)).toEqual({ kind: 'ok', ...a })
      expect(await store.collect(r.rid, r.cv, claim)).toEqual({ kind: 'ok', ...a })
      expect(await store.collect(r.rid, r.cv, bytes(16))).toEqual({ kind: 'gone', state: 'collected' })
      expect(await store.collect(r.rid, r.cv)).toEqual({ kind: 'gone', state: 'collected' })
      expect(await store.ack(r.rid, bytes(32), claim)).toEqual({ kind: 'not_found' })
      expect(await store.ack(r.rid, r.cv, claim)).toEqual({ kind: 'acked' })
      expect(await store.ack(r.rid, r.cv, claim)).toEqual({ kind: 'acked' })
      expect(await store.collect(r.rid, r.cv, claim)).toEqual({ kind: 'gone', state: 'collected' })
    })

    it("a claim's window ends by itself", async () => {
      const r = await created()
      const a = newAnswer()
      await store.answer(r.rid, r.qv, a.epk, a.ans)
      const claim = bytes(16)
      expect(await store.collect(r.rid, r.cv, claim)).toMatchObject({ kind: 'ok' })
      await sleep(REQUEST_CLAIM_MS + 300)
      expect(await store.collect(r.rid, r.cv, claim)).toEqual({ kind: 'gone', state: 'collected' })
    })

    it('burn ends a pending or answered request; the status keeps it', async () => {
      const pending = await created()
      expect(await store.burn(pending.rid, pending.qv)).toEqual({ kind: 'not_found' })
      expect(await store.burn(pending.rid, pending.cv)).toEqual({ kind: 'burned' })
      expect(await store.burn(pending.rid, pending.cv)).toEqual({ kind: 'gone', state: 'burned' })
      expect(await store.open(pending.rid, pending.qv)).toEqual({ kind: 'gone', state: 'burned' })
      const a = newAnswer()
      expect(await store.answer(pending.rid, pending.qv, a.epk, a.ans)).toEqual({ kind: 'gone', state: 'burned' })
      const answered = await created()
      await store.answer(answered.rid, answered.qv, a.epk, a.ans)
      expect(await store.burn(answered.rid, answered.cv)).toEqual({ kind: 'burned' })
      expect(await store.collect(answered.rid, answered.cv)).toEqual({ kind: 'gone', state: 'burned' })
      const s = await store.status(answered.rid, answered.cv)
      expect(s).toMatchObject({ state: 'burned' })
      expect(s!.endedAt).toBeGreaterThanOrEqual(s!.answeredAt!)
    })

    it('expires, pending or answered; the status says when', async () => {
      const pending = await created({ ttlSeconds: 1 })
      const answered = await created({ ttlSeconds: 1 })
      const a = newAnswer()
      await store.answer(answered.rid, answered.qv, a.epk, a.ans)
      await sleep(1300)
      expect(await store.open(pending.rid, pending.qv)).toEqual({ kind: 'gone', state: 'expired' })
      expect(await store.collect(answered.rid, answered.cv)).toEqual({ kind: 'gone', state: 'expired' })
      const s = await store.status(pending.rid, pending.cv)
      expect(s).toMatchObject({ state: 'expired' })
      expect(s!.endedAt).toBe(s!.expiresAt)
      expect(await store.status(pending.rid, bytes(32))).toBeNull()
    })
  })
}
