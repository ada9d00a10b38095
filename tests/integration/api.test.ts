/**
 * The HTTP contract of protocol.md §7 through `inject()`, on both stores: every success
 * path, every error code, and the bytes of the errors that must not tell anything apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ErrorBody,
  PayloadType,
  SecretStatus,
  decryptSecret,
  encodeB64u,
  randomBytes,
  unlockSecret,
  type CreateSecretRequest,
} from '@burnlink/shared'
import { buildApp, BODY_LIMIT, type App } from '../../server/src/app.ts'
import { defaultConfig } from '../../server/src/config.ts'
import type { Store } from '../../server/src/store/store.ts'
import { newSeed, type SeedOptions } from '../helpers/seeds.ts'
import { openTestStore } from '../helpers/server.ts'
import { workerRedisUrl } from '../helpers/worker-redis.ts'

// Rate limits are tested in rate-limit.test.ts; here they would only get in the way.
const config = defaultConfig({
  maxTtlSeconds: 3600,
  maxViews: 10,
  rateLimit: { createPerMinute: 10_000, readPerMinute: 10_000, ipv6Prefix: 64 },
})
/** A prepared (not yet created) secret, flattened for the many field accesses below. */
async function newSecret(opts: Partial<SeedOptions> = {}) {
  const { prepared, k, access } = await newSeed({ text: 'hunter2', maxViews: 1, ttl: 600, ...opts })
  return { ...prepared, k, access }
}

