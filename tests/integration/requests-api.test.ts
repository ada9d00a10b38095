/**
 * The HTTP contract of secret requests (protocol.md §12.5) through `inject()`: every success
 * path, every error code, the 404s that must not tell an unknown request from a wrong token,
 * the collect claim's retry, and the OpenAPI entries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ErrorBody,
  deriveCollectToken,
  deriveRequestKeys,
  encodeB64u,
  parseRequestLink,
  prepareRequest,
  randomBytes,
  sealAnswer,
} from '@burnlink/shared'
import { buildApp, type App } from '../../server/src/app.ts'
import { defaultConfig } from '../../server/src/config.ts'
import { openTestStore } from '../helpers/server.ts'

const config = defaultConfig({
  maxTtlSeconds: 3600,
  rateLimit: { createPerMinute: 10_000, readPerMinute: 10_000, ipv6Prefix: 64 },
})

describe('secret request API', () => {
  let app: App
  const store = openTestStore(config)
  beforeAll(async () => {
    app = await buildApp({ config, store })
  })
  afterAll(async () => {
    await app.close()
    await store.close()
  })

  const post = (path: string, body: unknown) =>
    app.inject({ method: 'POST', url: `/api/v1/requests${path}`, payload: body as object })

  function expectError(res: Awaited<ReturnType<typeof post>>, status: number, code: string) {
    expect(res.statusCode).toBe(status)
    const body = ErrorBody.parse(res.json())
    expect(body.error).toBe(code)
    expect(body.message.length).toBeGreaterThan(10)
    return body
  }

  /** A stored request and the bodies each party sends. */
  async function stored(note?: string) {
    const p = await prepareRequest({ origin: 'https://x.example', ttl: 600, ...(note && { note }) })
    expect((await post('', p.request)).statusCode).toBe(201)
    const { rid, qa } = await deriveRequestKeys(parseRequestLink(p.requestLink).n)
    const access = { rid: encodeB64u(rid), acc: encodeB64u(qa) }
    const { E, ans } = await sealAnswer(rid, p.key.Q, 'the answer')
    return { p, access, answer: { ...access, epk: encodeB64u(E), ans: encodeB64u(ans) } }
  }

  it('creates (an identical repeat too), opens without consuming, answers once, collects once', async () => {
    const { p, access, answer } = await stored('a note')
    const again = await post('', p.request)
    expect(again.statusCode).toBe(201)
    expectError(await post('', { ...p.request, ttl: 700 }), 409, 'conflict')

    for (let i = 0; i < 2; i++) {
      const opened = await post('/open', access)
      expect(opened.statusCode).toBe(200)
      expect(opened.json()).toEqual({ pub: p.request.pub, note: p.request.note, expiresAt: expect.any(String) })
    }
    expect((await post('/status', p.ref)).json()).toMatchObject({ state: 'pending' })
    expectError(await post('/collect', p.ref), 409, 'not_answered')

    expect((await post('/answer', answer)).statusCode).toBe(201)
    expect((await post('/answer', answer)).statusCode).toBe(201)
    const other = await stored()
    expectError(await post('/answer', { ...answer, ans: other.answer.ans }), 409, 'already_answered')
    expectError(await post('/open', access), 409, 'already_answered')

    const claim = encodeB64u(randomBytes(16))
    const collected = await post('/collect', { ...p.ref, claim })
    expect(collected.json()).toEqual({ epk: answer.epk, ans: answer.ans })
    // The same claim after a lost answer gets the same bytes; nobody else gets anything.
    expect((await post('/collect', { ...p.ref, claim })).json()).toEqual(collected.json())
    expect(expectError(await post('/collect', p.ref), 410, 'gone').state).toBe('viewed')
    expect((await post('/ack', { ...p.ref, claim })).statusCode).toBe(204)
    expect(expectError(await post('/collect', { ...p.ref, claim }), 410, 'gone').state).toBe('viewed')
    expect((await post('/status', p.ref)).json()).toMatchObject({ state: 'collected', answeredAt: expect.any(String) })
  })

  it('answers 404 with the same bytes for an unknown request and for a wrong token', async () => {
    const { p, access } = await stored()
    const unknown = { rid: encodeB64u(randomBytes(16)), acc: access.acc }
    const wrong = { rid: access.rid, acc: encodeB64u(randomBytes(32)) }
    const bodies = await Promise.all([post('/open', unknown), post('/open', wrong)])
    for (const res of bodies) expectError(res, 404, 'not_found')
    expect(bodies[0]!.body).toBe(bodies[1]!.body)
    const wrongCol = { rid: p.ref.rid, col: encodeB64u(await deriveCollectToken(randomBytes(32), randomBytes(16))) }
    expect((await post('/status', wrongCol)).body).toBe(bodies[0]!.body)
    expect((await post('/burn', wrongCol)).body).toBe(bodies[0]!.body)
  })

  it('burns for the requester; the responder then meets 410', async () => {
    const { p, access, answer } = await stored()
    expect((await post('/burn', p.ref)).json()).toEqual({ state: 'burned' })
    expect(expectError(await post('/burn', p.ref), 410, 'gone').state).toBe('burned')
    expect(expectError(await post('/open', access), 410, 'gone').state).toBe('burned')
    expect(expectError(await post('/answer', answer), 410, 'gone').state).toBe('burned')
  })

  it('refuses bad input with 400, never 500', async () => {
    const { p, answer } = await stored()
    const bad: Array<[string, unknown]> = [
      ['', { ...p.request, rid: `${p.request.rid.slice(0, -1)}B` }],
      ['', { ...p.request, pub: p.request.pub.slice(0, -2) }],
      ['', { ...p.request, ttl: 59 }],
      ['', { ...p.request, ttl: 3601 }],
      ['', { ...p.request, extra: 1 }],
      ['/answer', { ...answer, ans: answer.ans.slice(0, -4) }],
      ['/collect', { ...p.ref, claim: 'short' }],
      ['/status', { rid: p.ref.rid }],
    ]
    for (const [path, body] of bad) expectError(await post(path, body), 400, 'invalid_request')
  })

  it('lists every endpoint in the OpenAPI document', async () => {
    const paths = Object.keys((await app.inject({ url: '/api/v1/openapi.json' })).json().paths as object)
    for (const p of ['', '/open', '/answer', '/collect', '/ack', '/status', '/burn'])
      expect(paths).toContain(`/api/v1/requests${p}`)
  })
})