describe.each([
  { name: 'memory store', redis: false },
  { name: 'redis store', redis: true },
])('API on the $name', ({ redis }) => {
  let app: App
  let store: Store

  const post = (url: string, body: unknown) =>
    app.inject({ method: 'POST', url: `/api/v1/secrets${url}`, payload: body as object })
  const create = (req: CreateSecretRequest) => post('', req)
  async function created(opts?: Parameters<typeof newSecret>[0]) {
    const s = await newSecret(opts)
    expect((await create(s.request)).statusCode).toBe(201)
    return s
  }
  async function reveal(s: Awaited<ReturnType<typeof newSecret>>, passphrase?: string) {
    const unlocked = await unlockSecret({ k: s.k, passphrase, hdr: s.request.hdr })
    return { res: await post('/reveal', { ...s.access, rev: unlocked.rev }), unlocked }
  }
  function expectError(
    res: { statusCode: number; json(): unknown; headers: Record<string, unknown> },
    status: number,
    code: string,
  ) {
    expect(res.statusCode).toBe(status)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    const body = ErrorBody.parse(res.json())
    expect(body.error).toBe(code)
    expect(body.message.length).toBeGreaterThan(10)
    return body
  }

  beforeAll(async () => {
    store = openTestStore(config, redis ? workerRedisUrl() : undefined)
    app = await buildApp({ config, store })
  })
  afterAll(async () => {
    await app.close()
    await store.close()
  })

  it('creates, describes without consuming, reveals once, then answers 410 viewed', async () => {
    const s = await newSecret({ text: 'correct horse ✓' })
    const res = await create(s.request)
    expect(res.statusCode).toBe(201)
    expect(res.json()).toEqual({ sid: s.sid, expiresAt: expect.any(String) })

    for (let i = 0; i < 3; i++) {
      const meta = await post('/meta', s.access)
      expect(meta.statusCode).toBe(200)
      expect(meta.json()).toMatchObject({ viewsLeft: 1, hdr: s.request.hdr })
    }
    const { res: first, unlocked } = await reveal(s)
    expect(first.statusCode).toBe(200)
    expect(first.json().viewsLeft).toBe(0)
    expect(await decryptSecret(unlocked, first.json().ct)).toEqual({ type: PayloadType.text, text: 'correct horse ✓' })

    const again = await post('/reveal', { ...s.access, rev: unlocked.rev })
    expect(expectError(again, 410, 'gone').state).toBe('viewed')
    expect(expectError(await post('/meta', s.access), 410, 'gone').state).toBe('viewed')

    const status = await post('/status', { sid: s.sid, mt: s.mt })
    expect(status.statusCode).toBe(200)
    expect(SecretStatus.parse(status.json())).toMatchObject({
      state: 'viewed',
      views: 1,
      maxViews: 1,
      failedAttempts: 0,
    })
    expect(status.json().endedAt).toEqual(expect.any(String))
  })

  it('counts views of a multi-view secret', async () => {
    const s = await created({ maxViews: 3 })
    const left = []
    for (let i = 0; i < 3; i++) left.push((await reveal(s)).res.json().viewsLeft)
    expect(left).toEqual([2, 1, 0])
    expectError(await post('/meta', s.access), 410, 'gone')
  })

  it('answers a repeated identical create with 201 again, and another create with the same sid with 409', async () => {
    const s = await created()
    const first = (await create(s.request)).json()
    const again = await create(s.request)
    expect(again.statusCode).toBe(201)
    expect(again.json()).toEqual(first)
    expectError(await create({ ...s.request, mv: encodeB64u(randomBytes(32)) }), 409, 'conflict')
    await reveal(s)
    expectError(await create(s.request), 409, 'conflict')
  })

  it('repeats a claimed reveal for its claimant only, until the claimant acknowledges it', async () => {
    const s = await created()
    const claim = encodeB64u(randomBytes(16))
    const { rev } = await unlockSecret({ k: s.k, hdr: s.request.hdr })
    const first = await post('/reveal', { ...s.access, rev, claim })
    expect(first.statusCode).toBe(200)
    const again = await post('/reveal', { ...s.access, rev, claim })
    expect(again.statusCode).toBe(200)
    expect(again.json()).toEqual(first.json())
    expectError(await post('/reveal', { ...s.access, rev, claim: encodeB64u(randomBytes(16)) }), 410, 'gone')
    expectError(await post('/reveal', { ...s.access, rev }), 410, 'gone')
    const ack = await post('/ack', { ...s.access, claim })
    expect(ack.statusCode).toBe(204)
    expect(ack.body).toBe('')
    expect((await post('/ack', { ...s.access, claim })).statusCode).toBe(204)
    expectError(await post('/reveal', { ...s.access, rev, claim }), 410, 'gone')
    expect((await post('/status', { sid: s.sid, mt: s.mt })).json()).toMatchObject({ state: 'viewed', views: 1 })
  })

  it('refuses a claim of the wrong length or not canonical', async () => {
    const s = await created()
    const { rev } = await unlockSecret({ k: s.k, hdr: s.request.hdr })
    const claim = encodeB64u(randomBytes(16))
    for (const bad of [claim.slice(1), `${claim}A`, `${claim.slice(0, 21)}B`, `${claim.slice(0, 20)}+A`, '', 16]) {
      expectError(await post('/reveal', { ...s.access, rev, claim: bad }), 400, 'invalid_request')
      expectError(await post('/ack', { ...s.access, claim: bad }), 400, 'invalid_request')
    }
    expectError(await post('/ack', s.access), 400, 'invalid_request')
    expect((await post('/status', { sid: s.sid, mt: s.mt })).json()).toMatchObject({ state: 'active', views: 0 })
  })

  it('answers an unknown sid and a wrong token with the same bytes', async () => {
    const s = await created()
    const unknown = { sid: encodeB64u(randomBytes(16)), acc: s.access.acc }
    const wrongAcc = { sid: s.sid, acc: encodeB64u(randomBytes(32)) }
    const rev = encodeB64u(randomBytes(32))
    const claim = encodeB64u(randomBytes(16))
    const pairs = [
      [await post('/meta', unknown), await post('/meta', wrongAcc)],
      [await post('/reveal', { ...unknown, rev }), await post('/reveal', { ...wrongAcc, rev })],
      [
        await post('/status', { sid: unknown.sid, mt: s.mt }),
        await post('/status', { sid: s.sid, mt: encodeB64u(randomBytes(32)) }),
      ],
      [await post('/burn', { sid: unknown.sid, mt: s.mt }), await post('/burn', wrongAcc)],
      [await post('/ack', { ...unknown, claim }), await post('/ack', { ...wrongAcc, claim })],
      [await post('/meta', unknown), await post('/ack', { ...wrongAcc, claim })],
    ]
    for (const [a, b] of pairs) {
      expectError(a!, 404, 'not_found')
      expect(a!.body).toBe(b!.body)
    }
    // None of that spent an attempt or a view.
    expect((await post('/status', { sid: s.sid, mt: s.mt })).json()).toMatchObject({
      state: 'active',
      views: 0,
      failedAttempts: 0,
    })
  })

  it('counts wrong passphrases down to a burn, and never resets them', async () => {
    const s = await created({ passphrase: 'right' })
    const left = []
    for (let i = 0; i < 5; i++)
      left.push(expectError((await reveal(s, `wrong ${i}`)).res, 401, 'wrong_passphrase').attemptsLeft)
    expect(left).toEqual([4, 3, 2, 1, 0])
    expect(expectError((await reveal(s, 'right')).res, 410, 'gone').state).toBe('burned')
    expect((await post('/status', { sid: s.sid, mt: s.mt })).json()).toMatchObject({
      state: 'burned',
      burnReason: 'attempts',
      failedAttempts: 5,
    })
  })

  it('reveals with the right passphrase after a wrong one', async () => {
    const s = await created({ passphrase: 'Tr0ub4dor&3', text: 'behind a passphrase' })
    expectError((await reveal(s, 'Tr0ub4dor&3 ')).res, 401, 'wrong_passphrase')
    const { res, unlocked } = await reveal(s, 'Tr0ub4dor&3')
    expect(res.statusCode).toBe(200)
    expect((await decryptSecret(unlocked, res.json().ct)).text).toBe('behind a passphrase')
    expect((await post('/status', { sid: s.sid, mt: s.mt })).json()).toMatchObject({
      state: 'viewed',
      failedAttempts: 1,
    })
  })

  it('burns for the creator and for a link holder, then answers 410 burned', async () => {
    const a = await created()
    expect((await post('/burn', { sid: a.sid, mt: a.mt })).json()).toEqual({ state: 'burned' })
    expect(expectError(await post('/meta', a.access), 410, 'gone').state).toBe('burned')
    expect((await post('/status', { sid: a.sid, mt: a.mt })).json()).toMatchObject({
      state: 'burned',
      burnReason: 'creator',
    })
    expectError(await post('/burn', { sid: a.sid, mt: a.mt }), 410, 'gone')

    const b = await created({ maxViews: 3 })
    expect((await post('/burn', b.access)).statusCode).toBe(200)
    expect((await post('/status', { sid: b.sid, mt: b.mt })).json()).toMatchObject({
      state: 'burned',
      burnReason: 'recipient',
    })
  })

  it('answers a batch status in order, with null for unknown and wrong-token items', async () => {
    const a = await created()
    const b = await created()
    await post('/burn', { sid: b.sid, mt: b.mt })
    const res = await post('/status', {
      items: [
        { sid: a.sid, mt: a.mt },
        { sid: encodeB64u(randomBytes(16)), mt: a.mt },
        { sid: b.sid, mt: b.mt },
        { sid: a.sid, mt: b.mt },
      ],
    })
    expect(res.statusCode).toBe(200)
    const items = res.json().items
    expect(items.map((i: { state?: string } | null) => i?.state ?? null)).toEqual(['active', null, 'burned', null])
    const tooMany = Array.from({ length: 101 }, () => ({ sid: a.sid, mt: a.mt }))
    expectError(await post('/status', { items: tooMany }), 400, 'invalid_request')
    expectError(await post('/status', { items: [] }), 400, 'invalid_request')
  })

  describe('rejects bad input with a 4xx and leaves stored secrets intact', () => {
    let base: CreateSecretRequest
    beforeAll(async () => {
      base = (await newSecret()).request
    })
    const bad: Array<[string, (r: CreateSecretRequest) => unknown]> = [
      ['an unknown field', (r) => ({ ...r, extra: 1 })],
      ['a missing field', ({ ct: _ct, ...r }) => r],
      ['version 2', (r) => ({ ...r, v: 2 })],
      ['a short sid', (r) => ({ ...r, sid: r.sid.slice(1) })],
      ['a non-canonical sid', (r) => ({ ...r, sid: `${r.sid.slice(0, 21)}B` })],
      ['a padded token', (r) => ({ ...r, av: `${r.av.slice(0, 42)}A=` })],
      ['standard base64 characters', (r) => ({ ...r, rv: `+${r.rv.slice(1)}` })],
      ['a ct of an invalid length', (r) => ({ ...r, ct: r.ct.slice(0, -4) })],
      ['a 3-byte header', (r) => ({ ...r, hdr: 'AQAA' })],
      ['ttl below the minimum', (r) => ({ ...r, ttl: 59 })],
      ['ttl above the server maximum', (r) => ({ ...r, ttl: 3601 })],
      ['a fractional ttl', (r) => ({ ...r, ttl: 600.5 })],
      ['ttl as a string', (r) => ({ ...r, ttl: '600' })],
      ['maxViews 0', (r) => ({ ...r, maxViews: 0 })],
      ['maxViews above the server maximum', (r) => ({ ...r, maxViews: 11 })],
      ['an array', () => []],
      ['null', () => null],
    ]
    it.each(bad)('create with %s -> 400', async (_name, mutate) => {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/secrets',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(mutate(base)),
      })
      expectError(res, 400, 'invalid_request')
    })

    it('malformed JSON -> 400, prototype pollution -> 400, text/plain -> 415, too large -> 413', async () => {
      const raw = (payload: string, type = 'application/json') =>
        app.inject({ method: 'POST', url: '/api/v1/secrets/meta', headers: { 'content-type': type }, payload })
      expectError(await raw('{"sid": '), 400, 'invalid_request')
      expectError(await raw(''), 400, 'invalid_request')
      expectError(await raw('{"__proto__": {"x": 1}, "sid": "a", "acc": "b"}'), 400, 'invalid_request')
      expectError(await raw('{}', 'text/plain'), 415, 'unsupported_media_type')
      expectError(await raw(JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT) })), 413, 'payload_too_large')
      expectError(await app.inject({ method: 'GET', url: '/api/v1/secrets/reveal' }), 404, 'not_found')
    })

    it('still reveals a secret created before the bad requests', async () => {
      const s = await created({ text: 'survivor' })
      for (const [, mutate] of bad) await post('', mutate(s.request))
      const { res, unlocked } = await reveal(s)
      expect((await decryptSecret(unlocked, res.json().ct)).text).toBe('survivor')
    })
  })

  it('accepts the largest ciphertext', async () => {
    const s = await newSecret({ text: 'x'.repeat(65531) })
    expect(s.request.ct.length).toBe(87419)
    expect((await create(s.request)).statusCode).toBe(201)
  })

  it('reports health, readiness and limits', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' })
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' })
    expect((await app.inject({ method: 'GET', url: '/api/v1/config' })).json()).toEqual({
      maxTtlSeconds: 3600,
      maxViews: 10,
      maxFailedAttempts: 5,
      allowHttpRedirects: false,
      claimRetrySeconds: 300,
      maxFileBytes: 25 * 1024 * 1024,
      maxFiles: 10,
      downloadWindowSeconds: 900,
    })
  })
})