describe('secret request limits', () => {
  it('counts creates against the create rate and the hourly byte budget, reads against the read rate', async () => {
    const limited = defaultConfig({ rateLimit: { createPerMinute: 3, readPerMinute: 2, ipv6Prefix: 64 } })
    const store = openTestStore(limited)
    const app = await buildApp({ config: limited, store })
    try {
      const post = (path: string, body: unknown) =>
        app.inject({ method: 'POST', url: `/api/v1/requests${path}`, payload: body as object })
      const made = await Promise.all(Array.from({ length: 4 }, () => prepareRequest({ origin: 'http://x', ttl: 600 })))
      const statuses = []
      for (const p of made) statuses.push((await post('', p.request)).statusCode)
      expect(statuses).toEqual([201, 201, 201, 429])
      const reads = []
      for (let i = 0; i < 3; i++) reads.push((await post('/status', made[0]!.ref)).statusCode)
      expect(reads).toEqual([200, 200, 429])
    } finally {
      await app.close()
      await store.close()
    }

    // A budget of two requests' worth of bytes: the third create is refused, stored bytes counted.
    const p = await prepareRequest({ origin: 'http://x', ttl: 600, note: 'n' })
    const bytesPerCreate = 65 + 284
    const budgeted = defaultConfig({
      rateLimit: { createPerMinute: 1000, readPerMinute: 1000, ipv6Prefix: 64 },
      budgets: { ...defaultConfig().budgets, createBytesPerHour: 2 * bytesPerCreate },
    })
    const store2 = openTestStore(budgeted)
    const app2 = await buildApp({ config: budgeted, store: store2 })
    try {
      const create = async (body: unknown) =>
        (await app2.inject({ method: 'POST', url: '/api/v1/requests', payload: body as object })).statusCode
      const second = await prepareRequest({ origin: 'http://x', ttl: 600, note: 'n' })
      const third = await prepareRequest({ origin: 'http://x', ttl: 600, note: 'n' })
      expect([await create(p.request), await create(second.request), await create(third.request)]).toEqual([
        201, 201, 429,
      ])
    } finally {
      await app2.close()
      await store2.close()
    }
  })
})
